"""Speed of sslinv-invariance against the paper's Python on this machine, in one go.

1. Per-pair metrics: the paper's inner loop of eval_synthetic_invariance.py (whitening each
   view with `(mean - f) @ chol`, torch cosine, scipy `mahalanobis`) on N images x k views of
   D-d features, against the Rust `score_sweep` (one whitening matmul for all views, then the
   metrics) timed by `examples/sweep_metrics.rs` on the same shapes.
2. End to end (with --e2e DIR): the paper's per-image pipeline (k torchvision views of a PIL
   image, resize 256 + centre crop 224, one ResNet-18 forward, the metric loop) against
   `cargo xtask invariance synthetic` on the same images, transform and k, statistics cached
   beforehand on both sides.

Run from the repository root (needs torch, torchvision, scipy, numpy, pillow):
    python3 benches/invariance_compare.py                 # metrics only
    python3 benches/invariance_compare.py --e2e DIR --transform rotation --k 16
"""

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
from scipy.spatial.distance import mahalanobis


def paper_metric_loop(mean, chol, inv_cov, clean, views):
    n, k = views.shape[0], views.shape[1]
    S = torch.zeros(n, k)
    L = torch.zeros(n, k)
    for i in range(n):
        a = (mean - clean[i:i + 1]) @ chol
        for j in range(k):
            b = (mean - views[i, j]) @ chol
            S[i, j] = F.cosine_similarity(a, b, dim=-1).mean()
            L[i, j] = mahalanobis(clean[i].numpy(), views[i, j].numpy(), inv_cov)
    return np.nanmean(S.numpy(), 0), np.nanmean(L.numpy(), 0)


def metrics(dim, k, n):
    out = subprocess.run(
        ["cargo", "run", "--release", "-q", "-p", "sslinv-invariance", "--example", "sweep_metrics", "--",
         str(dim), str(k), str(n)], check=True, capture_output=True, text=True).stdout
    rust = json.loads(out.strip().splitlines()[-1])
    g = torch.Generator().manual_seed(0)
    stats = torch.randn(2 * dim + 64, dim, generator=g).abs()
    clean = torch.randn(n, dim, generator=g).abs()
    views = clean[:, None, :] + torch.rand(n, k, 1, generator=g) * (torch.randn(n, k, dim, generator=g).abs() - 0.8)
    mean = stats.mean(0)
    cov = np.cov(stats.numpy(), rowvar=False)
    inv_cov = np.linalg.inv(cov)
    chol = torch.linalg.cholesky(torch.from_numpy(inv_cov).to(torch.float32))
    t = time.perf_counter()
    paper_metric_loop(mean, chol, inv_cov, clean, views)
    py = time.perf_counter() - t
    print(f"per-pair metrics, {n} images x {k} views, {dim}-d: python {py:.3f} s, "
          f"rust {rust['metric_seconds']:.4f} s, speed-up {py / rust['metric_seconds']:.0f}x")


def e2e(image_dir, transform, k, n_images):
    import torchvision
    import torchvision.transforms.functional as FT
    from PIL import Image

    names = sorted(f for f in os.listdir(image_dir) if f.lower().endswith((".png", ".jpg", ".jpeg")))[:n_images]
    norm = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    ops = {
        "rotation": (lambda im, p: FT.rotate(im, p), torch.linspace(0, 360, k + 1)[:k].tolist()),
        "brightness": (lambda im, p: FT.adjust_brightness(im, p), torch.linspace(0.25, 5, k).tolist()),
        "hue": (lambda im, p: FT.adjust_hue(im, p), torch.linspace(-0.5, 0.5, k).tolist()),
        "blur": (lambda im, p: FT.gaussian_blur(im, 23, p), torch.linspace(1e-5, 20, k).tolist()),
    }
    fn, params = ops[transform]

    def prep(im):
        im = FT.center_crop(FT.resize(im, 256), 224)
        return FT.normalize(FT.pil_to_tensor(im).float() / 255.0, *norm)

    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    model.fc = torch.nn.Identity()
    model.eval()
    torch.set_num_threads(os.cpu_count())
    with torch.no_grad():
        imgs = [Image.open(os.path.join(image_dir, f)).convert("RGB") for f in names]
        feats = model(torch.stack([prep(im) for im in imgs]))
        mean = feats.mean(0)
        cov = np.cov(feats.numpy(), rowvar=False) + 1e-3 * np.eye(feats.shape[1])
        inv_cov = np.linalg.inv(cov)
        chol = torch.linalg.cholesky(torch.from_numpy(inv_cov).to(torch.float32))
        t = time.perf_counter()
        for im in imgs:
            clean = model(prep(im)[None])
            views = model(torch.stack([prep(fn(im, p)) for p in params]))
            paper_metric_loop(mean, chol, inv_cov, clean, views[None])
        py = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = ["cargo", "xtask", "invariance", "synthetic", "--model", "random:resnet18:seed=0", "--transform",
               transform, "--images", image_dir, "--num-images", str(len(names)), "--k", str(k), "--out", out]
        subprocess.run(cmd, check=True, capture_output=True)  # warm: builds and caches statistics
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        rust_wall = time.perf_counter() - t
        rust = json.load(open(out))["seconds"]
    print(f"end to end, {len(names)} images x {k} {transform} views, ResNet-18: python {py:.2f} s, "
          f"rust {rust:.2f} s measured ({rust_wall:.2f} s wall incl. start-up), speed-up {py / rust:.2f}x")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--k", type=int, default=256)
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--e2e", metavar="DIR")
    ap.add_argument("--transform", default="rotation")
    args = ap.parse_args()
    metrics(args.dim, args.k, args.images)
    if args.e2e:
        e2e(args.e2e, args.transform, args.k, args.images)
