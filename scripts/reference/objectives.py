"""PyTorch reference values and gradients for the sslinv-objectives losses, SGD and heads.

Run from the repository root:  python3 scripts/reference/objectives.py
Writes crates/objectives/tests/fixtures/objectives_reference.safetensors (a few KB). Deterministic
(torch.manual_seed), float64 computation stored as float32 inputs so both sides start from the
same numbers. Losses follow the papers' official code:
  - MoCo v2 InfoNCE: moco/builder.py (normalise q, k; logits = [q.k, q.queue] / T; CE label 0).
  - SimCLR NT-Xent: 2N x 2N cosine similarities / T, self-similarity removed, CE to the other view.
  - BYOL: 2 - 2 cos(p, z_target), mean over the batch.
  - Barlow Twins: c = bn(z1).T @ bn(z2) / N with BatchNorm1d(affine=False); on-diag (1-c)^2,
    off-diag lambda c^2.
"""
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}


def leaf(*shape):
    x = torch.randn(*shape).float()
    return x, x.double().requires_grad_(True)


def store(name, loss, inputs):
    loss.backward()
    out[f"{name}.loss"] = loss.detach().float().reshape(1)
    for key, (x32, x64) in inputs.items():
        out[f"{name}.{key}"] = x32
        if x64.grad is not None:
            out[f"{name}.grad_{key}"] = x64.grad.float()


# InfoNCE with a queue (MoCo v2, T = 0.2).
q32, q = leaf(6, 8)
k32, k = leaf(6, 8)
queue32 = F.normalize(torch.randn(10, 8), dim=1).float()
queue = queue32.double()
qn = F.normalize(q, dim=1)
kn = F.normalize(k, dim=1).detach()
logits = torch.cat([(qn * kn).sum(1, keepdim=True), qn @ queue.t()], dim=1) / 0.2
loss = F.cross_entropy(logits, torch.zeros(6, dtype=torch.long))
store("info_nce", loss, {"q": (q32, q), "k": (k32, k)})
out["info_nce.queue"] = queue32
out["info_nce.logits"] = logits.detach().float()

# NT-Xent (SimCLR, T = 0.5).
a32, a = leaf(5, 8)
b32, b = leaf(5, 8)
z = F.normalize(torch.cat([a, b]), dim=1)
sim = z @ z.t() / 0.5
sim = sim.masked_fill(torch.eye(10, dtype=torch.bool), float("-inf"))
target = torch.cat([torch.arange(5, 10), torch.arange(0, 5)])
store("nt_xent", F.cross_entropy(sim, target), {"z1": (a32, a), "z2": (b32, b)})

# BYOL normalised regression.
p32, p = leaf(6, 8)
t32, t = leaf(6, 8)
cos = (F.normalize(p, dim=1) * F.normalize(t.detach(), dim=1)).sum(1)
store("byol", (2 - 2 * cos).mean(), {"p": (p32, p), "z": (t32, t)})

# Barlow Twins, lambda = 0.0051.
x32, x = leaf(8, 6)
y32, y = leaf(8, 6)
bn = torch.nn.BatchNorm1d(6, affine=False).double()
c = bn(x).T @ bn(y) / 8
on = (torch.diagonal(c) - 1).pow(2).sum()
off = (c - torch.diag(torch.diagonal(c))).pow(2).sum()
store("barlow", on + 0.0051 * off, {"z1": (x32, x), "z2": (y32, y)})

# torch.optim.SGD(lr, momentum=0.9, weight_decay=1e-4): three steps with given gradients and a
# changing learning rate.
w0 = torch.randn(3, 4).float()
grads = [torch.randn(3, 4).float() for _ in range(3)]
lrs = [0.1, 0.05, 0.01]
w = torch.nn.Parameter(w0.double().clone())
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=1e-4)
for i, (g, lr) in enumerate(zip(grads, lrs)):
    for group in opt.param_groups:
        group["lr"] = lr
    w.grad = g.double()
    opt.step()
    out[f"sgd.grad{i}"] = g
    out[f"sgd.after{i}"] = w.detach().float().clone()
out["sgd.w0"] = w0

# LARS as the Barlow Twins / BYOL code: weight decay and the trust ratio eta |p| / |d| on
# weights only (biases and norm parameters, 1-D, are excluded), then momentum 0.9.
lw0 = torch.randn(3, 4).float()
lb0 = torch.randn(4).float()
lw, lb = lw0.double().clone(), lb0.double().clone()
mus = [torch.zeros_like(lw), torch.zeros_like(lb)]
for i in range(3):
    gw, gb = torch.randn(3, 4).float(), torch.randn(4).float()
    out[f"lars.gw{i}"], out[f"lars.gb{i}"] = gw, gb
    for j, (p, g) in enumerate([(lw, gw.double()), (lb, gb.double())]):
        d = g
        if p.ndim > 1:
            d = d + 1.5e-6 * p
            pn, dn = p.norm(), d.norm()
            d = d * (0.001 * pn / dn if pn > 0 and dn > 0 else 1.0)
        mus[j] = 0.9 * mus[j] + d
        p -= 0.2 * mus[j]
    out[f"lars.w{i}"], out[f"lars.b{i}"] = lw.float().clone(), lb.float().clone()
out["lars.w_init"], out["lars.b_init"] = lw0, lb0

# Head: Linear(8,16, no bias) - BatchNorm1d(16) (train) - ReLU - Linear(16,4), as BYOL's projector.
h32, h = leaf(7, 8)
w1 = torch.randn(16, 8).float() * 0.3
w2 = torch.randn(4, 16).float() * 0.3
b2 = torch.randn(4).float() * 0.1
g1 = 1 + 0.1 * torch.randn(16).float()
be1 = 0.1 * torch.randn(16).float()
mid = h @ w1.double().t()
mid = F.batch_norm(mid, None, None, g1.double(), be1.double(), training=True, eps=1e-5)
y_head = F.relu(mid) @ w2.double().t() + b2.double()
out.update({"head.x": h32, "head.w1": w1, "head.w2": w2, "head.b2": b2, "head.g1": g1, "head.be1": be1})
out["head.y"] = y_head.detach().float()

save_file({k: v.contiguous() for k, v in out.items()}, "crates/objectives/tests/fixtures/objectives_reference.safetensors")
print(f"wrote {len(out)} tensors")
