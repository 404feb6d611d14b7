#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures for Retort's RetortCore tests.

Every case runs a small op in PyTorch (CPU, float32, fixed seeds) and stores inputs,
weights, outputs and gradients as one compact JSON file in
Tests/RetortCoreTests/Fixtures/<case>.json. The Swift tests only read these files;
they never need PyTorch.

Layout conventions of the stored tensors:
  * images (x, y, dx, dy of image ops) are NHWC, as Retort uses them; PyTorch runs NCHW
    and the script permutes before storing;
  * weights keep PyTorch layouts (Linear [out, in], Conv2d [out, in/groups, kh, kw]).

File format:
  {"name": str, "meta": {str: number | str | bool | [int]}, "tensors": {str: {"shape": [int], "data": [float]}}}
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "Tests", "RetortCoreTests", "Fixtures"))


# ----------------------------------------------------------------------------- output

def _num(v):
    v = float(v)
    if not math.isfinite(v):
        raise ValueError("non-finite value in fixture")
    s = "%.9g" % v  # 9 significant digits round-trip float32 exactly
    return "0" if s in ("0", "-0") else s


def _dump(o):
    if isinstance(o, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + _dump(v) for k, v in o.items()) + "}"
    if isinstance(o, torch.Tensor):
        a = o.detach().to(torch.float32).contiguous().numpy()
        return '{"shape":' + json.dumps(list(a.shape)) + ',"data":[' + ",".join(_num(v) for v in a.reshape(-1)) + "]}"
    if isinstance(o, bool):
        return "true" if o else "false"
    if isinstance(o, int):
        return str(o)
    if isinstance(o, float):
        return _num(o)
    if isinstance(o, str):
        return json.dumps(o)
    if isinstance(o, (list, tuple)):
        return "[" + ",".join(_dump(v) for v in o) + "]"
    raise TypeError(type(o))


written = []


def write(name, meta, tensors):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + ".json")
    text = _dump({"name": name, "meta": meta, "tensors": tensors})
    with open(path, "w") as f:
        f.write(text + "\n")
    written.append((name, len(text)))


def seed(s):
    torch.manual_seed(s)
    np.random.seed(s)


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1).contiguous()


def randn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=torch.float32) * scale


# ----------------------------------------------------------------------------- layers

