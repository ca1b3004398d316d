"""Reference fixtures for the `paper-code` protocol (crates/augment/tests/fidelity.rs).

Runs the paper's own code where it can: `ManualTransform.T()` is imported from
`eval_synthetic_invariance.py` of linusericsson/ssl-invariances at PAPER_COMMIT (pass the
file with --paper-file; its `datasets` and `model_utils` imports are stubbed, nothing of it is
copied here). Writes under crates/augment/tests/fixtures/fidelity/:

- `fidelity.json`:
  - `params`: the paper code's k = 256 parameter lists (float32 `torch.linspace`) for
    rotation, translation, scale, shear, resized_crop, and the deform sigmas;
  - `views`: for rotation, translation, scale, shear and resized_crop, on four real photos
    of different non-square sizes, the 224x224 image `T()` feeds the encoder (before
    normalisation) for a few settings, as an FNV-1a 64 hash of its RGB bytes and its pixel
    sum (the full images would be megabytes);
  - `dorsal`: views of the paper's pretraining composition (`pretraining/main_moco.py`
    l.233-251: ColorJitter(0.4, 0.4, 0.4, 0.1), RandomGrayscale, MoCo's GaussianBlur =
    Pillow's GaussianBlur(radius=sigma), Resize(size), CenterCrop(size)) for fixed random
    parameters, hashed at 224 and stored as PNG at 64; one Default-policy view likewise;
  - `numpy`: legacy RandomState draws (seeded `uniform`, `rand`, `choice`);
- `elastic_*.png`: albumentations' `ElasticTransform(sigma, alpha, alpha_affine,
  approximate=True).apply(img, random_state=SEED)`, i.e. the paper's deform with the
  random state fixed (the paper code leaves Python's `random`, which draws that seed,
  unseeded).

Needs the paper era's albumentations (it still has `alpha_affine`) and OpenCV:
    python3 -m venv --system-site-packages /tmp/albu11
    /tmp/albu11/bin/pip install numpy==1.26.4 albumentations==1.1.0 \
        opencv-python-headless==4.5.5.64
    git -C ssl-invariances show 62d5085:eval_synthetic_invariance.py > /tmp/esi.py
    /tmp/albu11/bin/python scripts/reference/fidelity.py --paper-file /tmp/esi.py
(torch, torchvision and Pillow come from the system site packages.) Deterministic.
"""

import argparse
import importlib.util
import json
import os
import sys
import types

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image, ImageFilter

PAPER_COMMIT = "62d508509a2e5f8fe30ae2ad53ed75f973f5d6f6"
ALBUMENTATIONS = "1.1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "..", "crates", "augment", "tests", "fixtures")
OUT = os.path.join(FIX, "fidelity")

# Setting indices (k = 256) whose views are checked; each list includes the extremes.
VIEW_SETTINGS = {
    "rotation": [0, 37, 128, 201],
    "translation": [0, 17, 136, 255],
    "scale": [0, 37, 111, 255],
    "shear": [0, 51, 136, 255],
    "resized_crop": [0, 77, 150, 255],
}


def photos():
    """The two committed photo crops plus a portrait crop and a large upscale (> 256)."""
    china = Image.open(os.path.join(FIX, "china.png")).convert("RGB")
    flower = Image.open(os.path.join(FIX, "flower.png")).convert("RGB")
    return {
        "china": china,  # 128 x 96
        "flower": flower,  # 96 x 72
        "china_portrait": china.crop((20, 0, 90, 96)),  # 70 x 96
        "china_large": china.resize((400, 300), Image.BILINEAR),  # 400 x 300
    }


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def digest(img):
    a = np.asarray(img.convert("RGB"), dtype=np.uint8)
    return {"hash": fnv1a64(a.tobytes()), "sum": int(a.astype(np.int64).sum()),
            "size": [img.width, img.height]}


