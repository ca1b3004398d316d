"""Speed and accuracy of the heads crate's logistic-regression probe against scikit-learn.

The paper's protocol: lambda in logspace(-6, 5, 45), C = 1/lambda, 5 shuffled folds, each fold
one LogisticRegression(lbfgs, max_iter=100, warm_start=True) walked along the grid, best mean
CV accuracy refit on all training rows, test accuracy. Same data (Gaussian class clusters,
6000 train + 1000 test rows, 512 features, 10 classes), same machine, one run each.

Run from the repository root:  python3 benches/heads_compare.py [--quick]
(--quick uses 2000 training rows; builds and runs the crate's example `probe_safetensors`.)
"""

import json
import subprocess
import sys
import tempfile
import time

import numpy as np
from safetensors.numpy import save_file
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold


def clusters(n, d, k, rng):
    means = rng.normal(0, 0.15, size=(k, d))
    y = np.arange(n) % k
    x = means[y] + rng.normal(size=(n, d))
    return x.astype(np.float32), y.astype(np.int64)


def sklearn_protocol(xtr, ytr, xte, yte):
    grid = np.logspace(-6, 5, 45)
    scores = np.zeros(len(grid))
    for fit, val in KFold(5, shuffle=True, random_state=0).split(xtr):
        clf = LogisticRegression(max_iter=100, warm_start=True)
        for i in np.argsort(-grid):  # strongest penalty first, as the crate walks the path
            clf.C = 1.0 / grid[i]
            clf.fit(xtr[fit], ytr[fit])
            scores[i] += clf.score(xtr[val], ytr[val]) / 5
    best = int(np.argmax(scores))
    clf = LogisticRegression(C=1.0 / grid[best], max_iter=100).fit(xtr, ytr)
    return clf.score(xte, yte), grid[best]


def main():
    quick = "--quick" in sys.argv
    n_train = 2000 if quick else 6000
    rng = np.random.default_rng(0)
    x, y = clusters(n_train + 1000, 512, 10, rng)
    xtr, ytr, xte, yte = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    with tempfile.TemporaryDirectory() as tmp:
        save_file({"features": xtr, "labels": ytr}, f"{tmp}/train.safetensors")
        save_file({"features": xte, "labels": yte}, f"{tmp}/test.safetensors")
        cmd = ["cargo", "run", "-q", "-p", "sslinv-heads", "--example", "probe_safetensors", "--"]
        subprocess.run(cmd + ["--help"], capture_output=True)  # build outside the timing
        t0 = time.perf_counter()
        out = subprocess.run(cmd + [f"{tmp}/train.safetensors", f"{tmp}/test.safetensors"],
                             capture_output=True, text=True, check=True).stdout
        t_rust = time.perf_counter() - t0
    rust = json.loads(out.strip().splitlines()[-1])
    t0 = time.perf_counter()
    sk_acc, sk_lambda = sklearn_protocol(xtr.astype(np.float64), ytr, xte.astype(np.float64), yte)
    t_sk = time.perf_counter() - t0
    print(f"data: {n_train} train x 512, 10 classes, 45 lambdas x 5 folds")
    print(f"sslinv-heads: {t_rust:8.2f} s  test accuracy {rust['test_score']:.4f}  lambda {rust['lambda']:.3g}")
    print(f"scikit-learn: {t_sk:8.2f} s  test accuracy {sk_acc:.4f}  lambda {sk_lambda:.3g}")
    print(f"speed-up: {t_sk / t_rust:.1f}x  accuracy difference: {100 * (rust['test_score'] - sk_acc):+.2f} points")


if __name__ == "__main__":
    main()
