"""Pretraining memory against dataset size: peak RSS of
`cargo xtask pretrain --dataset folder --root DIR --image-size 64 --batch-size 32 --max-steps 3`
over a folder of 3,000 and one of 12,000 JPEGs (256 x 256, quality 90, crops of scikit-learn's two
sample photos; the 3,000 are hard links to the first 3,000 of the 12,000).

Issue 14's target: the two peaks within 25 % of each other and both under 1.5 GB (before
streaming, pretraining decoded every image first: 1.1 GB for 3,000 images of 256 px).

Run from the repository root (needs numpy, pillow, scikit-learn):
    python3 benches/pretrain_rss.py [WORKDIR]
It builds the release xtask, writes the folders under WORKDIR (default: a temp folder, removed
after), and reads each run's peak RSS from wait4's rusage (ru_maxrss, KiB on Linux).
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

SIZES = (3000, 12000)
XTASK = os.path.join("target", "release", "xtask")


def make_folders(work):
    big = os.path.join(work, f"images{SIZES[1]}")
    small = os.path.join(work, f"images{SIZES[0]}")
    if os.path.isdir(small):
        return {SIZES[0]: small, SIZES[1]: big}
    rng = np.random.default_rng(0)
    photos = [load_sample_image("china.jpg"), load_sample_image("flower.jpg")]
    for i in range(SIZES[1]):
        p = photos[i % 2]
        y, x = rng.integers(0, p.shape[0] - 256), rng.integers(0, p.shape[1] - 256)
        rel = os.path.join(f"c{i % 10}", f"img_{i:05d}.JPEG")
        path = os.path.join(big, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray(p[y:y + 256, x:x + 256]).save(path, quality=90)
        if i < SIZES[0]:
            link = os.path.join(small, rel)
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.link(path, link)
    return {SIZES[0]: small, SIZES[1]: big}


def peak_rss(root, out):
    cmd = [XTASK, "pretrain", "--dataset", "folder", "--root", root, "--image-size", "64",
           "--batch-size", "32", "--max-steps", "3", "--out", out, "--quiet"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr}")
    return usage.ru_maxrss / 1024, time.perf_counter() - t, stdout.strip().splitlines()[-1]


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "xtask"], check=True)
    keep = len(sys.argv) > 1
    work = sys.argv[1] if keep else tempfile.mkdtemp(prefix="sslinv-rss-")
    try:
        folders = make_folders(work)
        rows = {}
        for n, root in folders.items():
            rows[n] = peak_rss(root, os.path.join(work, f"out{n}"))
    finally:
        if not keep:
            subprocess.run(["rm", "-rf", work], check=False)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| JPEGs | peak RSS (MiB) | seconds | last line |\n|---|---|---|---|")
    for n, (mib, secs, last) in rows.items():
        print(f"| {n} | {mib:.0f} | {secs:.1f} | `{last}` |")
    a, b = rows[SIZES[0]][0], rows[SIZES[1]][0]
    growth = b / a - 1
    ok = abs(growth) <= 0.25 and max(a, b) < 1536
    print(f"12,000 vs 3,000: {growth * 100:+.1f} % peak RSS; "
          f"{'meets' if ok else 'misses'} the target (within 25 %, under 1.5 GB)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
