#!/usr/bin/env python3
"""PyTorch reference for `retort bench distill`: one NetDistiller joint step of the tiny CNN.

Builds the same weight-sharing tiny MobileNetV2-style CNN as Retort (TinyCNNConfig.mnist()
scaled by --student-width, allocated at --teacher-width output / --teacher-expand expand
factors, the student = the first-k slice of every widened layer, BatchNorm with per-width
running statistics) and times the same joint step Retort's DistillJob runs:

  1. teacher forward (max width) + cross-entropy, gradient into buffer G_t (full size);
  2. entropy KD weights w = 1 - H(q_t)/log C from the detached teacher logits;
  3. student forward + CE + T^2 * mean(w * KL(p_t^T || p_s^T)), gradient into G_s;
  4. whole-vector symmetric PCGrad on the shared elements (dot products in float64);
  5. g = G_s' + G_t', SGD (Nesterov, momentum 0.9, weight decay 5e-4 on weights) step.

Inputs are random MNIST-shaped batches (timing only). Prints one JSON line:
{"ms_per_step": ..., "torch": ..., "threads": ..., ...}

Run in a throw-away virtualenv (tests never need it):
    python3 -m venv .venv && .venv/bin/pip install torch
    .venv/bin/python tools/pytorch/distill_bench.py --threads 2 --batch 64
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


def scaled(base, factor):
    # Retort's make_divisible(base * factor, 1): round half away from zero, at least 1.
    return max(1, int(math.floor(base * factor + 0.5)))


class SliceBN:
    """BatchNorm over the first k channels with per-width running statistics."""

    def __init__(self, features):
        self.features = features
        self.weight = torch.ones(features, requires_grad=True)
        self.bias = torch.zeros(features, requires_grad=True)
        self.stats = {}

    def __call__(self, x):
        c = x.shape[1]
        if c not in self.stats:
            self.stats[c] = (torch.zeros(c), torch.ones(c))
        rm, rv = self.stats[c]
        return F.batch_norm(x, rm, rv, self.weight[:c], self.bias[:c], training=True, momentum=0.1, eps=1e-5)


class WeightSharingCNN:
    def __init__(self, student_width, max_out, max_exp, classes=10):
        # TinyCNNConfig.mnist(): stem 16 (stride 2), blocks (out, expand, stride), head 96
        def s(v):
            return scaled(v, student_width) if student_width != 1 else v
        self.stem_base = s(16)
        self.blocks_cfg = [(s(16), 2, 1), (s(24), 4, 2), (s(24), 4, 1), (s(32), 4, 2)]
        self.head_base = s(96)
        g = torch.Generator().manual_seed(1)

        def conv(cout, cin, k):
            bound = 1 / math.sqrt(cin * k * k)
            return (torch.rand(cout, cin, k, k, generator=g) * 2 - 1).mul_(bound).requires_grad_()

        stem_max = scaled(self.stem_base, max_out)
        self.stem = conv(stem_max, 1, 3)
        self.stem_bn = SliceBN(stem_max)
        self.blocks = []
        in_base, in_max = self.stem_base, stem_max
        self.groups = 1
        for out, e, st in self.blocks_cfg:
            shortcut = st == 1 and out == in_base
            out_max = in_max if shortcut else scaled(out, max_out)
            mid_max = scaled(in_max * e, max_exp)
            b = {"shortcut": shortcut, "expand": e, "stride": st, "out": out,
                 "group": None if shortcut else self.groups}
            if not shortcut:
                self.groups += 1
            if e != 1:
                b["ew"], b["ebn"] = conv(mid_max, in_max, 1), SliceBN(mid_max)
            bound = 1 / 3.0
            b["dw"] = (torch.rand(mid_max, 1, 3, 3, generator=g) * 2 - 1).mul_(bound).requires_grad_()
            b["dbn"] = SliceBN(mid_max)
            b["pw"], b["pbn"] = conv(out_max, mid_max, 1), SliceBN(out_max)
            self.blocks.append(b)
            in_base, in_max = out, out_max
        head_max = scaled(self.head_base, max_out)
        self.groups += 1
        self.head = conv(head_max, in_max, 1)
        self.head_bn = SliceBN(head_max)
        bound = 1 / math.sqrt(head_max)
        self.fc_w = (torch.rand(classes, head_max, generator=g) * 2 - 1).mul_(bound).requires_grad_()
        self.fc_b = (torch.rand(classes, generator=g) * 2 - 1).mul_(bound).requires_grad_()

    def parameters(self):
        ps = [self.stem, self.stem_bn.weight, self.stem_bn.bias]
        for b in self.blocks:
            if "ew" in b:
                ps += [b["ew"], b["ebn"].weight, b["ebn"].bias]
            ps += [b["dw"], b["dbn"].weight, b["dbn"].bias, b["pw"], b["pbn"].weight, b["pbn"].bias]
        return ps + [self.head, self.head_bn.weight, self.head_bn.bias, self.fc_w, self.fc_b]

    def decays(self):
        return [p.dim() > 1 for p in self.parameters()]

    def forward(self, x, out_f, exp_f):
        c = scaled(self.stem_base, out_f)
        h = F.relu6(self.stem_bn(F.conv2d(x, self.stem[:c], stride=2, padding=1)))
        for j, b in enumerate(self.blocks):
            inp = h
            cin = h.shape[1]
            mid = cin if b["expand"] == 1 else scaled(cin * b["expand"], exp_f)
            out = cin if b["shortcut"] else scaled(b["out"], out_f)
            if "ew" in b:
                h = F.relu6(b["ebn"](F.conv2d(h, b["ew"][:mid, :cin])))
            h = F.relu6(b["dbn"](F.conv2d(h, b["dw"][:mid], stride=b["stride"], padding=1, groups=mid)))
            h = b["pbn"](F.conv2d(h, b["pw"][:out, :mid]))
            if b["shortcut"]:
                h = h + inp
        hc = scaled(self.head_base, out_f)
        h = F.relu6(self.head_bn(F.conv2d(h, self.head[:hc, :h.shape[1]])))
        h = h.mean(dim=(2, 3))
        return F.linear(h, self.fc_w[:, :hc], self.fc_b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--student-width", type=float, default=0.5)
    ap.add_argument("--teacher-width", type=float, default=2)
    ap.add_argument("--teacher-expand", type=float, default=2)
    ap.add_argument("--temperature", type=float, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = WeightSharingCNN(args.student_width, args.teacher_width, args.teacher_expand)
    params = net.parameters()
    decay = net.decays()
    opt = torch.optim.SGD([{"params": [p for p, d in zip(params, decay) if d], "weight_decay": 5e-4},
                           {"params": [p for p, d in zip(params, decay) if not d], "weight_decay": 0}],
                          lr=0.02, momentum=0.9, nesterov=True)
    xs = [torch.randn(args.batch, 1, 28, 28) for _ in range(8)]
    ys = [torch.randint(0, 10, (args.batch,)) for _ in range(8)]
    # shared-element masks: bounding box of a student probe's non-zero gradients
    probe = net.forward(torch.randn(16, 1, 28, 28), 1, 1)
    grads = torch.autograd.grad((probe * torch.randn_like(probe)).sum(), params)
    masks = []
    for g in grads:
        nz = g.nonzero()
        box = [slice(0, int(nz[:, d].max()) + 1) for d in range(g.dim())] if len(nz) else [slice(0, 0)] * g.dim()
        m = torch.zeros_like(g, dtype=torch.bool)
        m[tuple(box)] = True
        masks.append(m)
    T = args.temperature
    logC = math.log(10)

    def step(i):
        x, y = xs[i % 8], ys[i % 8]
        zt = net.forward(x, args.teacher_width, args.teacher_expand)
        gt = torch.autograd.grad(F.cross_entropy(zt, y), params)
        zt = zt.detach()
        with torch.no_grad():
            q = F.softmax(zt, 1)
            w = 1 - (-(q * F.log_softmax(zt, 1)).sum(1)) / logC
            pt = F.softmax(zt / T, 1)
        zs = net.forward(x, 1, 1)
        kl = (pt * (torch.log(pt.clamp_min(1e-30)) - F.log_softmax(zs / T, 1))).sum(1)
        loss = F.cross_entropy(zs, y) + T * T * (w * kl).mean()
        gs = torch.autograd.grad(loss, params)
        with torch.no_grad():
            d = sum((a.double() * b.double()).sum() for a, b in zip(gs, gt))
            ns = sum((a.double() ** 2).sum() for a in gs)
            nt = sum(((b * m).double() ** 2).sum() for b, m in zip(gt, masks))
            if d < 0:
                cs, ct = float(d / nt), float(d / ns)
                new_s = [a - cs * (b * m) for a, b, m in zip(gs, gt, masks)]
                new_t = [b - ct * a for a, b in zip(gs, gt)]
            else:
                new_s, new_t = gs, gt
            for p, a, b in zip(params, new_s, new_t):
                p.grad = a + b
        opt.step()

    for i in range(3):
        step(i)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for i in range(args.steps):
            step(i)
        best = min(best, (time.perf_counter() - t0) / args.steps)
    print(json.dumps({"ms_per_step": best * 1e3, "torch": torch.__version__, "threads": args.threads,
                      "batch": args.batch, "student_width": args.student_width,
                      "teacher_width": args.teacher_width, "teacher_expand": args.teacher_expand}))


if __name__ == "__main__":
    main()
