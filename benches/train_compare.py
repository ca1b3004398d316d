"""ResNet-18 SGD training step: sslinv (Rust, sslinv-kernels ops) vs PyTorch CPU, same machine.

Run from the repository root:  python3 benches/train_compare.py [--rounds 3] [--steps 5]

Workloads are issue 7's: ResNet-18 at 32 px, batch 64, base width 16 with the CIFAR stem and
base width 64 with the ImageNet stem. One step is forward in train mode, mean-square loss on the
pooled features, backward and a plain SGD update, on random input. Rust and PyTorch runs
alternate `rounds` times; each reports the median step over `steps` (after one warm-up step) and
the table quotes the median over rounds and the ratio (ours img/s / PyTorch img/s). Both sides
update the weights with plain SGD (lr 0.01): ours in place (`sslinv_kernels::sgd_update`).
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import torch
from torch_resnet import ResNet18

ap = argparse.ArgumentParser()
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()

WORKLOADS = [  # name, base width, stem, size, batch
    ("width16_cifar_32px_b64", 16, "cifar", 32, 64),
    ("width64_imagenet_32px_b64", 64, "imagenet", 32, 64),
]


def torch_step_seconds(width, stem, size, batch):
    torch.manual_seed(0)
    model = ResNet18(width, stem).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(batch, 3, size, size)
    times = []
    for step in range(args.steps + 1):
        t = time.perf_counter()
        loss = model(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step:
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def rust_step_seconds(width, stem, size, batch):
    cmd = ["cargo", "run", "--release", "-q", "-p", "sslinv-encoders", "--example", "train_step", "--",
           str(width / 64), stem, str(size), str(batch), str(args.steps)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds_per_step"]


def main():
    torch.set_num_threads(args.threads)
    ours, theirs = {}, {}
    for _ in range(args.rounds):
        for name, w, stem, size, batch in WORKLOADS:
            ours.setdefault(name, []).append(rust_step_seconds(w, stem, size, batch))
            theirs.setdefault(name, []).append(torch_step_seconds(w, stem, size, batch))
    print(f"median of {args.rounds} interleaved rounds x {args.steps} steps, {args.threads} threads, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"| workload | ours img/s | PyTorch img/s | ours / PyTorch |")
    print("|---|---|---|---|")
    for name, _, _, _, batch in WORKLOADS:
        o, p = statistics.median(ours[name]), statistics.median(theirs[name])
        print(f"| {name} | {batch / o:.0f} | {batch / p:.0f} | {p / o:.2f}x |")


if __name__ == "__main__":
    main()
