"""Reference fixtures for the sslinv-encoders parity tests.

Run from the repository root (takes about a minute on 2 CPU threads):

    python3 scripts/reference/encoders.py

Writes crates/encoders/tests/fixtures/:
  crop_china.png, crop_flower.png   224x224 crops of scikit-learn's two sample photos
  full_china.png, full_flower.png   larger crops (resize 256 + centre crop 224 is applied)
  expected.safetensors              torchvision ResNet-18/50 pooled features (fc = Identity, eval)
                                     r18_crop, r18_full, r50_crop, r50_full (2 x D each)
  narrow_r18.pth                    torch.save(state_dict) of a ResNet-18 layout at width 1/16
  narrow_r18_moco.pth.tar           the same as a MoCo v2 checkpoint (module.encoder_q. prefix,
                                     fc MLP head, encoder_k, queue, optimizer state)
  narrow_r18_hf.safetensors         the same with HF transformers ResNetModel names
  narrow_r50_hf.safetensors         a ResNet-50 layout at width 1/32 with HF names

Every weight comes from a deterministic formula of (tensor name, element index) that the Rust
tests reproduce exactly (`formula_weights` below), so full-size weights need not be committed.
"""

import io
import math
import os

import numpy as np
import torch
import torchvision
from PIL import Image
from safetensors.torch import save_file
from sklearn.datasets import load_sample_image

torch.set_num_threads(2)
OUT = "crates/encoders/tests/fixtures"
MASK = (1 << 64) - 1


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h ^= b
        h = (h * 0x100000001B3) & MASK
    return h


def uniform(name, n):
    """u in [0, 1) from splitmix64 of (fnv1a64(name) ^ i * golden)."""
    with np.errstate(over="ignore"):
        i = np.arange(n, dtype=np.uint64)
        x = np.uint64(fnv1a64(name)) ^ (i * np.uint64(0x9E3779B97F4A7C15))
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def formula_value(name, shape):
    n = int(np.prod(shape))
    u = uniform(name, n)
    if len(shape) == 4:
        fan_in = shape[1] * shape[2] * shape[3]
        v = (u - 0.5) * math.sqrt(24.0 / fan_in)
    elif name.endswith("running_var"):
        v = 0.5 + u
    elif name.endswith("running_mean") or name.endswith(".bias"):
        v = 0.2 * (u - 0.5)
    else:  # BatchNorm weight, fc weight
        v = 0.2 + 0.6 * u
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def formula_weights(state_dict):
    out = {}
    for k, t in state_dict.items():
        if k.endswith("num_batches_tracked"):
            out[k] = torch.tensor(7, dtype=torch.long)
        else:
            out[k] = formula_value(k, tuple(t.shape))
    return out


def narrow_state_dict(layers, bottleneck, width_mult):
    """torchvision key names and shapes of a ResNet at `width_mult` (fc head included)."""
    sd = {}

    def conv_bn(conv, bn, cin, cout, k):
        sd[f"{conv}.weight"] = torch.zeros(cout, cin, k, k)
        for s in ["weight", "bias", "running_mean", "running_var"]:
            sd[f"{bn}.{s}"] = torch.zeros(cout)
        sd[f"{bn}.num_batches_tracked"] = torch.zeros((), dtype=torch.long)

    c0 = max(1, round(64 * width_mult))
    conv_bn("conv1", "bn1", 3, c0, 7)
    cin = c0
    for i, n in enumerate(layers):
        w = max(1, round((64 << i) * width_mult))
        cout = w * 4 if bottleneck else w
        for b in range(n):
            p = f"layer{i + 1}.{b}"
            stride = 2 if b == 0 and i > 0 else 1
            if bottleneck:
                conv_bn(f"{p}.conv1", f"{p}.bn1", cin, w, 1)
                conv_bn(f"{p}.conv2", f"{p}.bn2", w, w, 3)
                conv_bn(f"{p}.conv3", f"{p}.bn3", w, cout, 1)
            else:
                conv_bn(f"{p}.conv1", f"{p}.bn1", cin, w, 3)
                conv_bn(f"{p}.conv2", f"{p}.bn2", w, w, 3)
            if stride != 1 or cin != cout:
                conv_bn(f"{p}.downsample.0", f"{p}.downsample.1", cin, cout, 1)
            cin = cout
    sd["fc.weight"] = torch.zeros(10, cin)
    sd["fc.bias"] = torch.zeros(10)
    return formula_weights(sd)


