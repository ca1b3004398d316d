"""Times the synth3d render of one 64x64 sphere image against the same work in NumPy.

There is no reference library for our renderer, so the reference is the straightforward NumPy
version of the same algorithm: a 28x14 UV sphere (784 triangles), z-buffer rasterisation at 2x2
supersampling (vectorised over each triangle's bounding box), Lambert + ambient shading, 2x2 box
downsample. Run after the Rust bench so its estimate exists:

    RAYON_NUM_THREADS=2 cargo bench -p sslinv-datasets --bench synth3d
    python3 benches/synth3d_compare.py
"""
import json
import pathlib
import time

import numpy as np

SIDE = 128  # 64 x 2 supersampling


def sphere(rings=14, segs=28):
    tris = []
    for i in range(rings):
        a0, a1 = -np.pi / 2 + np.pi * i / rings, -np.pi / 2 + np.pi * (i + 1) / rings
        for j in range(segs):
            t0, t1 = 2 * np.pi * j / segs, 2 * np.pi * (j + 1) / segs
            p = lambda a, t: (np.cos(a) * np.cos(t), np.sin(a), np.cos(a) * np.sin(t))
            tris.append([p(a0, t0), p(a0, t1), p(a1, t1)])
            tris.append([p(a0, t0), p(a1, t1), p(a1, t0)])
    return np.array(tris, dtype=np.float32)


def rotation(yaw, pitch, roll):
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return (rz @ rx @ ry).astype(np.float32)


def render(tris, rot, scale=0.34):
    cam = tris @ rot.T
    sx = SIDE * 0.5 + cam[..., 0] * scale * SIDE
    sy = SIDE * 0.5 - cam[..., 1] * scale * SIDE
    depth = np.full((SIDE, SIDE), -np.inf, dtype=np.float32)
    normal = np.zeros((SIDE, SIDE, 3), dtype=np.float32)
    for t in range(len(tris)):
        ax, bx, cx = sx[t]
        ay, by, cy = sy[t]
        area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        if abs(area) < 1e-8:
            continue
        x0, x1 = max(int(np.ceil(min(ax, bx, cx) - 0.5)), 0), min(int(np.floor(max(ax, bx, cx) - 0.5)), SIDE - 1)
        y0, y1 = max(int(np.ceil(min(ay, by, cy) - 0.5)), 0), min(int(np.floor(max(ay, by, cy) - 0.5)), SIDE - 1)
        if x0 > x1 or y0 > y1:
            continue
        px, py = np.meshgrid(np.arange(x0, x1 + 1) + 0.5, np.arange(y0, y1 + 1) + 0.5)
        w1 = ((px - ax) * (cy - ay) - (py - ay) * (cx - ax)) / area
        w2 = ((bx - ax) * (py - ay) - (by - ay) * (px - ax)) / area
        w0 = 1 - w1 - w2
        z = w0 * cam[t, 0, 2] + w1 * cam[t, 1, 2] + w2 * cam[t, 2, 2]
        win = (w0 >= -1e-5) & (w1 >= -1e-5) & (w2 >= -1e-5) & (z > depth[y0:y1 + 1, x0:x1 + 1])
        depth[y0:y1 + 1, x0:x1 + 1][win] = z[win]
        n = w0[..., None] * cam[t, 0] + w1[..., None] * cam[t, 1] + w2[..., None] * cam[t, 2]
        normal[y0:y1 + 1, x0:x1 + 1][win] = n[win]
    n = normal / np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-12)
    light = np.array([0.4, 0.6, 0.7], dtype=np.float32)
    light /= np.linalg.norm(light)
    shade = 0.24 + 0.9 * np.clip(np.abs(n) @ light, 0, None)
    img = np.where(np.isfinite(depth)[..., None], shade[..., None] * np.array([0.3, 0.5, 0.9]), 0.8)
    img = img.reshape(64, 2, 64, 2, 3).mean(axis=(1, 3))
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8)


def main():
    tris = sphere()
    rot = rotation(0.6, 0.4, 0.1)
    render(tris, rot)
    n = 20
    start = time.perf_counter()
    for _ in range(n):
        render(tris, rot)
    numpy_s = (time.perf_counter() - start) / n
    est = pathlib.Path(__file__).resolve().parents[1] / "target/criterion/synth3d_render_sphere_64/new/estimates.json"
    print(f"numpy render of one 64x64 sphere image: {numpy_s * 1e3:.2f} ms")
    if est.exists():
        rust_s = json.loads(est.read_text())["mean"]["point_estimate"] * 1e-9
        print(f"rust  render of one 64x64 sphere image: {rust_s * 1e3:.3f} ms")
        print(f"ratio numpy / rust: {numpy_s / rust_s:.0f}x")
    else:
        print(f"no Rust estimate at {est}: run the criterion bench first")


if __name__ == "__main__":
    main()
