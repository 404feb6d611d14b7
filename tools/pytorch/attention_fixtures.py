#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures for Retort's Attention engine tests.

Run:  .venv/bin/python tools/pytorch/attention_fixtures.py
Out:  Tests/AttentionTests/Fixtures/<case>.json (committed; the Swift tests never need PyTorch)

Cases
  attn_<kind>_<train|eval>  one attention core (qkv [B, n, 3·D] -> Z [B, n, D]) for every kind:
                            input, output, upstream gradient, dqkv, quantiser running statistics.
  vit_<kind>                a tiny ViT (8x8 images, patch 4, width 16, 2 heads, 2 blocks): every
                            parameter, a batch, training-mode logits, loss and every parameter
                            gradient, then evaluation-mode logits (after the training step's
                            quantiser statistics update).

Numerics: everything runs in float64 from float32-representable inputs, except the fake quantiser
of the single-attention cases, which runs in float32 exactly as the released code does
(src/quantize.py) so the quantised values match Retort bit for bit. Every case checks that no
predicted probability lies within 1e-3 (relative) of the mask threshold and, for the ViT, that no
value being quantised lies within 1e-3 of a rounding boundary, so float32 round-off in Retort
cannot flip a mask bit or a quantisation level; seeds are advanced until that holds.

Layouts match Retort: qkv columns are (3, H, d) as PyTorch's reshape(B, n, 3, H, d); images
are NHWC; the patch projection is Conv2d's weight permuted to [D, p, p, C] and flattened;
Linear weights are [out, in].
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "Tests", "AttentionTests", "Fixtures"))
THRESHOLD = 0.002
MOMENTUM = 0.9
BITS = 4


# ----------------------------------------------------------------------------- output

def _num(v):
    v = float(v)
    if not math.isfinite(v):
        raise ValueError("non-finite value in fixture")
    s = "%.9g" % v
    return "0" if s in ("0", "-0") else s


def _dump(o):
    if isinstance(o, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + _dump(v) for k, v in o.items()) + "}"
    if isinstance(o, torch.Tensor):
        a = o.detach().to(torch.float64).contiguous().reshape(-1).tolist()
        return '{"shape":' + json.dumps(list(o.shape)) + ',"data":[' + ",".join(_num(v) for v in a) + "]}"
    if isinstance(o, bool):
        return "true" if o else "false"
    if isinstance(o, (int, float)):
        return _num(o) if isinstance(o, float) else str(o)
    if isinstance(o, str):
        return json.dumps(o)
    if isinstance(o, (list, tuple)):
        return "[" + ",".join(_dump(v) for v in o) + "]"
    raise TypeError(type(o))


def write(name, meta, tensors):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        f.write(_dump({"name": name, "meta": meta, "tensors": tensors}) + "\n")
    print("wrote", name)


def f32(t):
    """Rounds to float32 and back, so stored inputs are exact for Retort."""
    return t.to(torch.float32).to(torch.float64)


# ----------------------------------------------------------------------------- the quantiser

class MarginError(Exception):
    pass


class QuantMeasure:
    """The released code's QuantMeasure(4): per-tensor min/max (this batch in training, the EMA
    running values in eval), uniform asymmetric quantisation, straight-through gradient."""

    def __init__(self, bits=BITS, momentum=MOMENTUM, exact_float32=False, margin=None):
        self.bits, self.momentum = bits, momentum
        self.running_zero_point = torch.zeros((), dtype=torch.float32)
        self.running_range = torch.zeros((), dtype=torch.float32)
        self.exact_float32 = exact_float32
        self.margin = margin

    def __call__(self, x, training):
        dtype = torch.float32 if self.exact_float32 else torch.float64
        xd = x.detach().to(dtype)
        if training:
            zp, rng = xd.min(), xd.max() - xd.min()
            keep = 1 - self.momentum  # a Python double, rounded to float32 by the op, as in the repo
            self.running_zero_point = self.running_zero_point * self.momentum + zp.to(torch.float32) * keep
            self.running_range = self.running_range * self.momentum + rng.to(torch.float32) * keep
        else:
            zp, rng = self.running_zero_point.to(dtype), self.running_range.to(dtype)
        levels = 2.0 ** self.bits - 1
        scale = torch.clamp(rng / levels, min=1e-8)
        u = (xd - zp) / scale
        if self.margin is not None:
            frac = u - torch.floor(u)
            if (frac - 0.5).abs().min().item() < self.margin:
                raise MarginError("value near a rounding boundary")
        q = torch.clamp(torch.round(u), 0, levels) * scale + zp
        q = q.to(torch.float64)
        return x + (q - x).detach()  # straight-through estimator


# ----------------------------------------------------------------------------- attention kinds

