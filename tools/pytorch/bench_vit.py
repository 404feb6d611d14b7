#!/usr/bin/env python3
"""ViT training-step reference for `retort bench vit`.

Builds the ViTs Retort benchmarks (Sources/Attention/VisionTransformer.swift, ViTConfig presets):
  vit-mnist  28×28×1, patch 4 → 49+1 tokens, width 64, 4 heads, depth 4, MLP ×4, 10 classes
  deit-tiny  224×224×3, patch 16 → 196+1 tokens, width 192, 3 heads, depth 12, MLP ×4, 1000 classes
with Retort's initialisation scale (DeiT: truncated N(0, 0.02²) for CLS, positions and linear weights,
zero biases, LayerNorm ε = 1e-6, PyTorch's default patch conv; the qkv projection Xavier-uniform
U(±√(6/4D)) as Retort's MultiHeadAttention), and times one full training step — forward,
cross-entropy with label smoothing 0.1, backward, AdamW (lr 2e-3, weight decay 0.05 on weights only) —
on synthetic seeded N(0, 1) images and uniform labels.
Attention: softmax = F.scaled_dot_product_attention; taylor = ViTALiTy's six-step linear Taylor
attention (vitality §1.2; the form of attention_bench.py), autograd through it.
Timing rule (as Retort's): `--warmup` untimed steps, then the median of `--steps` timed steps
(wall clock, and process CPU time per step over all threads).
Prints one JSON line per (threads, model, batch, kind):
{"model", "kind", "batch", "threads", "ms_per_step", "cpu_ms_per_step", "images_per_s", "torch"}

    .venv/bin/python tools/pytorch/bench_vit.py --threads 2 --models vit-mnist --kinds softmax,taylor
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    "vit-mnist": dict(image=28, channels=1, patch=4, width=64, heads=4, depth=4, mlp=4, classes=10, batch=32),
    "deit-tiny": dict(image=224, channels=3, patch=16, width=192, heads=3, depth=12, mlp=4, classes=1000, batch=8),
}


# the six-step Taylor attention of attention_bench.py (this script's folder is on sys.path)
from attention_bench import taylor_attention  # noqa: E402


def deit_linear(i, o):
    lin = nn.Linear(i, o)
    nn.init.trunc_normal_(lin.weight, std=0.02)
    nn.init.zeros_(lin.bias)
    return lin


class Attention(nn.Module):
    def __init__(self, width, heads, kind):
        super().__init__()
        self.heads, self.kind = heads, kind
        self.qkv = nn.Linear(width, 3 * width)
        bound = math.sqrt(6 / (4 * width))
        nn.init.uniform_(self.qkv.weight, -bound, bound)
        nn.init.zeros_(self.qkv.bias)
        self.proj = deit_linear(width, width)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        z = F.scaled_dot_product_attention(q, k, v) if self.kind == "softmax" else taylor_attention(q, k, v)
        return self.proj(z.transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, width, heads, mlp, kind):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.attn = Attention(width, heads, kind)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.fc1 = deit_linear(width, mlp * width)
        self.fc2 = deit_linear(mlp * width, width)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    def __init__(self, image, channels, patch, width, heads, depth, mlp, classes, kind, **_):
        super().__init__()
        tokens = (image // patch) ** 2 + 1
        self.patch_embed = nn.Conv2d(channels, width, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, width))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        self.blocks = nn.ModuleList([Block(width, heads, mlp, kind) for _ in range(depth)])
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self.head = deit_linear(width, classes)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x[:, 0]))


def bench(model_name, kind, batch, threads, steps, warmup):
    cfg = CONFIGS[model_name]
    torch.manual_seed(1)
    model = ViT(kind=kind, **cfg)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1 and n not in ("cls_token", "pos_embed")]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim > 1 and n not in ("cls_token", "pos_embed"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=2e-3)
    xs = [torch.randn(batch, cfg["channels"], cfg["image"], cfg["image"]) for _ in range(2)]
    ys = [torch.randint(0, cfg["classes"], (batch,)) for _ in range(2)]
    model.train()

    def step(i):
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(xs[i % 2]), ys[i % 2], label_smoothing=0.1)
        loss.backward()
        opt.step()

    for i in range(warmup):
        step(i)
    times, cpu = [], []
    for i in range(steps):
        c0, t0 = time.process_time(), time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    s = statistics.median(times)
    print(json.dumps({"model": model_name, "kind": kind, "batch": batch, "threads": threads, "ms_per_step": s * 1e3,
                      "cpu_ms_per_step": statistics.median(cpu) * 1e3,
                      "images_per_s": batch / s, "torch": torch.__version__}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="vit-mnist,deit-tiny")
    ap.add_argument("--kinds", default="softmax,taylor")
    ap.add_argument("--threads", default="2", help="comma-separated thread counts")
    ap.add_argument("--batches", default=None, help="comma-separated batch sizes (default: 32 vit-mnist, 8 deit-tiny)")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    for t in [int(s) for s in a.threads.split(",")]:
        torch.set_num_threads(t)
        for m in a.models.split(","):
            batches = [int(s) for s in a.batches.split(",")] if a.batches else [CONFIGS[m]["batch"]]
            for b in batches:
                for k in a.kinds.split(","):
                    bench(m, k, b, t, a.steps, a.warmup)


if __name__ == "__main__":
    main()
