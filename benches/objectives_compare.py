"""Images/s and peak memory of one MoCo v2 training step: sslinv (Rust, candle) vs PyTorch, on
this machine, same work: ResNet-18 at base width 32 (width_mult 0.5) with the CIFAR stem, 64 px
views, batch 32, MLP head D-D-128, queue 4096, temperature 0.2, shuffle-BN emulated with 2
sub-batches for queries and keys, SGD momentum 0.9 + weight decay 1e-4, key-encoder EMA 0.999,
enqueue. Augmentation is excluded on both sides (random tensors), so this times the step only.

Run from the repository root:  python3 benches/objectives_compare.py [--steps 6] [--threads 2]
It builds and runs `cargo run --release -p sslinv-objectives --example moco_step`, then the
PyTorch step in this process, and prints both and the ratio.
"""
import argparse
import json
import resource
import subprocess
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_resnet import ResNet18

ap = argparse.ArgumentParser()
ap.add_argument("--steps", type=int, default=6)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--size", type=int, default=64)
ap.add_argument("--width", type=int, default=32)
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
    queue = F.normalize(torch.randn(4096, 128), dim=1)
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
        ptr = (ptr + args.batch) % 4096
        times.append(time.perf_counter() - t0)
    per_step = sum(times[1:]) / steps  # the first step warms up allocators and kernels
    return args.batch / per_step


torch.set_num_threads(args.threads)
cmd = ["cargo", "run", "--release", "-q", "-p", "sslinv-objectives", "--example", "moco_step", "--",
       "--steps", str(args.steps), "--batch", str(args.batch), "--size", str(args.size), "--width", str(args.width)]
rust = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t_ips = torch_moco(args.steps)
t_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"MoCo v2 step, ResNet-18 width {args.width}, {args.size}px, batch {args.batch}, {args.threads} threads")
print(f"  sslinv : {rust['images_per_second']:.1f} img/s, peak RSS {rust['peak_rss_mib']:.0f} MiB")
print(f"  PyTorch: {t_ips:.1f} img/s, peak RSS {t_peak:.0f} MiB (process; {base:.0f} MiB before the step)")
print(f"  speed ratio sslinv / PyTorch: {rust['images_per_second'] / t_ips:.2f}x")
