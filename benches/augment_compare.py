"""Times torchvision-on-PIL for the ops of crates/augment/benches/ops.rs on the same
500x375 photo and prints the speed ratio (torchvision time / sslinv time).

Run from the repository root, on an otherwise idle machine:
    cargo bench -p sslinv-augment --bench ops      # writes target/criterion/augment/*
    python3 benches/augment_compare.py              # needs torch, torchvision, pillow
Ratios > 1 mean sslinv-augment is faster.
"""

import json
import os
import random
import sys
import time

import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PHOTO = os.path.join(ROOT, "crates", "augment", "benches", "photo_500x375.jpg")
CRITERION = os.path.join(ROOT, "target", "criterion", "augment")
NEAREST = InterpolationMode.NEAREST


def default_policy(size):
    """MoCo v2 aug-plus, as the paper (blur kernel ~10% of the size, as ours)."""
    k = int(round(size * 0.1)) | 1
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.2, 1.0)),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([T.GaussianBlur(k, sigma=(0.1, 2.0))], p=0.5),
        T.RandomHorizontalFlip(),
    ])


def cases(img):
    small = img.resize((64, 64), Image.BILINEAR)
    p224, p64 = default_policy(224), default_policy(64)
    return {
        "rotate": lambda: F.rotate(img, 30.0, interpolation=NEAREST),
        "affine": lambda: F.affine(img, 10.0, [5, -3], 1.2, [15.0, -5.0], interpolation=NEAREST),
        "resized_crop": lambda: F.resized_crop(img, 40, 60, 300, 280, [224, 224]),
        "resize": lambda: F.resize(img, 256),
        "center_crop": lambda: F.center_crop(img, 224),
        "hflip": lambda: F.hflip(img),
        "vflip": lambda: F.vflip(img),
        "grayscale": lambda: F.rgb_to_grayscale(img, 3),
        "brightness": lambda: F.adjust_brightness(img, 1.7),
        "contrast": lambda: F.adjust_contrast(img, 0.6),
        "saturation": lambda: F.adjust_saturation(img, 1.8),
        "hue": lambda: F.adjust_hue(img, 0.2),
        "blur": lambda: F.gaussian_blur(img, [23, 23], [2.0, 2.0]),
        "sharpness": lambda: F.adjust_sharpness(img, 3.0),
        "invert": lambda: F.invert(img),
        "equalize": lambda: F.equalize(img),
        "posterize": lambda: F.posterize(img, 3),
        "preprocess_256_224": lambda: F.center_crop(F.resize(img, 256), 224),
        "policy_default_224": lambda: p224(img),
        "policy_default_64": lambda: p64(small),
    }


def seconds(fn, budget=0.8):
    """Mean seconds per call over about `budget` seconds, after a warm-up."""
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget or n < 5:
        fn()
        n += 1
    return (time.perf_counter() - start) / n


def rust_seconds(name):
    path = os.path.join(CRITERION, name, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["mean"]["point_estimate"] / 1e9


def main():
    torch.set_num_threads(1)
    random.seed(0)
    torch.manual_seed(0)
    img = Image.open(PHOTO).convert("RGB")
    rows = []
    for name, fn in cases(img).items():
        py = seconds(fn)
        rs = rust_seconds(name)
        rows.append((name, py, rs))
    if all(r[2] is None for r in rows):
        sys.exit("no criterion results: run `cargo bench -p sslinv-augment --bench ops` first")
    print("| op | torchvision-on-PIL | sslinv | ratio |")
    print("|---|---|---|---|")
    for name, py, rs in rows:
        ratio = f"{py / rs:.2f}x" if rs else "-"
        rs_txt = f"{rs * 1e3:.3f} ms" if rs else "-"
        print(f"| {name} | {py * 1e3:.3f} ms | {rs_txt} | {ratio} |")


if __name__ == "__main__":
    main()
