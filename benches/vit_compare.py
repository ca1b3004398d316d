"""Same-run speed and memory comparison: sslinv ViT feature extraction vs timm on PyTorch CPU.

Run from the repository root:

    python3 benches/vit_compare.py [--batch 16] [--reps 3] [--rounds 3] [--mem-batch 64]

For ViT-S/16 and ViT-B/16 at 224x224 (random weights and input, pooled pre-logits features,
best of --reps after a warm-up) it alternates, --rounds times, a run of the release build of
`crates/encoders/examples/extract.rs` (spec `random:ARCH:seed=0`) and a run of `timm.create_model(arch,
num_classes=0)` under torch.no_grad, each in its own process with 2 threads, and prints
seconds per image and the ratio (PyTorch time / sslinv time: > 1 means sslinv is faster).
Then one forward pass at --mem-batch images per process gives each side's peak resident
memory (whole process: weights, activations, runtime).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

TORCH_SNIPPET = r"""
import json, resource, sys, torch, timm
sys.path.insert(0, sys.argv[4])
from torch_forward import best_forward_seconds
torch.set_num_threads(2)
arch, batch, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
model = timm.create_model(arch, pretrained=False, num_classes=0).eval()
x = torch.randn(batch, 3, 224, 224)
best = best_forward_seconds(model, x, reps)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds_per_image": best / batch, "peak_rss_mib": peak}))
"""


def run_json(cmd, env):
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{run.stderr}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def ours(arch, batch, reps):
    env = dict(os.environ, RAYON_NUM_THREADS="2")
    exe = "target/release/examples/extract"
    return run_json([exe, f"random:{arch}:seed=0", str(batch), str(reps)], env)


def theirs(arch, batch, reps):
    env = dict(os.environ, OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    benches = os.path.dirname(os.path.abspath(__file__))
    snippet = [sys.executable, "-c", TORCH_SNIPPET, arch, str(batch), str(reps), benches]
    return run_json(snippet, env)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--mem-batch", type=int, default=64)
    p.add_argument("--models", default="vit_small_patch16_224,vit_base_patch16_224")
    a = p.parse_args()
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "sslinv-encoders", "--example", "extract"],
        check=True,
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'model':<24} {'round':>5} {'pytorch s/img':>14} {'sslinv s/img':>13} {'ratio':>7}")
    for arch in a.models.split(","):
        ratios = []
        for r in range(a.rounds):
            o = ours(arch, a.batch, a.reps)["seconds_per_image"]
            t = theirs(arch, a.batch, a.reps)["seconds_per_image"]
            ratios.append(t / o)
            print(f"{arch:<24} {r:>5} {t:>14.4f} {o:>13.4f} {t / o:>6.2f}x")
        print(f"{arch:<24} median ratio {statistics.median(ratios):.2f}x")
    print(f"\npeak resident memory, one forward pass of {a.mem_batch} images:")
    for arch in a.models.split(","):
        o = ours(arch, a.mem_batch, 1)
        t = theirs(arch, a.mem_batch, 1)
        print(
            f"{arch:<24} sslinv {o['peak_rss_mib']:.0f} MiB ({o['seconds_per_image']:.4f} s/img)"
            f"  pytorch {t['peak_rss_mib']:.0f} MiB ({t['seconds_per_image']:.4f} s/img)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
