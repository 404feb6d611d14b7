#!/usr/bin/env python3
"""Writes a CIFAR-10-shaped data set for measuring (not committed): OUT/data_batch_1..5.bin
(50,000 images) and OUT/test_batch.bin (10,000), 32×32×3 in the CIFAR-10 binary layout
(label byte, then 1024 R, 1024 G, 1024 B), with a learnable pattern per class (a bright
square at a class-specific place on noise). Usage: make_cifar_shaped.py OUT [N_TRAIN]."""
import os, sys
import numpy as np

out = sys.argv[1]
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(10)


def batch(n):
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    x = rng.integers(0, 96, size=(n, 3, 32, 32), dtype=np.uint8)
    for k in range(10):
        r, c = 4 + 8 * (k // 4), 4 + 8 * (k % 4)
        x[labels == k, k % 3, r:r + 6, c:c + 6] = 230
    rec = np.empty((n, 1 + 3072), dtype=np.uint8)
    rec[:, 0] = labels
    rec[:, 1:] = x.reshape(n, -1)
    return rec.tobytes()


per = n_train // 5
for i in range(5):
    open(os.path.join(out, f"data_batch_{i + 1}.bin"), "wb").write(batch(per))
open(os.path.join(out, "test_batch.bin"), "wb").write(batch(10_000))
print(f"wrote {5 * per} + 10000 CIFAR-10-shaped images to {out}")
