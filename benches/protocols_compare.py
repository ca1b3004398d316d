"""Speed and agreement of the heads crate's kNN and RankMe against their Python counterparts.

- kNN: a PyTorch CPU implementation of DINO's `knn_classifier` (eval_knn.py: L2-normalised
  features, test rows in 100 chunks, one matrix product per chunk against the transposed
  training features, `topk`, a one-hot scatter of the neighbours' labels weighted by
  exp(similarity / T), classes sorted by total) on 2 threads, against
  `cargo xtask probe --task knn` on the same features. DINO calls `knn_classifier` once per k,
  so "all four k" times four PyTorch calls against one of ours with `--k 10,20,100,200`.
  On a CPU with AMX-BF16 ours screens with bf16 tile products and rescoring in f32 (same
  neighbours); "ours f32" is the same command with SSLINV_NO_AMX=1, the search every CPU runs.
- RankMe: `cargo xtask rankme` against NumPy (float64 `numpy.linalg.svd` of the same matrix,
  p = s / sum(s) + 1e-7); the relative difference of the two values is printed.

Data: 50,000 x 2,048 training and 10,000 x 2,048 test rows of ReLU'd Gaussian class clusters
(100 classes, seeded), float32; the runs alternate ours / theirs, `--repeat` times each.
Timings are the compute inside each program (ours: `seconds` of the result JSON, which excludes
reading the file), plus our whole command's wall time.

Run from the repository root: python3 benches/protocols_compare.py [--quick] [--repeat N]
(--quick: 10,000 x 512 training rows, 2,000 queries; builds xtask in release first.)
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from safetensors.numpy import save_file

T = 0.07


def clusters(n, means, rng):
    k, d = means.shape
    y = rng.integers(0, k, size=n)
    x = means[y] + rng.normal(0.0, 1.0, size=(n, d)).astype(np.float32)
    return np.maximum(x, 0.0, out=x), y.astype(np.int64)


@torch.no_grad()
def dino_knn(train, train_y, test, test_y, k, t, num_classes):
    """DINO's weighted kNN as eval_knn.py computes it, in PyTorch (written from its formula)."""
    train = torch.nn.functional.normalize(train, dim=1, p=2).t()
    test = torch.nn.functional.normalize(test, dim=1, p=2)
    n_test = test_y.shape[0]
    step = max(n_test // 100, 1)
    hits1 = hits5 = 0
    onehot = torch.zeros(step * k, num_classes)
    for lo in range(0, n_test, step):
        q = test[lo : lo + step]
        truth = test_y[lo : lo + step]
        b = truth.shape[0]
        sims, idx = torch.mm(q, train).topk(k, largest=True, sorted=True)
        neighbour_labels = torch.gather(train_y.view(1, -1).expand(b, -1), 1, idx)
        onehot.resize_(b * k, num_classes).zero_()
        onehot.scatter_(1, neighbour_labels.view(-1, 1), 1)
        weights = sims.div(t).exp()
        totals = (onehot.view(b, k, num_classes) * weights.view(b, k, 1)).sum(1)
        _, ranked = totals.sort(1, True)
        right = ranked.eq(truth.view(-1, 1))
        hits1 += right[:, :1].sum().item()
        hits5 += right[:, : min(5, k)].sum().item()
    return hits1 / n_test, hits5 / n_test


def numpy_rankme(x):
    s = np.linalg.svd(x.astype(np.float64), compute_uv=False)
    p = s / s.sum() + 1e-7
    return float(np.exp(-(p * np.log(p)).sum()))


def xtask(args, env=None):
    t0 = time.perf_counter()
    out = subprocess.run(
        ["target/release/xtask", *args], capture_output=True, text=True, check=True,
        env=None if env is None else {**os.environ, **env},
    )
    return time.perf_counter() - t0, out.stdout


def main():
    quick = "--quick" in sys.argv
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 2
    n, m, d, classes = (10_000, 2_000, 512, 100) if quick else (50_000, 10_000, 2_048, 100)
    torch.set_num_threads(2)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "xtask"], check=True)
    rng = np.random.default_rng(0)
    means = rng.normal(0.0, 0.03, size=(classes, d)).astype(np.float32)
    xtr, ytr = clusters(n, means, rng)
    xte, yte = clusters(m, means, rng)
    print(f"data: {n} x {d} train, {m} test, {classes} classes; torch threads "
          f"{torch.get_num_threads()}; load average {os.getloadavg()[0]:.1f}")
    ttr, tytr, tte, tyte = map(torch.from_numpy, (xtr, ytr, xte, yte))
    with tempfile.TemporaryDirectory() as tmp:
        save_file({"features": xtr, "labels": ytr}, f"{tmp}/train.safetensors")
        save_file({"features": xte, "labels": yte}, f"{tmp}/test.safetensors")
        base = ["probe", "--task", "knn", "--train", f"{tmp}/train.safetensors",
                "--test", f"{tmp}/test.safetensors", "--temperature", str(T)]
        rows = {"ours k=20": [], "ours wall k=20": [], "ours f32 k=20": [], "torch k=20": [],
                "ours k=10,20,100,200": [], "torch 4 calls": []}
        for _ in range(repeat):
            wall, _ = xtask(base + ["--k", "20", "--out", f"{tmp}/knn.json"])
            ours = json.load(open(f"{tmp}/knn.json"))
            rows["ours k=20"].append(ours["seconds"])
            rows["ours wall k=20"].append(wall)
            xtask(base + ["--k", "20", "--out", f"{tmp}/knn_f32.json"], {"SSLINV_NO_AMX": "1"})
            f32 = json.load(open(f"{tmp}/knn_f32.json"))
            rows["ours f32 k=20"].append(f32["seconds"])
            t0 = time.perf_counter()
            top1, top5 = dino_knn(ttr, tytr, tte, tyte, 20, T, classes)
            rows["torch k=20"].append(time.perf_counter() - t0)
            xtask(base + ["--k", "10,20,100,200", "--out", f"{tmp}/knn4.json"])
            all_k = json.load(open(f"{tmp}/knn4.json"))
            rows["ours k=10,20,100,200"].append(all_k["seconds"])
            t0 = time.perf_counter()
            torch_all = [dino_knn(ttr, tytr, tte, tyte, k, T, classes) for k in (10, 20, 100, 200)]
            rows["torch 4 calls"].append(time.perf_counter() - t0)
        print(f"kNN top-1 at k=20: ours {ours['test_score']:.4f} (f32 search "
              f"{f32['test_score']:.4f}), PyTorch {top1:.4f}; "
              f"top-5 ours {ours['scores'][0]['top5']:.4f}, PyTorch {top5:.4f}")
        for s, (t1, t5) in zip(all_k["scores"], torch_all):
            print(f"  k={s['k']:3d}: top-1 ours {s['top1']:.4f} PyTorch {t1:.4f}; "
                  f"top-5 ours {s['top5']:.4f} PyTorch {t5:.4f}")
        for name, ts in rows.items():
            print(f"{name:22s} " + "  ".join(f"{t:7.2f} s" for t in ts))
        print(f"kNN speed-up k=20: {min(rows['torch k=20']) / min(rows['ours k=20']):.2f}x "
              f"(wall {min(rows['torch k=20']) / min(rows['ours wall k=20']):.2f}x, f32 search "
              f"{min(rows['torch k=20']) / min(rows['ours f32 k=20']):.2f}x); "
              f"four k: {min(rows['torch 4 calls']) / min(rows['ours k=10,20,100,200']):.2f}x")

        ours_rm, numpy_t = [], []
        for _ in range(repeat):
            wall, _ = xtask(["rankme", "--features", f"{tmp}/train.safetensors",
                             "--out", f"{tmp}/rankme.json"])
            r = json.load(open(f"{tmp}/rankme.json"))
            ours_rm.append((r["seconds"], wall))
            t0 = time.perf_counter()
            ref = numpy_rankme(xtr)
            numpy_t.append(time.perf_counter() - t0)
        rel = abs(r["rankme"] - ref) / ref
        print(f"RankMe ours {r['rankme']:.6f}, NumPy SVD {ref:.6f}, relative difference {rel:.2e}")
        print("RankMe ours " + "  ".join(f"{s:.2f} s (wall {w:.2f} s)" for s, w in ours_rm)
              + "; NumPy " + "  ".join(f"{t:.2f} s" for t in numpy_t))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
