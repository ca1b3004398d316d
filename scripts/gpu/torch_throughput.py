"""ResNet-50 feature-extraction throughput of the machine's own PyTorch, at 224 px.

    python3 scripts/gpu/torch_throughput.py [--device cuda] [--batch 64] [--iters 10]

Prints one line per precision: `torch <mode> <images/s> <rel L2 of features vs fp32>`.
Modes: fp32 (TF32 off), tf32 (TF32 matmul + cuDNN conv), bf16 (autocast), bf16-cl (autocast,
channels_last). The timed work is the forward pass to pooled 2048-d features on a batch
already on the device (no decode, no preprocessing), synchronised, after warm-up.
Uses torchvision's resnet50 when importable, else an equivalent definition below.
"""

import argparse
import time

import torch
from torch import nn


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        return self.relu(self.bn3(self.conv3(y)) + idt)


def resnet50_trunk():
    """ResNet-50 up to global average pooling (2048-d output)."""
    try:
        import torchvision

        m = torchvision.models.resnet50()
        m.fc = nn.Identity()
        return m, "torchvision"
    except Exception:  # torchvision missing or broken on this machine
        pass
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            layers.append(Bottleneck(cin, width, stride if i == 0 else 1))
            cin = width * 4
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), "own definition"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--iters", type=int, default=10)
    args = ap.parse_args()
    dev = torch.device(args.device)
    torch.manual_seed(0)
    model, source = resnet50_trunk()
    model = model.eval().to(dev)
    x = torch.randn(args.batch, 3, 224, 224, device=dev)
    cuda = dev.type == "cuda"
    if cuda:
        print(f"# torch {torch.__version__}, {torch.cuda.get_device_name(0)}, resnet50 from {source}")

    def sync():
        if cuda:
            torch.cuda.synchronize()

    def run(mode):
        tf32 = mode == "tf32"
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        m, inp = model, x
        if mode == "bf16-cl":
            m, inp = model.to(memory_format=torch.channels_last), x.to(memory_format=torch.channels_last)
        bf16 = mode.startswith("bf16")
        with torch.inference_mode(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
            for _ in range(3):
                out = m(inp)
            sync()
            t = time.perf_counter()
            for _ in range(args.iters):
                out = m(inp)
            sync()
            dt = time.perf_counter() - t
        if mode == "bf16-cl":
            model.to(memory_format=torch.contiguous_format)
        return args.batch * args.iters / dt, out.float()

    modes = ["fp32", "tf32", "bf16", "bf16-cl"] if cuda else ["fp32"]
    ref = None
    for mode in modes:
        ips, out = run(mode)
        if ref is None:
            ref = out
        rel = ((out - ref).norm() / ref.norm()).item()
        print(f"torch {mode} {ips:.1f} {rel:.3e}", flush=True)


if __name__ == "__main__":
    main()
