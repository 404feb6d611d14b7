#!/usr/bin/env python3
"""Times forward attention in PyTorch on the shapes `retort bench attention` uses.

Prints one JSON line per n: {"n", "softmax_ms", "sdpa_ms", "taylor_ms", "torch"}.
  softmax_ms  eager softmax(QKᵀ/√d)·V (the same algorithm as Retort's softmax kernel)
  sdpa_ms     F.scaled_dot_product_attention (PyTorch's fused CPU kernel)
  taylor_ms   ViTALiTy's six-step linear Taylor attention (vitality §1.2) in eager PyTorch
Timing rule (as Retort's): warm up, then best of 5 repeats, each repeat running the pass enough
times to last about 50 ms. Inputs: batch 1, H heads, n tokens, head dim d, float32, no grad.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


def softmax_attention(q, k, v):
    return torch.softmax((q @ k.transpose(-2, -1)) * (1 / math.sqrt(q.shape[-1])), dim=-1) @ v


def taylor_attention(q, k, v):
    n, d = k.shape[-2], k.shape[-1]
    kh = k - k.mean(dim=-2, keepdim=True)                  # Step 1
    g = kh.transpose(-2, -1) @ v                           # Step 2
    ksum, vsum = kh.sum(-2, keepdim=True), v.sum(-2, keepdim=True)  # Step 3
    t_d = (q @ ksum.transpose(-2, -1)) + n * math.sqrt(d)  # Step 4
    t_n = math.sqrt(d) * vsum + q @ g                      # Step 5
    return t_n / t_d                                       # Step 6


def best_time(fn, min_seconds=0.05, repeats=5):
    fn()
    t0 = time.perf_counter(); fn(); once = max(1e-7, time.perf_counter() - t0)
    reps = max(1, int(min_seconds / once))
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="64,128,197,256,512,1024,2048,3136,4096")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--heads", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    with torch.inference_mode():
        for n in [int(s) for s in a.sizes.split(",")]:
            q, k, v = (torch.randn(a.heads, n, a.dim) for _ in range(3))
            res = {"n": n,
                   "softmax_ms": 1e3 * best_time(lambda: softmax_attention(q, k, v)),
                   "sdpa_ms": 1e3 * best_time(lambda: F.scaled_dot_product_attention(q, k, v)),
                   "taylor_ms": 1e3 * best_time(lambda: taylor_attention(q, k, v)),
                   "torch": torch.__version__}
            print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
