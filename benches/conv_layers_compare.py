"""Per-convolution forward+backward time of a ResNet-18 training step: sslinv-kernels vs PyTorch.

Run from the repository root:  python3 benches/conv_layers_compare.py [--width 16] [--batch 64]
[--stem cifar] [--size 32] [--threads 2]

Times every distinct convolution of the network alone (input and weight both need gradients,
`conv(x, w).sum().backward()`), median of 21 calls after a warm-up: the Rust side is the
`resnet_layers` example (`cargo run --release -p sslinv-kernels --example resnet_layers`), the
PyTorch side `F.conv2d` on the same shapes, one after the other in this run. The ratio is
PyTorch ms / ours ms (above 1: we are faster). It shows which layer shapes a training step
loses on; the times do not add up to a step (no BatchNorm, the seeds' own costs included).
"""
import argparse
import os
import re
import statistics
import subprocess
import time

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--width", type=int, default=16)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--stem", choices=["cifar", "imagenet"], default="cifar")
ap.add_argument("--size", type=int, default=32)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()

LINE = re.compile(r"conv\s+(\d+)->\s*(\d+) k(\d+) s(\d+)\s+(\d+)px x(\d+):\s+([\d.]+) ms")


def rust_layers():
    """(cin, cout, kernel, stride, size, count, ms) per layer from the resnet_layers example."""
    cmd = ["cargo", "run", "--release", "-q", "-p", "sslinv-kernels", "--example", "resnet_layers",
           "--", str(args.width), args.stem, str(args.size), str(args.batch), "train"]
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    rows = []
    for m in LINE.finditer(out):
        *dims, ms = m.groups()
        rows.append((*map(int, dims), float(ms)))
    return rows


def torch_ms(cin, cout, k, s, hw):
    x = torch.randn(args.batch, cin, hw, hw).requires_grad_()
    w = (torch.randn(cout, cin, k, k) * 0.1).requires_grad_()

    def run():
        F.conv2d(x, w, stride=s, padding=k // 2).sum().backward()

    run()
    times = []
    for _ in range(21):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main():
    torch.set_num_threads(args.threads)
    ours = rust_layers()
    total_ours = total_theirs = 0.0
    print(f"ResNet-18 width {args.width}, {args.stem} stem, {args.size} px, batch {args.batch}, "
          f"{args.threads} threads, load average {os.getloadavg()[0]:.1f}")
    print("| conv | count | ours ms | PyTorch ms | PyTorch / ours |")
    print("|---|---|---|---|---|")
    for cin, cout, k, s, hw, count, ms in ours:
        theirs = torch_ms(cin, cout, k, s, hw)
        total_ours += count * ms
        total_theirs += count * theirs
        print(f"| {cin}->{cout} {k}x{k}/{s} at {hw} px | {count} | {ms:.2f} | {theirs:.2f} | "
              f"{theirs / ms:.2f}x |")
    print(f"| all, times count | | {total_ours:.1f} | {total_theirs:.1f} | "
          f"{total_theirs / total_ours:.2f}x |")


if __name__ == "__main__":
    main()