def hf_name(k, bottleneck):
    """torchvision name -> HF transformers ResNetModel name (None for the fc head)."""
    conv_bn = {"weight": "convolution.weight"}
    p = k.split(".")
    if p[0] == "fc":
        return None
    if p[0] in ("conv1", "bn1"):
        return "embedder.embedder." + ("convolution.weight" if p[0] == "conv1" else "normalization." + p[1])
    stage = int(p[0][len("layer"):]) - 1
    block = p[1]
    base = f"encoder.stages.{stage}.layers.{block}."
    if p[2] == "downsample":
        part = "convolution.weight" if p[3] == "0" else "normalization." + p[4]
        return base + "shortcut." + part
    idx = int(p[2][-1]) - 1
    part = "convolution.weight" if p[2].startswith("conv") else "normalization." + p[3]
    return base + f"layer.{idx}." + part


def crops():
    china = Image.fromarray(load_sample_image("china.jpg"))
    flower = Image.fromarray(load_sample_image("flower.jpg"))
    images = {
        "crop_china": china.crop((300, 120, 524, 344)),
        "crop_flower": flower.crop((200, 100, 424, 324)),
        "full_china": china.crop((100, 60, 460, 340)),
        "full_flower": flower.crop((140, 50, 500, 330)),
    }
    for k, im in images.items():
        im.save(f"{OUT}/{k}.png")
    # Re-read the PNGs so Python sees exactly the pixels Rust will.
    return {k: Image.open(f"{OUT}/{k}.png").convert("RGB") for k in images}


def main():
    os.makedirs(OUT, exist_ok=True)
    ims = crops()
    T = torchvision.transforms
    norm = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    plain = T.Compose([T.ToTensor(), norm])
    eval_tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), norm])
    x_crop = torch.stack([plain(ims["crop_china"]), plain(ims["crop_flower"])])
    x_full = torch.stack([eval_tf(ims["full_china"]), eval_tf(ims["full_flower"])])
    expected = {}
    for tag, ctor in [("r18", torchvision.models.resnet18), ("r50", torchvision.models.resnet50)]:
        model = ctor(weights=None)
        model.load_state_dict(formula_weights(model.state_dict()))
        model.fc = torch.nn.Identity()
        model.eval()
        with torch.no_grad():
            expected[f"{tag}_crop"] = model(x_crop).contiguous()
            expected[f"{tag}_full"] = model(x_full).contiguous()
        print(tag, "feature norms", expected[f"{tag}_crop"].norm(dim=1).tolist())
    save_file(expected, f"{OUT}/expected.safetensors")

    sd = narrow_state_dict([2, 2, 2, 2], False, 1 / 16)
    torch.save(sd, f"{OUT}/narrow_r18.pth")
    moco = {f"module.encoder_q.{k}": v for k, v in sd.items() if not k.startswith("fc.")}
    dim = sd["fc.weight"].shape[1]
    moco["module.encoder_q.fc.0.weight"] = formula_value("head0", (dim, dim))
    moco["module.encoder_q.fc.0.bias"] = formula_value("head0.bias", (dim,))
    moco["module.encoder_q.fc.2.weight"] = formula_value("head2", (16, dim))
    moco["module.encoder_q.fc.2.bias"] = formula_value("head2.bias", (16,))
    for k in list(moco):
        moco[k.replace("encoder_q", "encoder_k")] = moco[k].clone() * 0.5
    moco["module.queue"] = formula_value("queue", (16, 32))
    moco["module.queue_ptr"] = torch.zeros(1, dtype=torch.long)
    torch.save(
        {
            "epoch": 200,
            "arch": "resnet18",
            "state_dict": moco,
            "optimizer": {"state": {}, "param_groups": [{"lr": 0.03, "momentum": 0.9, "params": [0, 1]}]},
        },
        f"{OUT}/narrow_r18_moco.pth.tar",
    )
    hf = {hf_name(k, False): v for k, v in sd.items() if hf_name(k, False) and "num_batches" not in k}
    save_file(hf, f"{OUT}/narrow_r18_hf.safetensors")
    sd50 = narrow_state_dict([3, 4, 6, 3], True, 1 / 32)
    hf50 = {hf_name(k, True): v for k, v in sd50.items() if hf_name(k, True) and "num_batches" not in k}
    save_file(hf50, f"{OUT}/narrow_r50_hf.safetensors")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"fixtures: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
