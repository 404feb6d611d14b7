#!/usr/bin/env python3
"""Writes the PyTorch fixture for Retort's fused softmax attention kernel.

Run:  .venv/bin/python tools/pytorch/fused_attention_fixtures.py
Out:  Tests/AttentionTests/Fixtures/attn_softmax_tiles.json and attn_softmax_tiles16.json
      (committed; the Swift tests never need PyTorch)

One softmax attention core (qkv [B, n, 3·D] -> Z [B, n, D]) at a size that crosses the fused
kernel's tile edges: n = 100 tokens (key tiles of 64: one full and one of 36; query tiles of
32: three full and one of 4) and head dim d = 12 (not a multiple of the 16-lane vectors).
PyTorch's F.scaled_dot_product_attention runs in float64 from float32-representable inputs;
the file stores qkv, the output, an upstream gradient and dqkv, in the format and with the
meta keys of attention_fixtures.py.

attn_softmax_tiles16: two images, n = 103, d = 16, the forward's micro-kernel path (d a multiple
of 16): the last query block has 7 rows (4 at a time, then 3 one by one) and the 103 keys are
padded to 112 columns in the packed Kᵀ.
"""
import torch
import torch.nn.functional as F

from attention_fixtures import BITS, MOMENTUM, THRESHOLD, f32, write


def fixture(name, b, n, heads, d, seed):
    c = heads * d
    torch.manual_seed(seed)
    qkv = f32(torch.randn(b, n, 3 * c, dtype=torch.float64) * 1.5).requires_grad_(True)
    dy = f32(torch.randn(b, n, c, dtype=torch.float64))
    q, k, v = qkv.reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    z = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, n, c)
    z.backward(dy)
    meta = {"kind": "softmax", "training": True, "batch": b, "tokens": n, "heads": heads, "headDim": d,
            "threshold": THRESHOLD, "bits": BITS, "momentum": MOMENTUM, "seed": seed,
            "runningQ": [0.0, 0.0], "runningK": [0.0, 0.0]}
    write(name, meta, {"qkv": qkv.detach(), "y": z.detach(), "dy": dy, "dqkv": qkv.grad})


def main():
    fixture("attn_softmax_tiles", 1, 100, 2, 12, 2100)
    fixture("attn_softmax_tiles16", 2, 103, 2, 16, 2116)


if __name__ == "__main__":
    main()
