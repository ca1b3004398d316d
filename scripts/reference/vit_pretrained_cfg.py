"""timm's pretrained configuration (input size, crop fraction, interpolation, mean, std) of
every ViT weight tag sslinv knows, for crates/encoders/tests/fixtures/vit_pretrained_cfg.json.
Needs only timm (no weights are downloaded). Run: python3 scripts/reference/vit_pretrained_cfg.py
"""
import json
import pathlib

import timm

NAMES = [
    "vit_small_patch16_224", "vit_base_patch16_224", "vit_large_patch16_224",
    "vit_small_patch16_224.dino", "vit_base_patch16_224.dino",
    "vit_base_patch16_224.mae", "vit_large_patch16_224.mae",
    "vit_small_patch14_dinov2", "vit_base_patch14_dinov2", "vit_large_patch14_dinov2",
    "vit_small_patch14_reg4_dinov2", "vit_base_patch14_reg4_dinov2",
    "vit_large_patch14_reg4_dinov2",
    "vit_base_patch16_clip_224", "vit_base_patch16_clip_224.openai",
    "vit_base_patch16_clip_224.laion2b", "vit_base_patch16_clip_quickgelu_224",
    "vit_base_patch16_clip_quickgelu_224.openai",
]

out = {}
for name in NAMES:
    c = timm.models.get_pretrained_cfg(name)
    out[name] = {
        "tag": c.tag,
        "input_size": c.input_size[-1],
        "crop_pct": c.crop_pct,
        "interpolation": c.interpolation,
        "mean": list(c.mean),
        "std": list(c.std),
    }
path = pathlib.Path(__file__).resolve().parents[2] / "crates/encoders/tests/fixtures/vit_pretrained_cfg.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path} ({len(out)} configs, timm {timm.__version__})")
