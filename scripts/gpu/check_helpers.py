"""Small helpers for scripts/gpu/check.sh (runs on the GPU machine with only python3 + torch).

    python3 check_helpers.py images DIR COUNT SIZE SEED   # deterministic smooth RGB PNGs
    python3 check_helpers.py compare A.safetensors B.safetensors
    python3 check_helpers.py json FILE KEY[.KEY...]         # print one value of a JSON file

Only the standard library and torch are used: no PIL, numpy or safetensors needed.
"""

import json
import struct
import sys
import zlib

import torch


def write_png(path, rgb):
    """Writes an H x W x 3 uint8 tensor as an 8-bit RGB PNG."""
    h, w, _ = rgb.shape
    raw = rgb.contiguous().numpy().tobytes() if hasattr(rgb, "numpy") else bytes(rgb)
    rows = b"".join(b"\x00" + raw[y * w * 3 : (y + 1) * w * 3] for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 1))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def images(folder, count, size, seed):
    """Smooth random colour fields plus a bright square: real structure, not white noise."""
    import os

    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    for i in range(count):
        low = torch.rand(1, 3, 8, 8, generator=g)
        img = torch.nn.functional.interpolate(low, size=(size, size), mode="bicubic", align_corners=False)
        s = size // 4
        y, x = (torch.randint(0, size - s, (2,), generator=g)).tolist()
        img[0, :, y : y + s, x : x + s] = torch.rand(3, 1, 1, generator=g)
        rgb = (img[0].clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0)
        write_png(os.path.join(folder, f"img_{i:04d}.png"), rgb.cpu())


def read_features(path):
    """The `features` tensor of a safetensors file as an N x D float32 tensor."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    info = header["features"]
    assert info["dtype"] == "F32", f"{path}: dtype {info['dtype']}"
    a, b = info["data_offsets"]
    flat = torch.frombuffer(bytearray(data[8 + n + a : 8 + n + b]), dtype=torch.float32)
    return flat.reshape(info["shape"])


def compare(a_path, b_path):
    """Prints `rel_l2 worst_row_rel_l2 min_cosine` of B against A (A is the reference)."""
    a = read_features(a_path).double()
    b = read_features(b_path).double()
    assert a.shape == b.shape, f"shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}"
    rel = ((a - b).norm() / a.norm().clamp_min(1e-30)).item()
    rows = ((a - b).norm(dim=1) / a.norm(dim=1).clamp_min(1e-30)).max().item()
    cos = torch.nn.functional.cosine_similarity(a, b, dim=1).min().item()
    print(f"{rel:.3e} {rows:.3e} {cos:.6f}")


def json_value(path, key):
    with open(path) as f:
        v = json.load(f)
    for part in key.split("."):
        v = v[int(part)] if isinstance(v, list) else v[part]
    print(v)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "images":
        images(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "compare":
        compare(args[0], args[1])
    elif cmd == "json":
        json_value(args[0], args[1])
    else:
        sys.exit(f"unknown command {cmd}")
