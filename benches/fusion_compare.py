"""Times what crates/fusion/benches/fusion.rs times, in numpy/safetensors, and prints ratios.

Run from the repository root:  python benches/fusion_compare.py
(runs `cargo bench -p sslinv-fusion` first and reads criterion's estimates).
"""
import json
import pathlib
import subprocess
import tempfile
import timeit

import numpy as np
from safetensors.numpy import load_file, save_file

N, D = 2000, 2048


def matrix(seed):
    i = np.arange(N * D, dtype=np.float32)
    return np.sin(i * np.float32(0.37) + np.float32(seed)).reshape(N, D)


def best(fn, number=5, repeat=5):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


parts = [matrix(s) for s in range(3)]
py = {
    f"combine_cat_3x{N}x{D}": best(lambda: np.concatenate(parts, axis=1)),
    f"combine_mean_3x{N}x{D}": best(lambda: (parts[0] + parts[1] + parts[2]) / 3),
}
with tempfile.TemporaryDirectory() as d:
    path = str(pathlib.Path(d) / "f.safetensors")
    save_file({"features": parts[0]}, path)
    py[f"cache_load_{N}x{D}"] = best(lambda: load_file(path)["features"])

subprocess.run(["cargo", "bench", "-p", "sslinv-fusion", "--bench", "fusion"], check=True)
print(f"{'bench':<28} {'rust ms':>9} {'python ms':>10} {'python/rust':>12}")
for name, t_py in py.items():
    est = pathlib.Path("target/criterion/fusion") / name / "new/estimates.json"
    t_rs = json.loads(est.read_text())["mean"]["point_estimate"] / 1e9
    print(f"{name:<28} {t_rs * 1e3:9.2f} {t_py * 1e3:10.2f} {t_py / t_rs:12.2f}")
