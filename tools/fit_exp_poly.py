#!/usr/bin/env python3
"""Fits the polynomial of `simdExpShifted` (Sources/VectorMath/VectorMath.swift).

e^x = 2^k · e^r with k = round(x·log2 e) and r = x − k·ln 2, |r| ≤ ln 2 / 2; e^r is approximated
by 1 + r·(c1 + c2·r + c3·r² + c4·r³ + c5·r⁴), the constant term fixed at 1 so that e^0 = 1
exactly. The coefficients minimise the largest relative error of e^r (Lawson's iteratively
reweighted least squares on Chebyshev points, which converges to the minimax fit).

Then the whole function is emulated in float32 with fused multiply-adds (each product-sum
rounded once) over x in [−87, 0], and its largest relative error against exp in float64 printed.

Usage: python3 tools/fit_exp_poly.py    (needs numpy)
"""
import numpy as np


def fit():
    a = np.log(2) / 2
    r = np.cos(np.linspace(0, np.pi, 4001)) * a
    r = r[np.abs(r) > 1e-9]
    target = (np.exp(r) - 1) / r               # q(r) with e^r ≈ 1 + r·q(r)
    weight = np.abs(r) / np.exp(r)             # error of q → relative error of e^r
    powers = np.vstack([r ** k for k in range(5)]).T
    w = np.ones_like(r) / len(r)
    for _ in range(2000):
        sw = np.sqrt(w) * weight
        c, *_ = np.linalg.lstsq(powers * sw[:, None], target * sw, rcond=None)
        err = np.abs((powers @ c - target) * weight)
        w = w * err
        w /= w.sum()
    return c.astype(np.float32), err.max()


def emulate(c, x):
    """simdExpShifted in float32, each fused multiply-add rounded once."""
    def f32(v):
        return np.asarray(v, dtype=np.float64).astype(np.float32)
    xd = x.astype(np.float64)
    magic = np.float64(np.float32(1.5 * 2 ** 23 + 127))
    t = f32(xd * np.float64(np.float32(1.4426950408889634)) + magic)
    k = f32(t.astype(np.float64) - magic)
    r = f32(xd - k.astype(np.float64) * np.float64(np.float32(0.693147180559945))).astype(np.float64)
    p = f32(np.float64(c[4]) * r + np.float64(c[3]))
    for j in (2, 1, 0):
        p = f32(p.astype(np.float64) * r + np.float64(c[j]))
    p = f32(p.astype(np.float64) * r + 1.0)
    return p.astype(np.float64) * np.ldexp(1.0, k.astype(np.int32))


def main():
    c, err = fit()
    print("c1…c5 (float32):", ", ".join(repr(float(v)) for v in c))
    print(f"largest relative error of the polynomial on |r| ≤ ln2/2 (float64): {err:.3e}")
    x = np.linspace(-87.0, 0.0, 2_000_001).astype(np.float32)
    rel = np.abs(emulate(c, x) / np.exp(x.astype(np.float64)) - 1)
    print(f"float32 with FMA over [-87, 0]: largest relative error {rel.max():.3e}, median {np.median(rel):.3e}")


if __name__ == "__main__":
    main()