def check_mask_margin(p):
    rel = ((p - THRESHOLD).abs() / THRESHOLD).min().item()
    if rel < 1e-3:
        raise MarginError("predicted probability near the threshold")


def sparse_term(qq, kq, v, d):
    """S_sparse·V with S_sparse = M ⊙ softmax(Q̃K̃ᵀ/√d), M = [P̃ > τ]; returns (term, kept fraction)."""
    p = torch.softmax(qq @ kq.transpose(-2, -1) / math.sqrt(d), dim=-1)
    check_mask_margin(p.detach())
    mask = (p > THRESHOLD).to(p.dtype)
    return (mask * p) @ v, mask.mean().item()


def attention(kind, qkv, heads, training, quant_q, quant_k):
    """qkv [B, n, 3·D] -> [B, n, D]; returns (z, mask density or None)."""
    b, n, c3 = qkv.shape
    c = c3 // 3
    d = c // heads
    q, k, v = qkv.reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    density = None
    if kind == "softmax":
        z = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1) @ v
    elif kind in ("taylor", "taylor-sparse"):
        kh = k - k.mean(dim=-2, keepdim=True)                      # Step 1
        g = kh.transpose(-2, -1) @ v                               # Step 2
        ksum, vsum = kh.sum(-2, keepdim=True), v.sum(-2, keepdim=True)  # Step 3
        t_d = n * math.sqrt(d) + q @ ksum.transpose(-2, -1)        # Step 4
        t_n = math.sqrt(d) * vsum + q @ g                          # Step 5
        z = t_n / t_d                                              # Step 6
        if kind == "taylor-sparse" and training:
            qq, kq = quant_q(q, training), quant_k(k, training)
            s, density = sparse_term(qq, kq, v, d)
            z = z + s
    elif kind == "taylor-repo":
        # src/vision_transformer.py:115-128: one QuantMeasure shared by q and k.
        qq, kq = quant_q(q, training), quant_q(k, training)
        s, density = sparse_term(qq, kq, v, d)
        kc = k - k.mean(dim=-1, keepdim=True)
        z = (s + q @ (kc.transpose(-2, -1) @ v)) / math.sqrt(d)
    else:
        raise ValueError(kind)
    return z.transpose(1, 2).reshape(b, n, c), density


def attention_cases():
    b, n, heads, d = 2, 9, 2, 8
    c = heads * d
    for kind in ("softmax", "taylor", "taylor-sparse", "taylor-repo"):
        for training in (True, False):
            if kind in ("softmax", "taylor") and not training:
                continue
            seed = 1000 + 10 * ["softmax", "taylor", "taylor-sparse", "taylor-repo"].index(kind) + (0 if training else 5)
            while True:
                torch.manual_seed(seed)
                scale = 2.0 if kind in ("taylor-sparse", "taylor-repo") else 1.0
                qkv = f32(torch.randn(b, n, 3 * c, dtype=torch.float64) * scale).requires_grad_(True)
                dy = f32(torch.randn(b, n, c, dtype=torch.float64))
                qq = QuantMeasure(exact_float32=True)
                qk = QuantMeasure(exact_float32=True)
                if not training:
                    # Running statistics as after some training (the eval pass uses them).
                    qq.running_zero_point = torch.tensor(-5.5, dtype=torch.float32)
                    qq.running_range = torch.tensor(11.25, dtype=torch.float32)
                try:
                    z, density = attention(kind, qkv, heads, training, qq, qk)
                except MarginError:
                    seed += 100
                    continue
                break
            meta = {"kind": kind, "training": training, "batch": b, "tokens": n, "heads": heads, "headDim": d,
                    "threshold": THRESHOLD, "bits": BITS, "momentum": MOMENTUM, "seed": seed}
            tensors = {"qkv": qkv.detach(), "y": z.detach(), "dy": dy}
            if density is not None:
                meta["maskDensity"] = density
            meta["runningQ"] = [float(qq.running_zero_point), float(qq.running_range)]
            meta["runningK"] = [float(qk.running_zero_point), float(qk.running_range)]
            if training:
                z.backward(dy)
                tensors["dqkv"] = qkv.grad.detach()
            name = "attn_" + kind.replace("-", "_") + ("_train" if training else "_eval")
            write(name, meta, tensors)


# ----------------------------------------------------------------------------- tiny ViT

