"""Reference invariance scores, computed as the paper's eval scripts do, for sslinv-invariance.

Reproduces the scoring logic of the paper's `eval_synthetic_invariance.py` (whitened cosine
similarity and scipy Mahalanobis distance of clean vs transformed features, averaged over
images per parameter) and `eval_realworld_invariance.py` (mean cosine over all k x k whitened
pairs, diagonal included, and mean pdist L2) on real photos:

* images: scikit-learn's sample photos (china.jpg, flower.jpg), downscaled to 160 px wide
  (also written as PNG so Rust end-to-end tests can use the same inputs);
* model: torchvision ResNet-18, random init with torch.manual_seed(0), fc removed, eval mode;
  the 512-d pooled features are projected to 64-d by a fixed Gaussian matrix (seed 1) to keep
  the fixture small (a linear map of real features is still a real feature set);
* statistics: 256 random resized crops (seed 2) of the two full-size photos, preprocessed
  resize 256 + centre crop 224 as the paper; mean in float32 (torch), covariance np.cov (N-1),
  np.linalg.inv, then torch.linalg.cholesky of the inverse in float32, exactly as the paper;
* sweeps: the paper's transforms applied with torchvision.transforms.functional to the PIL
  image at its own size, then resize 256 + centre crop 224 (k reduced to keep it small).

Writes crates/invariance/tests/fixtures/{reference.json, china.png, flower.png}. The Rust test
(crates/invariance/tests/parity.rs) feeds the saved features to the Rust metrics and compares
with the expected values, so CI needs no Python.

Run from the repository root (needs torch, torchvision, scipy, numpy, pillow, scikit-learn):
    python3 scripts/reference/invariance.py
Deterministic: re-running rewrites identical files (CPU, fixed seeds).
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms.functional as FT
from PIL import Image
from scipy.spatial.distance import mahalanobis
from sklearn.datasets import load_sample_image
from torchvision import transforms

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "invariance", "tests", "fixtures")
MEAN_STD = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
RESIZE, CROP, DIM, N_STATS = 256, 224, 64, 256

# (name, torchvision function, parameter list: one tuple per setting) with k reduced.
SWEEPS = {
    "rotation": [(float(a),) for a in torch.linspace(0, 360, 9)[:8].tolist()],
    "brightness": [(float(a),) for a in torch.linspace(0.25, 5, 8).tolist()],
    "hue": [(float(a),) for a in torch.linspace(-0.5, 0.5, 8).tolist()],
    "blur": [(float(a), 23.0) for a in torch.linspace(1e-5, 20.0, 8).tolist()],
    "posterize": [(float(b),) for b in range(1, 8)],
    "h_flip": [(0.0,), (1.0,)],
    "grayscale": [(0.0,), (1.0,)],
}


def apply(name, img, p):
    if name == "rotation":
        return FT.rotate(img, p[0])
    if name == "brightness":
        return FT.adjust_brightness(img, p[0])
    if name == "hue":
        return FT.adjust_hue(img, p[0])
    if name == "blur":
        return FT.gaussian_blur(img, kernel_size=int(p[1]), sigma=p[0])
    if name == "posterize":
        return FT.posterize(img, int(p[0]))
    if name == "h_flip":
        return FT.hflip(img) if p[0] else img
    if name == "grayscale":
        return FT.rgb_to_grayscale(img, num_output_channels=3) if p[0] else img
    raise ValueError(name)


def to_input(img):
    img = FT.center_crop(FT.resize(img, RESIZE), CROP)
    t = FT.pil_to_tensor(img).to(torch.float32)
    return FT.normalize(t / 255.0, *MEAN_STD)


def f32_list(a):
    """Shortest decimal that round-trips each float32 (keeps the fixture small and exact)."""
    return [float(np.format_float_positional(np.float32(x), unique=True)) for x in np.ravel(a)]


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    model.fc = torch.nn.Identity()
    model.eval()
    proj = torch.from_numpy((np.random.default_rng(1).standard_normal((512, DIM)) / np.sqrt(512)).astype(np.float32))

    def features(batch):
        with torch.no_grad():
            return model(torch.stack(batch)) @ proj

    os.makedirs(OUT, exist_ok=True)
    full = [Image.fromarray(load_sample_image(f)) for f in ("china.jpg", "flower.jpg")]
    small = []
    for name, img in zip(("china", "flower"), full):
        s = img.resize((160, 107), Image.BILINEAR)
        s.save(os.path.join(OUT, f"{name}.png"))
        small.append(Image.open(os.path.join(OUT, f"{name}.png")).convert("RGB"))

    # Statistics set: random resized crops of the full photos, then the paper's clean preprocessing.
    torch.manual_seed(2)
    rrc = transforms.RandomResizedCrop(320, scale=(0.05, 0.6))
    crops = [to_input(rrc(full[i % 2])) for i in range(N_STATS)]
    stats_feats = torch.cat([features(crops[i:i + 64]) for i in range(0, N_STATS, 64)])

    # The paper's statistics, precision and whitening factor.
    mean_feature = stats_feats.mean(dim=0)
    cov = np.cov(stats_feats.numpy(), rowvar=False)
    inv_cov = np.linalg.inv(cov)
    chol = torch.linalg.cholesky(torch.from_numpy(inv_cov).to(torch.float32))

    clean = features([to_input(img) for img in small])
    sweeps = {}
    for name, params in SWEEPS.items():
        views = features([to_input(apply(name, img, p)) for img in small for p in params])
        views = views.reshape(len(small), len(params), DIM)
        S = torch.zeros(len(small), len(params))
        L = torch.zeros(len(small), len(params))
        for i in range(len(small)):
            a = (mean_feature - clean[i:i + 1]) @ chol
            for j in range(len(params)):
                b = (mean_feature - views[i, j]) @ chol
                S[i, j] = F.cosine_similarity(a, b, dim=-1).mean()
                L[i, j] = mahalanobis(clean[i].numpy(), views[i, j].numpy(), inv_cov)
        sweeps[name] = {
            "params": [list(p) for p in params],
            "views": f32_list(views.numpy()),
            "similarity": np.nanmean(S.numpy(), axis=0).astype(float).tolist(),
            "distance": np.nanmean(L.numpy(), axis=0).astype(float).tolist(),
        }

    # Multi-view: groups of 8 consecutive stats crops, scored as eval_realworld_invariance.py.
    groups = []
    for g in range(4):
        f = (mean_feature - stats_feats[g * 8:(g + 1) * 8]) @ chol
        m = torch.zeros(8, 8)
        for i in range(8):
            for j in range(8):
                m[i, j] = F.cosine_similarity(f[i], f[j], dim=-1).mean()
        groups.append({"rows": list(range(g * 8, (g + 1) * 8)),
                       "similarity": float(m.mean()), "distance": float(torch.pdist(f, p=2).mean())})

    out = {
        "dim": DIM,
        "n_stats": N_STATS,
        "stats_features": f32_list(stats_feats.numpy()),
        "mean": mean_feature.numpy().astype(float).tolist(),
        "covariance_diag": np.diag(cov).astype(float).tolist(),
        "covariance_01": float(cov[0, 1]),
        "clean": f32_list(clean.numpy()),
        "n_images": len(small),
        "sweeps": sweeps,
        "groups": groups,
    }
    with open(os.path.join(OUT, "reference.json"), "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
    for name, s in sweeps.items():
        print(name, "similarity", np.round(s["similarity"], 4), "distance", np.round(s["distance"], 2))


if __name__ == "__main__":
    main()
