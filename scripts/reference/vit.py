"""Reference fixtures for the sslinv-encoders ViT parity tests (timm VisionTransformer).

Run from the repository root after scripts/reference/encoders.py made the photo crops (a minute
or two on 2 CPU threads):

    python3 scripts/reference/vit.py

Every weight comes from a deterministic formula of (timm tensor name, element index) that the
Rust tests reproduce exactly (`vit_value` below), so no full-size weights are committed. Writes
crates/encoders/tests/fixtures/:

  vit_expected.safetensors   features on the two 224x224 photo crops (ImageNet normalisation):
      full.<arch>               timm.create_model(arch, num_classes=0, dynamic_img_size=True)(x)
                                for every full-size architecture (DINOv2 resamples its 37x37
                                position grid to 16x16)
      <case>.default            the same for reduced models (width 32, 2 heads, 2 blocks) of
                                each family; <case>.nonsquare on the top rows of the crops
      <case>.mean / .cls_mean   mean of the normed patch tokens / class token and that mean
      <case>.layers2_cls        the normed class tokens of the last two blocks, concatenated
      <case>.layers2_cls_mean   per block [class token, patch mean], concatenated
  vit_shapes.json            every state-dict name and shape (num_classes=0) of each model
  vit_pos_embed.safetensors  F.interpolate(bicubic, antialias=True) inputs and outputs
  vit_tiny_dinov2_orig.pth   the reduced DINOv2 in the original repo's layout (mask_token)
  vit_tiny_reg4_orig.pth     the reduced DINOv2-reg4 in the original layout (register_tokens,
                             class position row inside pos_embed)
  vit_tiny_clip_openai.pth   the reduced QuickGELU CLIP as an OpenAI/open_clip state dict
                             (visual.* plus text-tower tensors to ignore)
  vit_tiny_clip_openclip.pt  the same as an open_clip training checkpoint
                             (state_dict, module.visual.* names)
  vit_tiny_clip_timm.safetensors  the reduced CLIP in timm's hub layout with a 16-way head
"""

import json
import math
import os
import sys

import numpy as np
import timm
import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from encoders import uniform  # noqa: E402  (the shared splitmix64 formula)

torch.set_num_threads(2)
OUT = "crates/encoders/tests/fixtures"
IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])

FULL = [
    "vit_small_patch16_224",
    "vit_base_patch16_224",
    "vit_large_patch16_224",
    "vit_small_patch14_dinov2",
    "vit_base_patch14_dinov2",
    "vit_large_patch14_dinov2",
    "vit_small_patch14_reg4_dinov2",
    "vit_base_patch14_reg4_dinov2",
    "vit_large_patch14_reg4_dinov2",
    "vit_base_patch16_clip_224",
    "vit_base_patch16_clip_quickgelu_224",
]
# Reduced models: (case, timm arch, extra kwargs). Same family flags, 32 wide, 2 heads, 2 blocks.
TINY = [
    ("tiny_plain", "vit_small_patch16_224", {}),
    ("tiny_avg", "vit_small_patch16_224", {"global_pool": "avg"}),
    ("tiny_dinov2", "vit_small_patch14_dinov2", {}),
    ("tiny_reg4", "vit_small_patch14_reg4_dinov2", {}),
    ("tiny_clip", "vit_base_patch16_clip_224", {}),
    ("tiny_clip_quickgelu", "vit_base_patch16_clip_quickgelu_224", {}),
]
TINY_SIZE = {"embed_dim": 32, "num_heads": 2, "depth": 2}


def vit_value(name, shape):
    """The formula weight of timm tensor `name` (mirrored by tests/common/vit.rs)."""
    n = int(np.prod(shape))
    u = uniform(name, n)
    if name in ("cls_token", "reg_token", "pos_embed"):
        v = 2.0 * (u - 0.5)
    elif len(shape) == 4:
        v = (u - 0.5) * math.sqrt(12.0 / (shape[1] * shape[2] * shape[3]))
    elif len(shape) == 2:
        v = (u - 0.5) * math.sqrt(12.0 / shape[1])
    elif name.endswith(".gamma"):
        v = 0.5 + 0.5 * u
    elif name.endswith(".bias"):
        v = 0.2 * (u - 0.5)
    else:  # LayerNorm weights
        v = 0.75 + 0.5 * u
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def build(arch, **kwargs):
    model = timm.create_model(arch, pretrained=False, num_classes=0, dynamic_img_size=True, **kwargs)
    sd = {k: vit_value(k, tuple(v.shape)) for k, v in model.state_dict().items()}
    model.load_state_dict(sd)
    return model.eval(), sd


def photos():
    norm = T.Compose([T.ToTensor(), T.Normalize(*IMAGENET)])
    ims = [Image.open(f"{OUT}/{n}.png").convert("RGB") for n in ("crop_china", "crop_flower")]
    return torch.stack([norm(im) for im in ims])


