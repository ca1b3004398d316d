"""Pretraining data path speed: sslinv's streaming loader against torchvision's DataLoader with PIL,
same JPEG files, same machine, same number of threads, interleaved in one run.

Work per image: decode the JPEG, make two views with the Default policy (MoCo v2 aug-plus:
RandomResizedCrop(224, scale=(0.2, 1)), RandomApply([ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
RandomGrayscale(0.2), RandomApply([GaussianBlur(23, sigma=(0.1, 2))], p=0.5), RandomHorizontalFlip),
ToTensor + Normalize, batches of 32, one shuffled epoch over 256 JPEGs of 500 x 375 (about
ImageNet's mean size; quality 90 crops of scikit-learn's two sample photos).

- sslinv: `cargo run --release -p sslinv-datasets --example stream_views -- DIR 2 224 32 1`
  (`Loader` with 2 threads, queue depth 2, `ViewPairs` item + collate).
- torchvision: `DataLoader(num_workers=2, batch_size=32, shuffle=True, drop_last=True)` over a
  dataset that opens each file with PIL as torchvision's `default_loader` does and applies the
  transform twice (MoCo's `TwoCropsTransform`). Two blur variants: torchvision's
  `T.GaussianBlur(23)` (the op our policy reproduces) and MoCo v2's own code, PIL
  `ImageFilter.GaussianBlur(radius=sigma)` (cheaper, not the same op).

Run from the repository root (needs numpy, pillow, scikit-learn, torch, torchvision):
    python3 benches/data_compare.py [ROUNDS]
Ratios > 1 mean sslinv is faster; each side's best round is compared.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image, ImageFilter
from sklearn.datasets import load_sample_image
from torch.utils.data import DataLoader, Dataset

N, BATCH, THREADS, SIZE = 256, 32, 2, 224
EXAMPLE = os.path.join("target", "release", "examples", "stream_views")


def make_folder(root):
    rng = np.random.default_rng(0)
    photos = [load_sample_image("china.jpg"), load_sample_image("flower.jpg")]
    paths = []
    for i in range(N):
        p = photos[i % 2]
        y, x = rng.integers(0, p.shape[0] - 375), rng.integers(0, p.shape[1] - 500)
        path = os.path.join(root, f"n{i % 8:08d}", f"img_{i:05d}.JPEG")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray(p[y:y + 375, x:x + 500]).save(path, quality=90)
        paths.append(path)
    return sorted(paths)


class PilBlur:
    """MoCo v2's GaussianBlur: PIL's filter with radius = sigma ~ U(0.1, 2)."""

    def __call__(self, img):
        return img.filter(ImageFilter.GaussianBlur(radius=random.uniform(0.1, 2.0)))


def policy(blur):
    return T.Compose([
        T.RandomResizedCrop(SIZE, scale=(0.2, 1.0)),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([blur], p=0.5),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])


class TwoViews(Dataset):
    def __init__(self, paths, transform):
        self.paths, self.transform = paths, transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with open(self.paths[i], "rb") as f:  # torchvision's pil_loader
            img = Image.open(f).convert("RGB")
        return self.transform(img), self.transform(img)


def torch_epoch(paths, blur):
    loader = DataLoader(TwoViews(paths, policy(blur)), batch_size=BATCH, shuffle=True,
                        num_workers=THREADS, drop_last=True)
    t = time.perf_counter()
    n = sum(a.shape[0] for a, _ in loader)
    return n / (time.perf_counter() - t)


def rust_epoch(root):
    out = subprocess.run([EXAMPLE, root, str(THREADS), str(SIZE), str(BATCH), "1"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["images_per_s"]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "sslinv-datasets", "--example",
                    "stream_views"], check=True)
    torch.set_num_threads(1)
    sides = {
        "sslinv Loader (2 threads)": None,
        "torchvision DataLoader, T.GaussianBlur(23)": T.GaussianBlur(23, sigma=(0.1, 2.0)),
        "torchvision DataLoader, MoCo's PIL blur": PilBlur(),
    }
    with tempfile.TemporaryDirectory() as root:
        paths = make_folder(root)
        rates = {k: [] for k in sides}
        for _ in range(rounds):
            for name, blur in sides.items():
                rates[name].append(rust_epoch(root) if blur is None else torch_epoch(paths, blur))
    load = os.getloadavg()
    print(f"{N} JPEGs 500x375, two {SIZE} px Default-policy views each, batch {BATCH}, "
          f"{THREADS} threads, {rounds} interleaved rounds, load average {load[0]:.2f}")
    ours = max(rates["sslinv Loader (2 threads)"])
    print(f"| loader | images/s (best) | rounds | ratio sslinv / it |\n|---|---|---|---|")
    for name, r in rates.items():
        rs = ", ".join(f"{x:.1f}" for x in r)
        print(f"| {name} | {max(r):.1f} | {rs} | {ours / max(r):.2f}x |")


if __name__ == "__main__":
    main()
