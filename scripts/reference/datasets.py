"""Fixture and split writer for the sslinv-datasets loaders.

Run from the repository root:  python3 scripts/reference/datasets.py
Deterministic and re-runnable. It writes
  crates/datasets/data/splits/lsp_2000.txt   the paper's LSP permutation (np.random.seed(0); shuffle(arange(2000)))
  crates/datasets/data/splits/300w_600.txt   the paper's 300W permutation (same recipe over the 600 indoor+outdoor images)
  crates/datasets/tests/fixtures/...         tiny files in the real binary formats the loaders read:
      cifar-10-batches-py/{data_batch_1..5,test_batch}  python pickles (protocol 2, numpy uint8 rows); the
          training batches with Python 2 strings (as the real files), test_batch as Python 3 writes bytes
      flowers/imagelabels.mat (uncompressed MAT v5), flowers/setid.mat (compressed MAT v5)
      lsp/joints.mat (3 x 14 x 5)
      causal3dident/trainset/latents_{0..6}.npy (2 x 10 float64 each)
      cifar10-parquet/plain_text/{train,test}-00000-of-00001.parquet  the Hub's schema (img {bytes, path}, label),
          snappy, written with pyarrow (optional: skipped when pyarrow is not installed)
      flickr1024-parquet/data/{train,validation}-00000-of-00001.parquet  the schema of ernestchu/flickr1024
          (left_image, right_image: `datasets` Image() cells), written by `datasets` itself (Dataset.to_parquet,
          as push_to_hub writes shards); 2 + 1 pairs of 4x4 PNGs whose red channel is 10,11 / 12,13 / 20,21
          (optional: skipped when `datasets` is not installed)
      300w/{01_Indoor,02_Outdoor}/*.{png,pts} + expected.json  two faces cut from scikit-learn's flower.jpg and
          what torchvision's crop on PIL gives for them under the paper's 300W convention (needs torchvision)
The images that go with the other files are written by the Rust tests into temporary folders.
"""
import os
import pickle
import struct

import numpy as np
import scipy.io

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPLITS = os.path.join(ROOT, "crates/datasets/data/splits")
FIX = os.path.join(ROOT, "crates/datasets/tests/fixtures")


def paper_permutation(n):
    # The paper's generate_dataset_splits: np.random.seed(0); np.random.shuffle(np.arange(n)).
    np.random.seed(0)
    idx = np.arange(n)
    np.random.shuffle(idx)
    return idx


def write_perm(name, n):
    os.makedirs(SPLITS, exist_ok=True)
    with open(os.path.join(SPLITS, name), "w") as f:
        f.write("\n".join(str(int(i)) for i in paper_permutation(n)) + "\n")


