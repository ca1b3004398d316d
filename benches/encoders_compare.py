"""Same-run speed comparison: sslinv-encoders vs PyTorch CPU (2 threads) feature extraction.

Run from the repository root:  python3 benches/encoders_compare.py [--batch 8] [--reps 3]

Times ResNet-18 and ResNet-50 eval-mode pooled features at 224x224 (random weights, random
input; best of --reps after a warm-up) in torchvision and in the release build of
`crates/encoders/examples/extract.rs`, then prints seconds per image and the ratio
(PyTorch time / sslinv time: > 1 means sslinv is faster).
"""

import argparse
import json
import os
import subprocess

import torch
import torchvision

from torch_forward import best_forward_seconds


def torch_time(arch, batch, reps):
    torch.set_num_threads(2)
    model = getattr(torchvision.models, arch)(weights=None)
    model.fc = torch.nn.Identity()
    model.eval()
    x = torch.randn(batch, 3, 224, 224)
    return best_forward_seconds(model, x, reps) / batch


def rust_time(arch, batch, reps):
    env = dict(os.environ, RAYON_NUM_THREADS="2")
    run = subprocess.run(
        ["cargo", "run", "--release", "-q", "-p", "sslinv-encoders", "--example", "extract", "--",
         f"random:{arch}:seed=0", str(batch), str(reps)],
        capture_output=True, text=True, env=env,
    )
    if run.returncode != 0:
        raise SystemExit(f"the Rust timing failed:\n{run.stderr}")
    out = run.stdout
    return json.loads(out.strip().splitlines()[-1])["seconds_per_image"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    print(f"{'model':<10} {'pytorch s/img':>14} {'sslinv s/img':>13} {'ratio':>7}")
    for arch in ["resnet18", "resnet50"]:
        r = rust_time(arch, a.batch, a.reps)
        t = torch_time(arch, a.batch, a.reps)
        print(f"{arch:<10} {t:>14.4f} {r:>13.4f} {t / r:>6.2f}x")


if __name__ == "__main__":
    main()
