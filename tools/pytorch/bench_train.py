#!/usr/bin/env python3
"""Training-throughput reference for `retort bench train`.

Builds the same models as Retort (MLP 784-256-256-10; the tiny MobileNetV2-style CNN
of Sources/RetortModels/TinyCNN.swift, `TinyCNNConfig.mnist()`), runs SGD (Nesterov,
momentum 0.9, weight decay 5e-4) steps at the given batch size and thread count on
random MNIST-shaped inputs, and prints one JSON line per model:
{"model": "mlp", "samples_per_s": ..., "ms_per_step": ...}

Run in a throw-away virtualenv (tests never need it):
    python3 -m venv .venv && .venv/bin/pip install torch numpy
    .venv/bin/python tools/pytorch/bench_train.py --threads 2 --batch 64
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, expand, stride):
        super().__init__()
        mid = cin * expand
        layers = []
        if expand != 1:
            layers += [nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU6()]
        layers += [nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid), nn.ReLU6(),
                   nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.shortcut = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.shortcut else y


def tiny_cnn(classes=10):
    # TinyCNNConfig.mnist(): stem 16 (stride 2), blocks (out, expand, stride), head 96
    blocks = [(16, 2, 1), (24, 4, 2), (24, 4, 1), (32, 4, 2)]
    layers = [nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6()]
    cin = 16
    for out, e, s in blocks:
        layers.append(InvertedResidual(cin, out, e, s))
        cin = out
    layers += [nn.Conv2d(cin, 96, 1, bias=False), nn.BatchNorm2d(96), nn.ReLU6(),
               nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(96, classes)]
    return nn.Sequential(*layers)


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def bench(name, model, shape, batch, steps, warmup):
    torch.manual_seed(0)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                          lr=0.05, momentum=0.9, nesterov=True)
    xs = [torch.randn(batch, *shape) for _ in range(8)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(8)]
    model.train()

    def step(i):
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(xs[i % 8]), ys[i % 8])
        loss.backward()
        opt.step()

    for i in range(warmup):
        step(i)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for i in range(steps):
            step(i)
        best = min(best, (time.perf_counter() - t0) / steps)
    print(json.dumps({"model": name, "samples_per_s": batch / best, "ms_per_step": best * 1e3,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--models", default="mlp,cnn")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for m in a.models.split(","):
        if m == "mlp":
            bench("mlp", mlp(), (784,), a.batch, a.steps, 10)
        elif m == "cnn":
            bench("cnn", tiny_cnn(), (1, 28, 28), a.batch, a.steps, 5)


if __name__ == "__main__":
    main()
