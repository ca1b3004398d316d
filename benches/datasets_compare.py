"""Loading speed of sslinv-datasets against the Python reference (torchvision's loaders on PIL), same
files, same machine, in one go.

1. ImageFolder: 256 JPEG crops (400 x 300, quality 90) of scikit-learn's two sample photos in 8 class
   folders. Python: torchvision's `default_loader` (PIL open + convert RGB) over the sorted files, the
   work of `ImageFolder.__getitem__` before transforms, sequentially (DataLoader num_workers=0) and with a
   process pool of os.cpu_count() workers. Rust: `open("imagenet", ...)` + `Dataset::images` (rayon).
2. CIFAR-10 python batches: a full-size `test_batch` (10000 images) in the real pickle format (protocol 2,
   Python 2 strings). Python:
   torchvision.datasets.CIFAR10's work (pickle.load, reshape/transpose, Image.fromarray per image).
   Rust: `open("cifar10", ..., Test)` + decoding every image.

Run from the repository root (needs numpy, pillow, scikit-learn, torchvision):
    python3 benches/datasets_compare.py
It builds `cargo run --release -p sslinv-datasets --example open_dataset` and prints the ratios.
"""
import json
import os
import pickle
import struct
import subprocess
import tempfile
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image
from torchvision.datasets.folder import default_loader


def rust(name, root, split):
    out = subprocess.run(
        ["cargo", "run", "--release", "-q", "-p", "sslinv-datasets", "--example", "open_dataset", "--", name, root, split],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def best_of(f, reps=3):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def decode(path):
    img = default_loader(path)
    img.load()
    return img.size


def make_folder(root):
    rng = np.random.default_rng(0)
    photos = [load_sample_image("china.jpg"), load_sample_image("flower.jpg")]
    val = os.path.join(root, "val")
    paths = []
    for i in range(256):
        p = photos[i % 2]
        y, x = rng.integers(0, p.shape[0] - 300), rng.integers(0, p.shape[1] - 400)
        d = os.path.join(val, f"n{i % 8:08d}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f"ILSVRC2012_val_{i:08d}.JPEG")
        Image.fromarray(p[y:y + 300, x:x + 400]).save(path, quality=90)
        paths.append(path)
    return sorted(paths)


class Py2Pickler(pickle._Pickler):
    # The real batches were pickled by Python 2: bytes are BINSTRING, not _codecs.encode(str).
    def save_bytes(self, obj):
        n = len(obj)
        self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj if n < 256 else pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    dispatch = pickle._Pickler.dispatch.copy()
    dispatch[bytes] = save_bytes


def make_cifar(root):
    rng = np.random.default_rng(0)
    d = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(d)
    data = rng.integers(0, 256, size=(10000, 3072), dtype=np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, size=10000)]
    with open(os.path.join(d, "test_batch"), "wb") as f:
        Py2Pickler(f, protocol=2).dump({b"batch_label": b"testing batch 1 of 1", b"labels": labels, b"data": data})
    return os.path.join(d, "test_batch")


def torchvision_cifar(path):
    with open(path, "rb") as f:
        entry = pickle.load(f, encoding="latin1")
    data = np.vstack([entry["data"]]).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
    return [Image.fromarray(img) for img in data]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_folder(tmp)
        seq = best_of(lambda: [decode(p) for p in paths])
        with Pool(os.cpu_count()) as pool:
            pool.map(decode, paths[:8])
            par = best_of(lambda: pool.map(decode, paths, chunksize=8))
        r = min((rust("imagenet", tmp, "val") for _ in range(3)), key=lambda o: o["decode_s"])
        print(f"ImageFolder 256 JPEG 400x300: PIL sequential {len(paths) / seq:.0f} img/s, PIL pool({os.cpu_count()}) "
              f"{len(paths) / par:.0f} img/s, sslinv {r['images_per_s']:.0f} img/s "
              f"-> {seq / r['decode_s']:.2f}x vs sequential, {par / r['decode_s']:.2f}x vs pool")
        cifar = make_cifar(tmp)
        py = best_of(lambda: torchvision_cifar(cifar))
        r = min((rust("cifar10", tmp, "test") for _ in range(3)), key=lambda o: o["open_s"] + o["decode_s"])
        total = r["open_s"] + r["decode_s"]
        print(f"CIFAR-10 test_batch (10000): torchvision {py * 1000:.1f} ms, sslinv {total * 1000:.1f} ms "
              f"(open {r['open_s'] * 1000:.1f} + decode {r['decode_s'] * 1000:.1f}) -> {py / total:.2f}x")


if __name__ == "__main__":
    main()
