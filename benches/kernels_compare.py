"""Times sslinv-kernels against PyTorch (CPU, 2 threads) on the same ResNet-sized workloads.

Run from the repository root:  python3 benches/kernels_compare.py [rounds]
It alternates the Rust timing example (`cargo run --release -p sslinv-kernels --example
kernel_timing`) with the PyTorch equivalents, `rounds` times (default 2), and prints medians and
ratios (PyTorch ms / ours ms: above 1 means faster than PyTorch).
"""

import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)
REPS = 3


def median_ms(fn):
    fn()
    times = []
    for _ in range(REPS):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def torch_times():
    g = torch.Generator().manual_seed(0)
    rnd = lambda *s: (torch.rand(*s, generator=g) - 0.5)  # noqa: E731
    out = {}
    convs = [
        ("conv3x3_c64_32px_b64", (64, 64, 32, 32), (64, 64, 3, 3), 1, 1),
        ("conv3x3_c16_32px_b64", (64, 16, 32, 32), (16, 16, 3, 3), 1, 1),
        ("conv3x3_c64_56px_b16", (16, 64, 56, 56), (64, 64, 3, 3), 1, 1),
        ("conv1x1_c256_56px_b16", (16, 256, 56, 56), (64, 256, 1, 1), 1, 0),
    ]
    for name, xs, ws, s, p in convs:
        x, w = rnd(*xs).requires_grad_(), rnd(*ws).requires_grad_()
        with torch.no_grad():
            out[name + "_fwd"] = median_ms(lambda: F.conv2d(x, w, stride=s, padding=p))
        out[name + "_fwdbwd"] = median_ms(lambda: F.conv2d(x, w, stride=s, padding=p).sum().backward())
    x = rnd(64, 64, 32, 32).requires_grad_()
    gam, bet = (rnd(64) + 1).requires_grad_(), rnd(64).requires_grad_()
    rm, rv = torch.zeros(64), torch.ones(64)
    out["bn_relu_train_c64_32px_b64_fwdbwd"] = median_ms(
        lambda: F.relu(F.batch_norm(x, rm, rv, gam, bet, training=True)).sum().backward()
    )
    xp = rnd(16, 64, 112, 112).requires_grad_()
    out["maxpool3s2_c64_112px_b16_fwdbwd"] = median_ms(lambda: F.max_pool2d(xp, 3, 2, 1).sum().backward())
    a, c = rnd(64, 64, 32, 32), rnd(64, 64, 32, 32)
    out["add_relu_c64_32px_b64_fwd"] = median_ms(lambda: F.relu(a + c))
    return out


def rust_times():
    cmd = ["cargo", "run", "--quiet", "--release", "-p", "sslinv-kernels", "--example", "kernel_timing", str(REPS)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    rows = {}
    for line in res.stdout.splitlines():
        name, fast, ref, gflops = line.split()
        rows[name] = (float(fast), float(ref), float(gflops))
    return rows


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    ours, cand, gfl, pt = {}, {}, {}, {}
    for _ in range(rounds):
        for k, (f, r, gf) in rust_times().items():
            ours.setdefault(k, []).append(f)
            cand.setdefault(k, []).append(r)
            gfl.setdefault(k, []).append(gf)
        for k, v in torch_times().items():
            pt.setdefault(k, []).append(v)
    med = statistics.median
    print(f"| workload | ours ms | candle ms | PyTorch ms | vs candle | vs PyTorch | GFLOP/s |")
    print("|---|---|---|---|---|---|---|")
    for k in ours:
        o, c, p = med(ours[k]), med(cand[k]), med(pt[k])
        gf = med(gfl[k])
        print(f"| {k} | {o:.1f} | {c:.1f} | {p:.1f} | {c / o:.2f}x | {p / o:.2f} | {gf:.0f} |" if gf else
              f"| {k} | {o:.1f} | {c:.1f} | {p:.1f} | {c / o:.2f}x | {p / o:.2f} | - |")


if __name__ == "__main__":
    main()