def load_paper(path):
    # The paper module imports its dataset classes and model loader; neither is used by
    # ManualTransform, so empty stand-ins suffice.
    for name in ("datasets", "model_utils"):
        stub = types.ModuleType(name)
        stub.Flowers = stub.Caltech101 = None
        sys.modules.setdefault(name, stub)
    spec = importlib.util.spec_from_file_location("paper_eval", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def paper_params(mt, name):
    """ManualTransform's parameter lists in sslinv's per-setting layout."""
    keys, vals = mt.param_keys, mt.param_vals
    col = dict(zip(keys, vals))
    if name == "rotation":
        return [[a] for a in col["angle"]]
    if name == "translation":
        return [list(t) for t in col["translate"]]
    if name == "scale":
        return [[s] for s in col["scale"]]
    if name == "shear":
        return [list(s) for s in col["shear"]]
    if name == "resized_crop":
        return [list(p) for p in zip(col["top"], col["left"], col["height"], col["width"])]
    if name == "deform":
        return [[s] for s in col["sigma"]]
    raise ValueError(name)


def view(mt, img, i):
    """T() for setting i with an identity normalisation, back to 8-bit RGB."""
    params = dict((k, v[i]) for k, v in zip(mt.param_keys, mt.param_vals))
    x = mt.T(img, **params)
    a = (x * 255.0).round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
    return Image.fromarray(a)


def jitter(img, order, factors):
    """torchvision ColorJitter.forward with fixed order and factors (b, c, s, h)."""
    fns = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
    for i in order:
        if factors[i] is not None:
            img = fns[i](img, factors[i])
    return img


def paper_policy_view(img, d, size):
    """main_moco.py's Compose for fixed draws: [crop], jitter, grayscale, blur, [flip],
    then Resize + CenterCrop when there is no crop."""
    if d.get("crop"):
        top, left, h, w = d["crop"]
        img = F.resized_crop(img, top, left, h, w, [size, size])
    if d.get("jitter"):
        img = jitter(img, d["jitter"]["order"], d["jitter"]["factors"])
    if d.get("gray"):
        img = F.rgb_to_grayscale(img, num_output_channels=3)
    if d.get("blur") is not None:
        img = img.filter(ImageFilter.GaussianBlur(radius=d["blur"]))
    if d.get("hflip"):
        img = F.hflip(img)
    if not d.get("crop"):
        img = T.CenterCrop(size)(T.Resize(size)(img))
    return img


DORSAL_DRAWS = [
    {"jitter": {"order": [2, 0, 3, 1], "factors": [1.3, 0.7, 1.2, -0.05]}, "gray": False,
     "blur": 1.7},
    {"jitter": {"order": [0, 1, 2, 3], "factors": [0.65, 1.35, 0.8, 0.09]}, "gray": True,
     "blur": 0.35},
    {"jitter": None, "gray": False, "blur": 2.0},
]
DEFAULT_DRAW = {"crop": [10, 20, 60, 80],
                "jitter": {"order": [3, 1, 0, 2], "factors": [1.1, 0.9, 1.4, 0.02]},
                "gray": False, "blur": 0.9, "hflip": True}

# (photo, alpha, sigma, alpha_affine, seed): the paper's setting and one where the field
# dominates, so both halves of the transform are checked.
ELASTIC_CASES = [
    ("flower", 1.0, 10, 50.0, 0),
    ("flower", 1.0, 50, 50.0, 7),
    ("china_small", 1.0, 27, 50.0, 3),
    ("china_small", 40.0, 5, 10.0, 11),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paper-file", required=True,
                    help=f"eval_synthetic_invariance.py at {PAPER_COMMIT[:7]}")
    args = ap.parse_args()
    import albumentations
    import cv2
    assert albumentations.__version__ == ALBUMENTATIONS, albumentations.__version__
    os.makedirs(OUT, exist_ok=True)
    paper = load_paper(args.paper_file)
    norm = ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    imgs = photos()

    params, views = {}, []
    for name in ["rotation", "translation", "scale", "shear", "resized_crop", "deform"]:
        mt = paper.ManualTransform(name, 256, norm=norm)
        params[name] = paper_params(mt, name)
        for i in VIEW_SETTINGS.get(name, []):
            for pname, img in imgs.items():
                views.append({"transform": name, "setting": i, "photo": pname,
                              **digest(view(mt, img, i))})

    dorsal = []
    for pname in ["china", "flower", "china_portrait"]:
        for j, d in enumerate(DORSAL_DRAWS):
            entry = {"photo": pname, "policy": "dorsal", "draw": d,
                     "digest224": digest(paper_policy_view(imgs[pname], d, 224))}
            if j < 2:
                png = f"dorsal_{pname}_{j}_64.png"
                paper_policy_view(imgs[pname], d, 64).save(os.path.join(OUT, png))
                entry["png64"] = png
            dorsal.append(entry)
    dorsal.append({"photo": "china", "policy": "default", "draw": DEFAULT_DRAW,
                   "digest224": digest(paper_policy_view(imgs["china"], DEFAULT_DRAW, 224))})

    elastic = []
    small = {"flower": imgs["flower"], "china_small": imgs["china"].crop((30, 10, 94, 90))}
    for pname, alpha, sigma, affine, seed in ELASTIC_CASES:
        tr = albumentations.ElasticTransform(alpha=alpha, sigma=sigma, alpha_affine=affine,
                                             approximate=True, always_apply=True)
        out = tr.apply(np.array(small[pname]), random_state=seed)
        assert tr.border_mode == cv2.BORDER_REFLECT_101 and tr.interpolation == cv2.INTER_LINEAR
        png = f"elastic_{pname}_{seed}.png"
        Image.fromarray(out).save(os.path.join(OUT, png))
        elastic.append({"photo": pname, "alpha": alpha, "sigma": sigma,
                        "alpha_affine": affine, "seed": seed, "output": png})
    small["china_small"].save(os.path.join(OUT, "china_small.png"))

    rs = np.random.RandomState(7)
    np.random.seed(0)
    # Doubles as repr strings: JSON number parsers need not round-trip the last bit.
    numpy_ref = {
        "uniform_seed7": [repr(v) for v in rs.uniform(-50, 50, size=6).tolist()],
        "rand_seed7_after": [repr(v) for v in rs.rand(4).tolist()],
        "choice_seed0_50000_x20": np.random.choice(np.arange(50000), 20).tolist(),
    }

    ref = {"paper_commit": PAPER_COMMIT, "albumentations": albumentations.__version__,
           "opencv": cv2.__version__, "torch": torch.__version__,
           "torchvision": __import__("torchvision").__version__,
           "pillow": Image.__version__, "params": params, "views": views,
           "dorsal": dorsal, "elastic": elastic, "numpy": numpy_ref}
    with open(os.path.join(OUT, "fidelity.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
    print(f"wrote {len(views)} sweep views, {len(dorsal)} policy views, "
          f"{len(elastic)} elastic cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