class TinyViT:
    """The same network as Retort's VisionTransformer, written out with plain tensors."""

    def __init__(self, kind, image=8, channels=1, patch=4, width=16, heads=2, depth=2, mlp=4, classes=3, seed=0):
        g = torch.Generator().manual_seed(seed)

        def rnd(*shape, std=0.3, mean=0.0):
            return f32(torch.randn(*shape, generator=g, dtype=torch.float64) * std + mean).requires_grad_(True)

        self.kind, self.patch, self.width, self.heads, self.depth = kind, patch, width, heads, depth
        tokens = (image // patch) ** 2 + 1
        self.p = {"cls_token": rnd(width), "pos_embed": rnd(tokens, width),
                  "patch_embed.proj.weight": rnd(width, patch * patch * channels),
                  "patch_embed.proj.bias": rnd(width, std=0.1)}
        for i in range(depth):
            pre = "blocks.%d." % i
            for ln in ("norm1", "norm2"):
                self.p[pre + ln + ".weight"] = rnd(width, std=0.1, mean=1.0)
                self.p[pre + ln + ".bias"] = rnd(width, std=0.1)
            for name, (o, n_in) in {"attn.qkv": (3 * width, width), "attn.proj": (width, width),
                                    "mlp.fc1": (mlp * width, width), "mlp.fc2": (width, mlp * width)}.items():
                self.p[pre + name + ".weight"] = rnd(o, n_in, std=1.0 / math.sqrt(n_in))
                self.p[pre + name + ".bias"] = rnd(o, std=0.1)
        self.p["norm.weight"] = rnd(width, std=0.1, mean=1.0)
        self.p["norm.bias"] = rnd(width, std=0.1)
        self.p["head.weight"] = rnd(classes, width, std=0.3)
        self.p["head.bias"] = rnd(classes, std=0.1)
        self.quant = [(QuantMeasure(margin=1e-3), QuantMeasure(margin=1e-3)) for _ in range(depth)]
        self.densities = []

    def forward(self, x_nhwc, training):
        p = self.p
        b, h, w, c = x_nhwc.shape
        ps = self.patch
        # patches in (py, px) order, each flattened as (dy, dx, c)
        pt = x_nhwc.reshape(b, h // ps, ps, w // ps, ps, c).permute(0, 1, 3, 2, 4, 5).reshape(b, -1, ps * ps * c)
        t = pt @ p["patch_embed.proj.weight"].T + p["patch_embed.proj.bias"]
        t = torch.cat([p["cls_token"].expand(b, 1, -1), t], dim=1) + p["pos_embed"]
        self.densities = []
        for i in range(self.depth):
            pre = "blocks.%d." % i
            y = F.layer_norm(t, (self.width,), p[pre + "norm1.weight"], p[pre + "norm1.bias"], eps=1e-6)
            qkv = y @ p[pre + "attn.qkv.weight"].T + p[pre + "attn.qkv.bias"]
            z, dens = attention(self.kind, qkv, self.heads, training, *self.quant[i])
            self.densities.append(dens)
            t = t + (z @ p[pre + "attn.proj.weight"].T + p[pre + "attn.proj.bias"])
            y = F.layer_norm(t, (self.width,), p[pre + "norm2.weight"], p[pre + "norm2.bias"], eps=1e-6)
            y = F.gelu(y @ p[pre + "mlp.fc1.weight"].T + p[pre + "mlp.fc1.bias"])
            t = t + (y @ p[pre + "mlp.fc2.weight"].T + p[pre + "mlp.fc2.bias"])
        cls = F.layer_norm(t[:, 0], (self.width,), p["norm.weight"], p["norm.bias"], eps=1e-6)
        return cls @ p["head.weight"].T + p["head.bias"]


def vit_cases():
    for kind in ("softmax", "taylor", "taylor-sparse", "taylor-repo"):
        seed = 500 + ["softmax", "taylor", "taylor-sparse", "taylor-repo"].index(kind)
        while True:
            model = TinyViT(kind, seed=seed)
            g = torch.Generator().manual_seed(seed + 1)
            x = f32(torch.randn(3, 8, 8, 1, generator=g, dtype=torch.float64))
            labels = [0, 2, 1]
            try:
                logits = model.forward(x, training=True)
                loss = F.cross_entropy(logits, torch.tensor(labels))
                loss.backward()
                train_dens = list(model.densities)
                with torch.no_grad():
                    eval_logits = model.forward(x, training=False)
            except MarginError:
                seed += 100
                continue
            break
        tensors = {"x": x, "logits": logits.detach(), "eval_logits": eval_logits}
        for name, t in model.p.items():
            tensors["param:" + name] = t.detach()
            tensors["grad:" + name] = t.grad.detach()
        meta = {"kind": kind, "loss": float(loss.detach()), "labels": labels, "imageSize": 8, "channels": 1, "patchSize": 4,
                "width": 16, "heads": 2, "depth": 2, "mlpRatio": 4, "classes": 3, "threshold": THRESHOLD, "seed": seed}
        if train_dens[0] is not None:
            meta["maskDensity"] = train_dens
        write("vit_" + kind.replace("-", "_"), meta, tensors)


if __name__ == "__main__":
    attention_cases()
    vit_cases()