def layer_case(name, module, x, meta, image=True, extra=None):
    """Runs module on x (NCHW if image) with a random upstream grad; stores x, y, dy, dx,
    every parameter and its grad, plus `extra` (a dict, or a function of the module
    called after forward/backward, e.g. for running statistics)."""
    x = x.clone().requires_grad_(True)
    y = module(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    conv = nhwc if image else (lambda t: t.detach())
    tensors = {"x": conv(x), "y": conv(y) if (image and y.dim() == 4) else y.detach(),
               "dy": conv(dy) if (image and y.dim() == 4) else dy.detach(), "dx": conv(x.grad)}
    for pname, p in module.named_parameters():
        key = pname.replace(".", "_")
        tensors[key] = p.detach()
        tensors["d" + key] = p.grad.detach()
    if extra:
        tensors.update(extra(module) if callable(extra) else extra)
    write(name, meta, tensors)


def linear_cases():
    seed(1)
    m = nn.Linear(5, 3)
    layer_case("linear", m, randn(4, 5), {"in": 5, "out": 3, "bias": True}, image=False)
    seed(2)
    m = nn.Linear(6, 4, bias=False)
    layer_case("linear_nobias", m, randn(3, 6), {"in": 6, "out": 4, "bias": False}, image=False)
    seed(3)
    m = nn.Linear(5, 3)
    layer_case("linear_3d", m, randn(2, 3, 5), {"in": 5, "out": 3, "bias": True}, image=False)

    # Sliced: a 6×8 (out × in) max layer run at out 4 / in 5. PyTorch side: plain Linear with W[:4, :5].
    seed(4)
    wfull, bfull = randn(6, 8, scale=0.3), randn(6, scale=0.3)
    m = nn.Linear(5, 4)
    with torch.no_grad():
        m.weight.copy_(wfull[:4, :5]); m.bias.copy_(bfull[:4])
    x = randn(3, 5).requires_grad_(True)
    y = m(x); dy = torch.randn_like(y); y.backward(dy)
    dw = torch.zeros(6, 8); dw[:4, :5] = m.weight.grad
    db = torch.zeros(6); db[:4] = m.bias.grad
    write("linear_sliced", {"maxIn": 8, "maxOut": 6, "in": 5, "out": 4, "bias": True},
          {"x": x.detach(), "weight": wfull, "bias": bfull, "y": y.detach(), "dy": dy, "dx": x.grad,
           "dweight": dw, "dbias": db})


def conv_cases():
    specs = [
        # name, cin, cout, k, stride, pad, groups, bias, H, W
        ("conv3x3_s1_p1", 3, 4, 3, 1, 1, 1, True, 6, 6),
        ("conv3x3_s2_p1", 4, 6, 3, 2, 1, 1, True, 7, 7),
        ("conv1x1", 6, 5, 1, 1, 0, 1, True, 5, 4),
        ("conv3x3_nobias", 3, 4, 3, 1, 1, 1, False, 5, 5),
        ("conv_dw3x3_s2_p1", 6, 6, 3, 2, 1, 6, True, 8, 8),
        ("conv_dw3x3_s1_p1_nobias", 5, 5, 3, 1, 1, 5, False, 5, 6),
        ("conv_groups2", 4, 6, 3, 1, 1, 2, True, 5, 5),
        ("conv3x3_s2_p0", 3, 4, 3, 2, 0, 1, True, 8, 8),
    ]
    for i, (name, cin, cout, k, s, p, g, b, h, w) in enumerate(specs):
        seed(100 + i)
        m = nn.Conv2d(cin, cout, k, stride=s, padding=p, groups=g, bias=b)
        meta = {"in": cin, "out": cout, "kernel": k, "stride": s, "padding": p, "groups": g, "bias": b}
        layer_case(name, m, randn(2, cin, h, w), meta)

    # Sliced: Conv2d(8 → 6, 3×3 s1 p1) at max width, run with 5 input channels and activeOut 4.
    seed(120)
    wfull, bfull = randn(6, 8, 3, 3, scale=0.2), randn(6, scale=0.2)
    m = nn.Conv2d(5, 4, 3, stride=1, padding=1)
    with torch.no_grad():
        m.weight.copy_(wfull[:4, :5]); m.bias.copy_(bfull[:4])
    x = randn(2, 5, 5, 5).requires_grad_(True)
    y = m(x); dy = torch.randn_like(y); y.backward(dy)
    dw = torch.zeros_like(wfull); dw[:4, :5] = m.weight.grad
    db = torch.zeros(6); db[:4] = m.bias.grad
    write("conv_sliced", {"maxIn": 8, "maxOut": 6, "in": 5, "out": 4, "kernel": 3, "stride": 1, "padding": 1,
                          "groups": 1, "bias": True},
          {"x": nhwc(x), "weight": wfull, "bias": bfull, "y": nhwc(y), "dy": nhwc(dy), "dx": nhwc(x.grad),
           "dweight": dw, "dbias": db})


def batchnorm_cases():
    # Train: forward + backward + running statistics after one step.
    seed(200)
    c = 6
    m = nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        m.weight.copy_(1 + 0.3 * randn(c)); m.bias.copy_(0.3 * randn(c))
        m.running_mean.copy_(0.2 * randn(c)); m.running_var.copy_(1 + 0.3 * torch.rand(c))
    rm0, rv0 = m.running_mean.clone(), m.running_var.clone()
    m.train()
    x = randn(4, c, 5, 5, scale=2) + 0.5
    layer_case("batchnorm_train", m, x, {"features": c, "eps": 1e-5, "momentum": 0.1, "training": True},
               extra=lambda m: {"running_mean0": rm0, "running_var0": rv0,
                                "running_mean": m.running_mean.clone(), "running_var": m.running_var.clone()})
    # Eval: uses the running statistics.
    seed(201)
    m = nn.BatchNorm2d(c, eps=1e-3, momentum=0.1)
    with torch.no_grad():
        m.weight.copy_(1 + 0.3 * randn(c)); m.bias.copy_(0.3 * randn(c))
        m.running_mean.copy_(0.5 * randn(c)); m.running_var.copy_(0.5 + torch.rand(c))
    m.eval()
    rm0, rv0 = m.running_mean.clone(), m.running_var.clone()
    layer_case("batchnorm_eval", m, randn(3, c, 4, 4), {"features": c, "eps": 1e-3, "momentum": 0.1, "training": False},
               extra=lambda m: {"running_mean0": rm0, "running_var0": rv0,
                                "running_mean": m.running_mean.clone(), "running_var": m.running_var.clone()})


    # [N, F] input (BatchNorm1d), train mode.
    seed(202)
    m = nn.BatchNorm1d(5, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        m.weight.copy_(1 + 0.3 * randn(5)); m.bias.copy_(0.3 * randn(5))
    m.train()
    rm0, rv0 = m.running_mean.clone(), m.running_var.clone()
    layer_case("batchnorm_train_2d", m, randn(7, 5, scale=1.5) - 0.3,
               {"features": 5, "eps": 1e-5, "momentum": 0.1, "training": True}, image=False,
               extra=lambda m: {"running_mean0": rm0, "running_var0": rv0,
                                "running_mean": m.running_mean.clone(), "running_var": m.running_var.clone()})
    # Sliced: BatchNorm(8) at max width run on 5 channels (shared running statistics).
    # PyTorch side: BatchNorm2d(5) with the first-5 slices of gamma, beta and running stats.
    seed(203)
    gfull, bfull = 1 + 0.3 * randn(8), 0.3 * randn(8)
    rmfull, rvfull = 0.2 * randn(8), 1 + 0.3 * torch.rand(8)
    m = nn.BatchNorm2d(5, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        m.weight.copy_(gfull[:5]); m.bias.copy_(bfull[:5])
        m.running_mean.copy_(rmfull[:5]); m.running_var.copy_(rvfull[:5])
    m.train()
    x = (randn(3, 5, 4, 4, scale=2) + 0.5).requires_grad_(True)
    y = m(x); dy = torch.randn_like(y); y.backward(dy)
    dg = torch.zeros(8); dg[:5] = m.weight.grad
    db = torch.zeros(8); db[:5] = m.bias.grad
    rm1, rv1 = rmfull.clone(), rvfull.clone()
    rm1[:5] = m.running_mean; rv1[:5] = m.running_var
    write("batchnorm_sliced", {"features": 8, "active": 5, "eps": 1e-5, "momentum": 0.1, "training": True},
          {"x": nhwc(x), "weight": gfull, "bias": bfull, "running_mean0": rmfull, "running_var0": rvfull,
           "y": nhwc(y), "dy": nhwc(dy), "dx": nhwc(x.grad), "dweight": dg, "dbias": db,
           "running_mean": rm1, "running_var": rv1})


def activation_cases():
    seed(300); layer_case("relu", nn.ReLU(), randn(2, 3, 4, 4), {})
    seed(301); layer_case("relu6", nn.ReLU6(), randn(2, 3, 4, 4, scale=5), {})
    seed(302); layer_case("gelu", nn.GELU(), randn(2, 3, 4, 4, scale=2), {"approximate": "none"})
    seed(304); layer_case("softmax", nn.Softmax(dim=-1), randn(5, 7, scale=2), {"dim": -1}, image=False)

    seed(305)
    m = nn.LayerNorm(8, eps=1e-5)
    with torch.no_grad():
        m.weight.copy_(1 + 0.3 * randn(8)); m.bias.copy_(0.3 * randn(8))
    layer_case("layernorm", m, randn(6, 8, scale=2) + 1, {"features": 8, "eps": 1e-5}, image=False)
    seed(306)
    m = nn.LayerNorm(8, eps=1e-5)
    with torch.no_grad():
        m.weight.copy_(1 + 0.3 * randn(8)); m.bias.copy_(0.3 * randn(8))
    # NHWC tensor normalised over its channel (last) dimension: no permute needed.
    layer_case("layernorm_4d", m, randn(2, 3, 3, 8), {"features": 8, "eps": 1e-5}, image=False)

    # Dropout: masks come from different RNGs, so only p = 0 equivalence and the 1/(1−p)
    # scale of kept units are comparable. The torch output is stored for reference.
    seed(307)
    x = randn(8, 32)
    p = 0.3
    d = nn.Dropout(p).train()
    y = d(x)
    kept = y != 0
    scale = (y[kept] / x[kept])
    assert torch.allclose(scale, torch.full_like(scale, 1 / (1 - p)))
    y0 = nn.Dropout(0.0).train()(x)
    assert torch.equal(y0, x)
    write("dropout", {"p": p, "scale": float(1 / (1 - p)), "torch_kept_fraction": float(kept.float().mean())},
          {"x": x, "y_torch": y, "y_p0": y0})


def shape_cases():
    seed(400)
    x = randn(2, 5, 3, 4).requires_grad_(True)          # NCHW: C=5, H=3, W=4
    y = x.mean(dim=(2, 3)); dy = torch.randn_like(y); y.backward(dy)
    write("global_avg_pool", {}, {"x": nhwc(x), "y": y.detach(), "dy": dy, "dx": nhwc(x.grad)})

    seed(401)
    x = randn(2, 5, 3, 4).requires_grad_(True)
    y = x.permute(0, 2, 3, 1).flatten(1); dy = torch.randn_like(y); y.backward(dy)
    write("flatten", {}, {"x": nhwc(x), "y": y.detach(), "dy": dy, "dx": nhwc(x.grad)})

    # Residual(Sequential(conv3x3 s1 p1 C→C, ReLU)): y = x + relu(conv(x)).
    seed(402)
    c = 4
    conv = nn.Conv2d(c, c, 3, padding=1)
    x = randn(2, c, 5, 5).requires_grad_(True)
    y = x + F.relu(conv(x)); dy = torch.randn_like(y); y.backward(dy)
    write("residual", {"channels": c, "inner": "conv3x3_s1_p1+relu"},
          {"x": nhwc(x), "weight": conv.weight.detach(), "bias": conv.bias.detach(), "y": nhwc(y), "dy": nhwc(dy),
           "dx": nhwc(x.grad), "dweight": conv.weight.grad, "dbias": conv.bias.grad})


# ----------------------------------------------------------------------------- losses

def loss_cases():
    b, c = 8, 10
    for i, (eps, weighted) in enumerate([(0.0, False), (0.1, False), (0.0, True), (0.1, True)]):
        seed(500 + i)
        logits = randn(b, c, scale=3).requires_grad_(True)
        labels = torch.randint(0, c, (b,))
        w = torch.rand(b) * 2 if weighted else torch.ones(b)
        loss = (F.cross_entropy(logits, labels, label_smoothing=eps, reduction="none") * w).mean()
        loss.backward()
        name = "cross_entropy_eps%s%s" % (("%g" % eps).replace(".", "p"), "_weighted" if weighted else "")
        tensors = {"logits": logits.detach(), "grad": logits.grad, "loss": loss.detach().reshape(1)}
        if weighted:
            tensors["weights"] = w
        write(name, {"labelSmoothing": eps, "labels": [int(v) for v in labels]}, tensors)

    for i, (t, weighted) in enumerate([(1.0, True), (2.0, True), (4.0, True), (2.0, False)]):
        seed(510 + i)
        s = randn(b, c, scale=3).requires_grad_(True)
        te = randn(b, c, scale=3)
        w = torch.rand(b) * 2 if weighted else torch.ones(b)
        kl = F.kl_div(F.log_softmax(s / t, 1), F.softmax(te / t, 1), reduction="none").sum(1)
        loss = (kl * w).mean() * t * t
        loss.backward()
        name = "soft_kl_T%d%s" % (int(t), "_weighted" if weighted else "")
        tensors = {"student": s.detach(), "teacher": te, "grad": s.grad, "loss": loss.detach().reshape(1)}
        if weighted:
            tensors["weights"] = w
        write(name, {"temperature": t}, tensors)

    seed(520)
    logits = randn(b, c, scale=3)
    logits[0] = 0  # uniform row: entropy log C
    ent = torch.distributions.Categorical(logits=logits).entropy()
    write("softmax_entropy", {}, {"logits": logits, "entropy": ent})


# ----------------------------------------------------------------------------- optimisers

def optim_case(name, seed_value, make, lrs, meta, state_keys):
    seed(seed_value)
    w = nn.Parameter(randn(4, 3))
    b = nn.Parameter(randn(4))
    tensors = {"w0": w.detach().clone(), "b0": b.detach().clone()}
    opt = make([{"params": [w]}, {"params": [b], "weight_decay": 0.0}])
    for k, lr in enumerate(lrs, start=1):
        for g in opt.param_groups:
            g["lr"] = lr
        w.grad = randn(4, 3); b.grad = randn(4)
        tensors["gw%d" % k] = w.grad.clone(); tensors["gb%d" % k] = b.grad.clone()
        opt.step()
        tensors["w%d" % k] = w.detach().clone(); tensors["b%d" % k] = b.detach().clone()
        for key, sk in state_keys.items():
            tensors["%s_w%d" % (key, k)] = opt.state[w][sk].clone()
            tensors["%s_b%d" % (key, k)] = opt.state[b][sk].clone()
    write(name, dict(meta, lrs=[float(v) for v in lrs], steps=len(lrs)), tensors)


def optimizer_cases():
    lrs = [0.1, 0.05, 0.02]
    sgd = torch.optim.SGD
    optim_case("sgd_plain", 601, lambda g: sgd(g, lr=lrs[0]), lrs,
               {"momentum": 0.0, "nesterov": False, "weightDecay": 0.0}, {})
    optim_case("sgd_weight_decay", 602, lambda g: sgd(g, lr=lrs[0], weight_decay=0.1), lrs,
               {"momentum": 0.0, "nesterov": False, "weightDecay": 0.1}, {})
    optim_case("sgd_momentum", 603, lambda g: sgd(g, lr=lrs[0], momentum=0.9), lrs,
               {"momentum": 0.9, "nesterov": False, "weightDecay": 0.0}, {"buf": "momentum_buffer"})
    optim_case("sgd_momentum_wd", 604, lambda g: sgd(g, lr=lrs[0], momentum=0.9, weight_decay=0.1), lrs,
               {"momentum": 0.9, "nesterov": False, "weightDecay": 0.1}, {"buf": "momentum_buffer"})
    optim_case("sgd_nesterov_wd", 605, lambda g: sgd(g, lr=lrs[0], momentum=0.9, nesterov=True, weight_decay=0.1), lrs,
               {"momentum": 0.9, "nesterov": True, "weightDecay": 0.1}, {"buf": "momentum_buffer"})
    alrs = [1e-2, 5e-3, 2e-3]
    adamw = torch.optim.AdamW
    optim_case("adamw", 606, lambda g: adamw(g, lr=alrs[0], weight_decay=0.1), alrs,
               {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weightDecay": 0.1},
               {"m": "exp_avg", "v": "exp_avg_sq"})
    optim_case("adamw_betas", 607, lambda g: adamw(g, lr=alrs[0], betas=(0.8, 0.99), eps=1e-6, weight_decay=0.5), alrs,
               {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weightDecay": 0.5},
               {"m": "exp_avg", "v": "exp_avg_sq"})


def schedule_cases():
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
    import warnings
    for name, base, warm, total, mn in [("cosine_schedule", 0.1, 5, 30, 0.001),
                                        ("cosine_schedule_nowarmup", 0.05, 0, 20, 0.0)]:
        p = nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=base)
        if warm > 0:
            sched = SequentialLR(opt, [LinearLR(opt, start_factor=1 / warm, end_factor=1.0, total_iters=warm - 1),
                                       CosineAnnealingLR(opt, T_max=total - warm, eta_min=mn)], milestones=[warm])
        else:
            sched = CosineAnnealingLR(opt, T_max=total, eta_min=mn)
        values = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(total + 1):
                values.append(opt.param_groups[0]["lr"])
                opt.step(); sched.step()
        # The same formula in closed form (documented on CosineSchedule), as a cross-check of torch's recursion.
        closed = []
        for s in range(total + 1):
            if s < warm:
                closed.append(base * (s + 1) / warm)
            else:
                q = min(1.0, (s - warm) / max(1, total - warm))
                closed.append(mn + (base - mn) * 0.5 * (1 + math.cos(math.pi * q)))
        assert max(abs(a - c) for a, c in zip(values, closed)) < 1e-7, (values, closed)
        write(name, {"baseLR": base, "warmupSteps": warm, "totalSteps": total, "minLR": mn},
              {"lr": torch.tensor(values, dtype=torch.float32)})


def main():
    for old in os.listdir(OUT) if os.path.isdir(OUT) else []:
        if old.endswith(".json"):
            os.remove(os.path.join(OUT, old))
    linear_cases(); conv_cases(); batchnorm_cases(); activation_cases(); shape_cases()
    loss_cases(); optimizer_cases(); schedule_cases()
    total = sum(n for _, n in written)
    for name, n in written:
        print("%-28s %8d bytes" % (name, n))
    print("%d fixtures, %d bytes in %s (torch %s)" % (len(written), total, OUT, torch.__version__))


if __name__ == "__main__":
    sys.exit(main())
