"""Reference outputs of torchvision.transforms.functional on PIL images for sslinv-augment.

Writes small real-photo crops (scikit-learn's sample images) and, for each op in CASES,
the torchvision-on-PIL result as PNG, plus manifest.json, under
crates/augment/tests/fixtures/. The Rust tests (crates/augment/tests/parity.rs) compare
against these files, so CI needs no Python.

Run from the repository root (needs torch, torchvision, pillow, scikit-learn):
    python3 scripts/reference/augment.py
Deterministic: re-running rewrites identical files.
"""

import json
import os

import numpy as np
import torchvision.transforms.functional as F
from PIL import Image
from sklearn.datasets import load_sample_image
from torchvision.transforms import InterpolationMode

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "augment", "tests", "fixtures")

# (name, sample image, crop box on the 640x427 photo, size of the fixture)
INPUTS = [
    ("china", "china.jpg", (150, 60, 470, 300), (128, 96)),
    ("flower", "flower.jpg", (120, 40, 520, 340), (96, 72)),
]

NEAREST = InterpolationMode.NEAREST


def affine(img, angle, tx, ty, scale, shx, shy):
    return F.affine(img, angle=angle, translate=[tx, ty], scale=scale, shear=[shx, shy],
                    interpolation=NEAREST)


def resized_crop(img, top, left, height, width, size):
    return F.resized_crop(img, int(top), int(left), int(height), int(width), [int(size), int(size)])


# (op, params, kind): kind "exact" = nearest-neighbour geometry, "color" = colour/resampling.
OPS = {
    "resize": (lambda im, s: F.resize(im, int(s)), "color"),
    "resized_crop": (resized_crop, "color"),
    "center_crop": (lambda im, s: F.center_crop(im, int(s)), "exact"),
    "hflip": (F.hflip, "exact"),
    "vflip": (F.vflip, "exact"),
    "rotate": (lambda im, a: F.rotate(im, a, interpolation=NEAREST), "exact"),
    "affine": (affine, "exact"),
    "grayscale": (lambda im: F.rgb_to_grayscale(im, num_output_channels=3), "color"),
    "brightness": (F.adjust_brightness, "color"),
    "contrast": (F.adjust_contrast, "color"),
    "saturation": (F.adjust_saturation, "color"),
    "hue": (F.adjust_hue, "color"),
    "blur": (lambda im, k, s: F.gaussian_blur(im, [int(k), int(k)], [s, s]), "color"),
    "sharpness": (F.adjust_sharpness, "color"),
    "invert": (F.invert, "color"),
    "equalize": (F.equalize, "color"),
    "posterize": (lambda im, b: F.posterize(im, int(b)), "color"),
}

CASES = [
    ("resize", [48]), ("resize", [160]), ("resize", [61]),
    ("resized_crop", [10, 20, 60, 80, 48]), ("resized_crop", [-6, 30, 90, 50, 112]),
    ("center_crop", [64]), ("center_crop", [90]), ("center_crop", [101]),
    ("hflip", []), ("vflip", []),
    ("rotate", [30]), ("rotate", [90]), ("rotate", [-137.5]), ("rotate", [180]), ("rotate", [1.40625]),
    ("affine", [10, 5, -3, 1.2, 15, -5]), ("affine", [0, 0, 0, 0.7, 0, 0]),
    ("affine", [0, 16, -8, 1, 0, 0]), ("affine", [0, 0, 0, 1, -40, 20]), ("affine", [0, 0, 0, 1, 140, 0]),
    ("grayscale", []),
    ("brightness", [0.5]), ("brightness", [1.7]), ("brightness", [4.2]),
    ("contrast", [0.3]), ("contrast", [2.5]),
    ("saturation", [0.0]), ("saturation", [3.0]),
    ("hue", [-0.3]), ("hue", [0.1]), ("hue", [0.45]),
    ("blur", [23, 2.0]), ("blur", [7, 0.5]), ("blur", [5, 10.0]),
    ("sharpness", [0.2]), ("sharpness", [5.0]), ("sharpness", [30.0]),
    ("invert", []), ("equalize", []),
    ("posterize", [1]), ("posterize", [3]), ("posterize", [7]),
]

# Eval preprocessing: resize shorter side then centre crop (torchvision Resize + CenterCrop).
PREPROCESS = [(256, 224), (80, 64), (40, 40)]


def fmt(v):
    s = f"{v:g}".replace("-", "m").replace(".", "p")
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for name, sample, box, size in INPUTS:
        photo = Image.fromarray(load_sample_image(sample))
        img = photo.crop(box).resize(size, Image.BILINEAR)
        in_path = f"{name}.png"
        img.save(os.path.join(OUT, in_path))
        for op, params in CASES:
            fn, kind = OPS[op]
            out = fn(img, *params)
            case = "_".join([name, op] + [fmt(p) for p in params])
            out.convert("RGB").save(os.path.join(OUT, case + ".png"))
            manifest.append({"input": in_path, "op": op, "params": params, "kind": kind,
                             "output": case + ".png"})
        for resize, crop in PREPROCESS:
            if name != "china" and resize == 256:
                continue  # keep the fixtures small: one large case is enough
            out = F.center_crop(F.resize(img, resize), crop)
            case = f"{name}_preprocess_{resize}_{crop}"
            out.save(os.path.join(OUT, case + ".png"))
            manifest.append({"input": in_path, "op": "preprocess", "params": [resize, crop],
                             "kind": "color", "output": case + ".png"})
    # Two full sweep chains on the china crop: op at its own size, then resize 256 + crop 224
    # (resized_crop: the 256-scale box scaled to the image, resized straight to 224).
    img = Image.open(os.path.join(OUT, "china.png"))
    F.center_crop(F.resize(F.rotate(img, 45.0, interpolation=NEAREST), 256), 224).save(
        os.path.join(OUT, "china_sweep_rotation_45.png"))
    h, w = img.height, img.width
    pos, side = np.linspace(0, 0.25, 4) * 256, np.linspace(0.75, 0.25, 4) * 256
    box = [pos[3] * h / 256, pos[1] * w / 256, side[2] * h / 256, side[2] * w / 256]
    top, left, bh, bw = [int(round(v)) for v in box]
    F.resized_crop(img, top, left, bh, bw, [224, 224]).save(
        os.path.join(OUT, "china_sweep_resized_crop.png"))
    # ToTensor + Normalize on one preprocessed image, for the tensor path.
    img = Image.open(os.path.join(OUT, "flower.png"))
    t = F.normalize(F.to_tensor(F.center_crop(F.resize(img, 80), 64)),
                    [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    stats = {"shape": list(t.shape), "sum": float(t.double().sum()),
             "abs_sum": float(t.double().abs().sum()),
             "first": [float(v) for v in t.flatten()[:16]]}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"cases": manifest, "tensor_flower_80_64": stats}, f, indent=1)
    print(f"wrote {len(manifest)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    np.random.seed(0)
    main()