class Py2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 `str` (BINSTRING), as the original CIFAR-10 batches were pickled."""

    def save_bytes(self, obj):
        n = len(obj)
        if n < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    dispatch = pickle._Pickler.dispatch.copy()
    dispatch[bytes] = save_bytes


def dump_py2(obj, f):
    Py2Pickler(f, protocol=2).dump(obj)


def cifar_pixel(i, c, y, x, batch):
    return (i * 37 + c * 80 + y * 7 + x * 3 + batch * 11) % 256


def write_cifar():
    d = os.path.join(FIX, "cifar-10-batches-py")
    os.makedirs(d, exist_ok=True)
    names = [f"data_batch_{b}" for b in range(1, 6)] + ["test_batch"]
    for b, name in enumerate(names):
        n = 2
        data = np.zeros((n, 3072), dtype=np.uint8)
        for i in range(n):
            for c in range(3):
                for y in range(32):
                    for x in range(32):
                        data[i, c * 1024 + y * 32 + x] = cifar_pixel(i, c, y, x, b)
        labels = [(b * 2 + i) % 10 for i in range(n)]
        obj = {b"batch_label": name.encode(), b"labels": labels, b"data": data,
               b"filenames": [f"{name}_{i}.png".encode() for i in range(n)]}
        with open(os.path.join(d, name), "wb") as f:
            # The training batches as Python 2 wrote them; test_batch as Python 3 does (bytes via _codecs.encode).
            if name == "test_batch":
                pickle.dump(obj, f, protocol=2)
            else:
                dump_py2(obj, f)


def savemat(path, variables, **kw):
    # scipy stamps the creation time into the 116-byte text header: fix it so re-runs are byte-identical.
    scipy.io.savemat(path, variables, **kw)
    with open(path, "r+b") as f:
        f.write(b"MATLAB 5.0 MAT-file, written by scripts/reference/datasets.py".ljust(116, b" "))


def write_flowers():
    d = os.path.join(FIX, "flowers")
    os.makedirs(d, exist_ok=True)
    # six images, labels 1-based as the original file.
    savemat(os.path.join(d, "imagelabels.mat"), {"labels": np.array([[3, 1, 2, 3, 1, 102]], dtype=np.float64)})
    savemat(os.path.join(d, "setid.mat"), {
        "trnid": np.array([[1, 2]], dtype=np.float64),
        "valid": np.array([[3, 4]], dtype=np.float64),
        "tstid": np.array([[6, 5]], dtype=np.float64),
    }, do_compression=True)


def write_lsp():
    d = os.path.join(FIX, "lsp")
    os.makedirs(d, exist_ok=True)
    j = np.zeros((3, 14, 5), dtype=np.float64)
    for i in range(5):
        for k in range(14):
            j[0, k, i] = 10 + k * 2 + i + 0.5
            j[1, k, i] = 5 + k + i * 3 + 0.25
            j[2, k, i] = (k + i) % 2
    savemat(os.path.join(d, "joints.mat"), {"joints": j})


def write_causal3dident():
    d = os.path.join(FIX, "causal3dident/trainset")
    os.makedirs(d, exist_ok=True)
    for c in range(7):
        lat = np.array([[c + r * 0.5 + k * 0.01 for k in range(10)] for r in range(2)], dtype=np.float64)
        np.save(os.path.join(d, f"latents_{c}.npy"), lat)


def write_cifar_parquet():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("pyarrow not installed: skipping the parquet fixture")
        return
    import io
    from PIL import Image

    d = os.path.join(FIX, "cifar10-parquet/plain_text")
    os.makedirs(d, exist_ok=True)
    for split, n, batch in [("train", 3, 0), ("test", 2, 5)]:
        imgs, labels = [], []
        for i in range(n):
            a = np.zeros((32, 32, 3), dtype=np.uint8)
            for c in range(3):
                for y in range(32):
                    for x in range(32):
                        a[y, x, c] = cifar_pixel(i, c, y, x, batch)
            buf = io.BytesIO()
            Image.fromarray(a).save(buf, format="PNG")
            imgs.append({"bytes": buf.getvalue(), "path": None})
            labels.append((batch * 2 + i) % 10)
        table = pa.table({
            "img": pa.array(imgs, type=pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
            "label": pa.array(labels, type=pa.int64()),
        })
        pq.write_table(table, os.path.join(d, f"{split}-00000-of-00001.parquet"), compression="snappy")


def write_300w_parity():
    """Two 300W-style faces and what torchvision on PIL makes of them with the paper's convention.

    The crop is torchvision.transforms.functional.crop on the PIL image with the float landmark-box
    corner, side max(ceil(w), ceil(h)); the points follow the paper's formula for resize(224) +
    centre-crop(224) of that crop.
    """
    import json

    import torchvision.transforms.functional as FT
    from PIL import Image
    from sklearn.datasets import load_sample_image

    d = os.path.join(FIX, "300w")
    photo = load_sample_image("flower.jpg")
    faces = [("01_Indoor/indoor_001", photo[100:148, 200:264], (7.5, 4.5), (30.25, 21.0)),
             ("02_Outdoor/outdoor_001", photo[250:290, 300:356], (-3.2, 10.6), (40.0, 36.4))]
    expected = {}
    for name, pixels, (x0, y0), (span_x, span_y) in faces:
        os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
        Image.fromarray(np.ascontiguousarray(pixels)).save(os.path.join(d, name + ".png"))
        pts = [(x0 + span_x * (k % 17) / 16.0, y0 + span_y * (k // 17) / 3.0) for k in range(68)]
        with open(os.path.join(d, name + ".pts"), "w") as f:
            f.write("version: 1\nn_points:  68\n{\n")
            f.writelines(f"{x:.3f} {y:.3f}\n" for x, y in pts)
            f.write("}\n")
        pts = [(float(f"{x:.3f}"), float(f"{y:.3f}")) for x, y in pts]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        x1, y1 = min(xs), min(ys)
        side = max(int(np.ceil(max(xs) - x1)), int(np.ceil(max(ys) - y1)))
        crop = np.asarray(FT.crop(Image.open(os.path.join(d, name + ".png")).convert("RGB"), top=y1, left=x1, height=side, width=side))
        # PIL rounds each box edge on its own, so a .5 corner can give a crop one pixel off square;
        # resize(224) + centre-crop(224) then maps a point p to ((p - corner) - (dim - min) / 2) / min * 224.
        h, w = crop.shape[:2]
        m = min(h, w)
        expected[name] = {
            "width": w,
            "height": h,
            "crop_sum": int(crop.astype(np.int64).sum()),
            "crop_corners": [crop[0, 0].tolist(), crop[-1, -1].tolist()],
            "targets": [v for x, y in pts for v in (((x - x1) - (w - m) / 2) / m * 224, ((y - y1) - (h - m) / 2) / m * 224)],
        }
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def write_flickr1024_parquet():
    import sys

    # This script is itself named datasets.py: keep its folder off the path while importing the library.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path = [p for p in sys.path if os.path.abspath(p or ".") != here]
    try:
        import datasets
    except ImportError:
        print("datasets not installed: skipping the Flickr1024 parquet fixture")
        return
    import io
    from PIL import Image

    def png(tag):
        buf = io.BytesIO()
        Image.fromarray(np.full((4, 4, 3), [tag, 0, 0], dtype=np.uint8)).save(buf, format="PNG")
        return Image.open(io.BytesIO(buf.getvalue()))

    feats = datasets.Features({"left_image": datasets.Image(), "right_image": datasets.Image()})
    d = os.path.join(FIX, "flickr1024-parquet/data")
    os.makedirs(d, exist_ok=True)
    for split, tags in [("train", [10, 12]), ("validation", [20])]:
        ds = datasets.Dataset.from_dict(
            {"left_image": [png(t) for t in tags], "right_image": [png(t + 1) for t in tags]}, features=feats)
        ds.to_parquet(os.path.join(d, f"{split}-00000-of-00001.parquet"))


if __name__ == "__main__":
    write_perm("lsp_2000.txt", 2000)
    write_perm("300w_600.txt", 600)
    write_cifar()
    write_flowers()
    write_lsp()
    write_causal3dident()
    write_cifar_parquet()
    write_flickr1024_parquet()
    write_300w_parity()
    print("wrote", SPLITS, FIX)
