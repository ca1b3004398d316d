"""Images/s and peak memory of one MoCo v2 training step: sslinv (Rust, candle) vs PyTorch, on
this machine, same work. By default the old demo's shape (batch 64, queue 1024): ResNet-18 at base
width 16 (width_mult 0.25) with the CIFAR stem, 32 px views, batch 64, MLP head D-D-128, queue
1024, temperature 0.2, shuffle-BN emulated with 2 sub-batches for queries and keys, SGD momentum
0.9 + weight decay 1e-4, key-encoder EMA 0.999, enqueue. Augmentation is excluded on both sides
(random tensors), so this times the step only.

Run from the repository root:  python3 benches/objectives_compare.py [--rounds 3] [--steps 6]
(`--batch 16 --queue 128` is the current demo's shape, crates/study/presets/demo.toml;
`--width 32 --size 64 --batch 32 --queue 4096` the shape earlier sessions measured).
Each round runs `cargo run --release -p sslinv-objectives --example moco_step` and then the
PyTorch step in this process (fresh models, one warm-up step each); the table quotes the median
over rounds of each side's mean step, and the ratio of the medians.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_resnet import ResNet18

ap = argparse.ArgumentParser()
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--steps", type=int, default=6)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--size", type=int, default=32)
ap.add_argument("--width", type=int, default=16)
ap.add_argument("--queue", type=int, default=1024)
args = ap.parse_args()


def torch_moco(steps):
    torch.manual_seed(0)
    def net():
        b = ResNet18(args.width)
        return nn.Sequential(b, nn.Linear(b.dim, b.dim), nn.ReLU(), nn.Linear(b.dim, 128))
    q_enc, k_enc = net(), net()
    k_enc.load_state_dict(q_enc.state_dict())
    for p in k_enc.parameters():
        p.requires_grad = False
    queue = F.normalize(torch.randn(args.queue, 128), dim=1)
    ptr = 0
    opt = torch.optim.SGD(q_enc.parameters(), lr=0.03 * args.batch / 256, momentum=0.9, weight_decay=1e-4)
    x1 = torch.randn(args.batch, 3, args.size, args.size)
    x2 = torch.randn(args.batch, 3, args.size, args.size)
    def split(f, x):
        return torch.cat([f(c) for c in x.chunk(2)])
    times = []
    for _ in range(steps + 1):
        t0 = time.perf_counter()
        with torch.no_grad():
            for pk, pq in zip(k_enc.parameters(), q_enc.parameters()):
                pk.mul_(0.999).add_(pq.detach(), alpha=0.001)
        q = F.normalize(split(q_enc, x1), dim=1)
        with torch.no_grad():
            perm = torch.randperm(args.batch)
            k = split(k_enc, x2[perm])[torch.argsort(perm)]
            k = F.normalize(k, dim=1)
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()], 1) / 0.2
        loss = F.cross_entropy(logits, torch.zeros(args.batch, dtype=torch.long))
        opt.zero_grad()
        loss.backward()
        opt.step()
        queue[ptr:ptr + args.batch] = k
        ptr = (ptr + args.batch) % args.queue
        times.append(time.perf_counter() - t0)
    per_step = sum(times[1:]) / steps  # the first step warms up allocators and kernels
    return args.batch / per_step


def rust_moco():
    cmd = ["cargo", "run", "--release", "-q", "-p", "sslinv-objectives", "--example", "moco_step", "--",
           "--steps", str(args.steps), "--batch", str(args.batch), "--size", str(args.size),
           "--width", str(args.width), "--queue", str(args.queue)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    torch.set_num_threads(args.threads)
    rust_runs, torch_runs = [], []
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for _ in range(args.rounds):
        rust_runs.append(rust_moco())
        torch_runs.append(torch_moco(args.steps))
    t_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours = statistics.median(r["images_per_second"] for r in rust_runs)
    theirs = statistics.median(torch_runs)
    rss = statistics.median(r["peak_rss_mib"] for r in rust_runs)
    print(f"MoCo v2 step, ResNet-18 width {args.width}, {args.size}px, batch {args.batch}, queue {args.queue}, "
          f"{args.threads} threads, median of {args.rounds} interleaved rounds x {args.steps} steps, "
          f"load average {os.getloadavg()[0]:.1f}")
    rounds = ", ".join(f"{r['images_per_second']:.0f}" for r in rust_runs)
    print(f"  sslinv : {ours:.1f} img/s (rounds: {rounds}), "
          f"peak RSS {rss:.0f} MiB")
    rounds = ", ".join(f"{t:.0f}" for t in torch_runs)
    print(f"  PyTorch: {theirs:.1f} img/s (rounds: {rounds}), "
          f"peak RSS {t_peak:.0f} MiB (process; {base:.0f} MiB before the steps)")
    print(f"  speed ratio sslinv / PyTorch: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