def readouts(model, x):
    """Every pooled readout the Rust tests compare, keyed by suffix."""
    npt = model.num_prefix_tokens
    out = {}
    with torch.no_grad():
        out["default"] = model(x)
        tokens = model.forward_features(x)
        mean = model.fc_norm(tokens[:, npt:].mean(1))
        cls = model.fc_norm(tokens[:, 0])
        out["mean"] = mean
        out["cls_mean"] = torch.cat([cls, mean], 1)
        inter = model.forward_intermediates(
            x, indices=2, norm=True, output_fmt="NLC", intermediates_only=True, return_prefix_tokens=True
        )
        out["layers2_cls"] = torch.cat([model.fc_norm(p[:, 0]) for _, p in inter], 1)
        out["layers2_cls_mean"] = torch.cat(
            [torch.cat([model.fc_norm(p[:, 0]), model.fc_norm(s.mean(1))], 1) for s, p in inter], 1
        )
        p = model.patch_embed.patch_size[0]
        rows = (224 // p - 4) * p
        out["nonsquare"] = model(x[:, :, :rows, :].contiguous())
    return {k: v.contiguous() for k, v in out.items()}


def pos_embed_cases():
    cases = {}
    for i, (h, w, nh, nw) in enumerate([(37, 37, 16, 16), (37, 37, 12, 16), (16, 16, 37, 37), (14, 14, 20, 9), (7, 7, 3, 5)]):
        c = 5
        grid = torch.from_numpy((uniform(f"pos_case_{i}", c * h * w) - 0.5).astype(np.float32).reshape(1, c, h, w))
        out = F.interpolate(grid, size=(nh, nw), mode="bicubic", antialias=True, align_corners=None)
        cases[f"case{i}.in"] = grid[0].permute(1, 2, 0).contiguous()  # h x w x c
        cases[f"case{i}.out"] = out[0].permute(1, 2, 0).contiguous()
    return cases


def dinov2_original(sd):
    """timm names back to the facebookresearch/dinov2 layout (inverse of timm's _convert_dinov2)."""
    out = {k: v.clone() for k, v in sd.items()}
    d = sd["cls_token"].shape[-1]
    out["mask_token"] = vit_value("mask_token", (1, d))
    if "reg_token" in sd:
        cls_row = vit_value("pos_cls_row", (1, 1, d))
        out["register_tokens"] = out.pop("reg_token")
        out["cls_token"] = sd["cls_token"] - cls_row[:, 0]
        out["pos_embed"] = torch.cat([cls_row, sd["pos_embed"]], 1)
    return out


def openai_clip(sd, prefix="visual."):
    """timm names back to the OpenAI CLIP / open_clip visual-tower layout, text tower included."""
    out = {}
    for k, v in sd.items():
        k2 = k
        for a, b in [
            ("patch_embed.proj", "conv1"),
            ("norm_pre", "ln_pre"),
            ("blocks.", "transformer.resblocks."),
            (".norm1", ".ln_1"),
            (".norm2", ".ln_2"),
            ("attn.qkv.", "attn.in_proj_"),
            ("attn.proj", "attn.out_proj"),
            ("mlp.fc1", "mlp.c_fc"),
            ("mlp.fc2", "mlp.c_proj"),
        ]:
            k2 = k2.replace(a, b)
        if k2 == "norm.weight" or k2 == "norm.bias":
            k2 = "ln_post." + k2.split(".")[1]
        if k2 == "cls_token":
            k2, v = "class_embedding", v.reshape(-1)
        if k2 == "pos_embed":
            k2, v = "positional_embedding", v[0]
        out[prefix + k2] = v.clone()
    d = sd["cls_token"].shape[-1]
    out[prefix + "proj"] = vit_value("visual.proj", (d, 16))
    out["token_embedding.weight"] = vit_value("token_embedding.weight", (10, 16))
    out["positional_embedding"] = vit_value("text_positional_embedding", (5, 16))
    out["text_projection"] = vit_value("text_projection", (16, 16))
    out["logit_scale"] = torch.tensor(4.6052)
    return out


def main():
    x = photos()
    expected, shapes = {}, {}
    for case, arch, kw in TINY:
        model, sd = build(arch, **TINY_SIZE, **kw)
        shapes[case] = [[k, list(v.shape)] for k, v in sd.items()]
        for k, v in readouts(model, x).items():
            expected[f"{case}.{k}"] = v
        print(case, "default norms", expected[f"{case}.default"].norm(dim=1).tolist())
        if case == "tiny_dinov2":
            torch.save(dinov2_original(sd), f"{OUT}/vit_tiny_dinov2_orig.pth")
        if case == "tiny_reg4":
            torch.save(dinov2_original(sd), f"{OUT}/vit_tiny_reg4_orig.pth")
        if case == "tiny_clip_quickgelu":
            torch.save(openai_clip(sd), f"{OUT}/vit_tiny_clip_openai.pth")
            ckpt = {"epoch": 3, "name": "tiny", "state_dict": openai_clip(sd, "module.visual.")}
            torch.save(ckpt, f"{OUT}/vit_tiny_clip_openclip.pt")
        if case == "tiny_clip":
            hub = dict(sd)
            hub["head.weight"] = vit_value("head.weight", (16, TINY_SIZE["embed_dim"]))
            hub["head.bias"] = vit_value("head.bias", (16,))
            save_file(hub, f"{OUT}/vit_tiny_clip_timm.safetensors")
    for arch in FULL:
        model, sd = build(arch)
        shapes[arch] = [[k, list(v.shape)] for k, v in sd.items()]
        with torch.no_grad():
            expected[f"full.{arch}"] = model(x).contiguous()
        print(arch, "feature norms", expected[f"full.{arch}"].norm(dim=1).tolist())
        del model, sd
    save_file(expected, f"{OUT}/vit_expected.safetensors")
    save_file(pos_embed_cases(), f"{OUT}/vit_pos_embed.safetensors")
    with open(f"{OUT}/vit_shapes.json", "w") as f:
        json.dump(shapes, f)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.startswith("vit_"))
    print(f"ViT fixtures: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
