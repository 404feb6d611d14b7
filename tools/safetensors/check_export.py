#!/usr/bin/env python3
"""Checks Retort's safetensors exports in PyTorch, and writes files from PyTorch for Retort.

Usage:  check_export.py DIR [--make-torch]

For every DIR/<name>.safetensors that has a DIR/<name>.probe.safetensors (written by
`retort eval --weights <name>.safetensors --probe <name>.probe.safetensors`: the first test
images as Retort feeds them, NHWC or [N, F], Retort's logits and the labels):
  * loads the file with the real `safetensors` package (safetensors.torch.load_file);
  * builds the PyTorch module below that mirrors Retort's model (architecture from the
    file's retort.* metadata and the tensor shapes) and checks that the file's names and
    shapes are exactly the module's state_dict (BatchNorm's num_batches_tracked aside);
  * loads it (strict), runs a float64 forward pass on the probe images and compares the
    logits with Retort's: max |torch - retort| / max |retort| must be <= 1e-4;
  * writes DIR/<name>.torch.safetensors with PyTorch's logits.

With --make-torch, also writes files made by PyTorch for Retort to import: for the MLP, the
tiny CNN, both ViTs and the spec models (mlp3, cnn_mcunet, vit_spec) when present, a module with seeded random weights (BatchNorm / LayerNorm parameters
and running statistics randomised too) saved with safetensors.torch.save_file as
DIR/torch_<name>.safetensors (num_batches_tracked dropped: it is int64, Retort reads F32),
and DIR/torch_<name>.probe.safetensors with the same probe images and PyTorch's logits; and
torch_vit_rgb, a 3-channel ViT on random images (the patch projection's permutation is only
visible with more than one channel). These files are then read back through the same checks.

The modules mirror Sources/RetortModels (MLP, TinyCNN with inverted-residual blocks) and
Sources/Attention (the timm-style ViT with softmax or ViTALiTy Taylor attention).
"""
import argparse
import glob
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from safetensors import safe_open

torch.set_num_threads(1)
TOL = 1e-4


# ----------------------------------------------------------------------------- RetortModels

class MLP(nn.Module):
    """input -> [Linear -> ReLU] x hidden -> Linear(classes); names fc1, fc2, ..., classifier."""

    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.n = len(hidden)
        fan = inputs
        for i, h in enumerate(hidden):
            setattr(self, f"fc{i + 1}", nn.Linear(fan, h))
            fan = h
        self.classifier = nn.Linear(fan, classes)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        for i in range(self.n):
            x = F.relu(getattr(self, f"fc{i + 1}")(x))
        return self.classifier(x)


class InvertedResidual(nn.Module):
    """1x1 expand -> BN -> ReLU6 -> kxk depthwise (padding k//2) -> BN -> ReLU6 -> 1x1 project -> BN (+ x)."""

    def __init__(self, cin, cout, expand, stride, kernel=3):
        super().__init__()
        mid = cin * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self.expand = nn.Conv2d(cin, mid, 1, bias=False)
            self.expand_bn = nn.BatchNorm2d(mid, eps=1e-5)
        self.dw = nn.Conv2d(mid, mid, kernel, stride=stride, padding=kernel // 2, groups=mid, bias=False)
        self.dw_bn = nn.BatchNorm2d(mid, eps=1e-5)
        self.project = nn.Conv2d(mid, cout, 1, bias=False)
        self.project_bn = nn.BatchNorm2d(cout, eps=1e-5)
        self.shortcut = stride == 1 and cin == cout

    def forward(self, x):
        h = F.relu6(self.expand_bn(self.expand(x))) if self.has_expand else x
        h = F.relu6(self.dw_bn(self.dw(h)))
        h = self.project_bn(self.project(h))
        return h + x if self.shortcut else h


# TinyCNNConfig.mnist() / .digits(): stem stride and block strides (widths come from the file),
# for files without the retort.cnn metadata (written before CNN specs).
STRIDES = {"mnist5k": (2, [1, 2, 1, 2]), "digits": (1, [1, 2, 2])}


class TinyCNN(nn.Module):
    """stem conv 3x3 -> BN -> ReLU6, inverted residual blocks, head 1x1 -> BN -> ReLU6, mean pool, Linear."""

    def __init__(self, cin, stem, stem_stride, blocks, head, classes):
        super().__init__()
        self.stem = nn.Conv2d(cin, stem, 3, stride=stem_stride, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(stem, eps=1e-5)
        mods, c = [], stem
        for out, expand, stride, *kernel in blocks:
            mods.append(InvertedResidual(c, out, expand, stride, *kernel))
            c = out
        self.blocks = nn.ModuleList(mods)
        self.head = nn.Conv2d(c, head, 1, bias=False)
        self.head_bn = nn.BatchNorm2d(head, eps=1e-5)
        self.classifier = nn.Linear(head, classes)

    def forward(self, x):
        x = F.relu6(self.stem_bn(self.stem(x)))
        for b in self.blocks:
            x = b(x)
        x = F.relu6(self.head_bn(self.head(x)))
        return self.classifier(x.mean(dim=(2, 3)))


# ----------------------------------------------------------------------------- Attention

class Attention(nn.Module):
    def __init__(self, dim, heads, kind):
        super().__init__()
        self.heads, self.kind = heads, kind
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        d = c // self.heads
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        if self.kind == "softmax":
            z = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1) @ v
        elif self.kind in ("taylor", "taylor-sparse"):       # inference: the six-step low-rank form
            kh = k - k.mean(dim=-2, keepdim=True)                            # Step 1
            g = kh.transpose(-2, -1) @ v                                     # Step 2
            ksum, vsum = kh.sum(-2, keepdim=True), v.sum(-2, keepdim=True)   # Step 3
            t_d = n * math.sqrt(d) + q @ ksum.transpose(-2, -1)              # Step 4
            t_n = math.sqrt(d) * vsum + q @ g                                # Step 5
            z = t_n / t_d                                                    # Step 6
        else:
            raise SystemExit(f"attention {self.kind}: not mirrored here")
        return self.proj(z.transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, ratio, kind):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, kind)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, ratio * dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, cin, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(cin, dim, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ViT(nn.Module):
    """timm/DeiT layout: [cls; patches] + pos -> pre-norm blocks -> norm -> head on the CLS token."""

    def __init__(self, side, cin, patch, dim, depth, heads, ratio, classes, kind):
        super().__init__()
        n = (side // patch) ** 2 + 1
        self.patch_embed = PatchEmbed(cin, dim, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, ratio, kind) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        t = self.patch_embed(x)
        t = torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], dim=1) + self.pos_embed
        for b in self.blocks:
            t = b(t)
        return self.head(self.norm(t)[:, 0])


# ----------------------------------------------------------------------------- building

def build(shapes, meta):
    """The module for a file: kind from retort.model, widths from the shapes."""
    model, data = meta.get("retort.model"), meta.get("retort.data")
    if model is None or data is None:
        raise SystemExit("file without retort.model / retort.data metadata")
    if model == "mlp":
        hidden, i = [], 1
        while f"fc{i}.weight" in shapes:
            hidden.append(shapes[f"fc{i}.weight"][0]); i += 1
        return MLP(shapes["fc1.weight"][1], hidden, shapes["classifier.weight"][0])
    if model == "cnn":
        if "retort.cnn" in meta:
            # any spec: the expanded TinyCNNConfig (stem stride, per block stride and kernel)
            cfg = json.loads(meta["retort.cnn"])
            stem_stride, strides = cfg["stemStride"], [b["stride"] for b in cfg["blocks"]]
        else:
            stem_stride, strides = STRIDES[data]
        blocks, c = [], shapes["stem.weight"][0]
        for j, s in enumerate(strides):
            mid, out = shapes[f"blocks.{j}.dw.weight"][0], shapes[f"blocks.{j}.project.weight"][0]
            expand = mid // c if f"blocks.{j}.expand.weight" in shapes else 1
            blocks.append((out, expand, s, shapes[f"blocks.{j}.dw.weight"][2])); c = out
        return TinyCNN(shapes["stem.weight"][1], shapes["stem.weight"][0], stem_stride, blocks,
                       shapes["head.weight"][0], shapes["classifier.weight"][0])
    if model == "vit":
        dim, cin, patch, _ = shapes["patch_embed.proj.weight"]
        depth = 0
        while f"blocks.{depth}.norm1.weight" in shapes:
            depth += 1
        side = math.isqrt(shapes["pos_embed"][1] - 1) * patch      # tokens = (side / patch)² + 1
        return ViT(side, cin, patch, dim, depth, int(meta["retort.heads"]),
                   shapes["blocks.0.mlp.fc1.weight"][0] // dim, shapes["head.weight"][0], meta["retort.attention"])
    raise SystemExit(f"model {model}: unknown")


def state_names(m):
    return {k: tuple(v.shape) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}


def to_nchw(x):
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def forward64(m, x):
    m = m.double().eval()
    with torch.no_grad():
        return m(to_nchw(x).double())


def rel_err(a, b):
    return ((a - b).abs().max() / b.abs().max()).item()


def check(path, failures):
    name = os.path.basename(path)[: -len(".safetensors")]
    probe_path = path[: -len(".safetensors")] + ".probe.safetensors"
    tensors = load_file(path)
    with safe_open(path, "pt") as f:
        meta = f.metadata() or {}
    probe = load_file(probe_path)
    m = build({k: tuple(v.shape) for k, v in tensors.items()}, meta)
    want = state_names(m)
    got = {k: tuple(v.shape) for k, v in tensors.items()}
    if want != got:
        missing = sorted(set(want) - set(got)); extra = sorted(set(got) - set(want))
        bad = sorted(k for k in set(want) & set(got) if want[k] != got[k])
        failures.append(f"{name}: names/shapes differ: missing {missing}, extra {extra}, shapes {bad}")
        return
    result = m.load_state_dict(tensors, strict=False)
    assert all(k.endswith("num_batches_tracked") for k in result.missing_keys) and not result.unexpected_keys
    logits = forward64(m, probe["input"])
    err = rel_err(logits, probe["logits"].double())
    agree = (logits.argmax(1) == probe["logits"].argmax(1)).float().mean().item()
    status = "ok" if err <= TOL else "FAIL"
    print(f"{status:4} {name}: {len(tensors)} tensors, {sum(v.numel() for v in tensors.values())} values, "
          f"{meta.get('retort.model')}{' ' + meta['retort.attention'] if 'retort.attention' in meta else ''}; "
          f"logits on {probe['input'].shape[0]} images: max rel err {err:.2e}, argmax agreement {agree:.0%}")
    if err > TOL:
        failures.append(f"{name}: max rel err {err:.2e} > {TOL}")
    if not name.startswith("torch_"):
        save_file({"logits": logits.float().contiguous()}, path[: -len(".safetensors")] + ".torch.safetensors")


def make_torch(directory, source, failures):
    """A seeded PyTorch module of the same architecture as `source`, saved by PyTorch."""
    tensors = load_file(os.path.join(directory, source + ".safetensors"))
    with safe_open(os.path.join(directory, source + ".safetensors"), "pt") as f:
        meta = dict(f.metadata() or {})
    probe = load_file(os.path.join(directory, source + ".probe.safetensors"))
    torch.manual_seed(1234 + sum(map(ord, source)))
    m = build({k: tuple(v.shape) for k, v in tensors.items()}, meta)
    with torch.no_grad():
        for k, v in m.named_parameters():
            if k.endswith(("cls_token", "pos_embed")):
                v.normal_(0, 0.5)
            elif v.dim() == 1 and ("bn" in k or "norm" in k):
                v.copy_((1 + 0.2 * torch.randn_like(v)) if k.endswith("weight") else 0.2 * torch.randn_like(v))
            elif v.dim() == 1:
                v.normal_(0, 0.1)
        for k, v in m.named_buffers():
            if k.endswith("running_mean"):
                v.normal_(0, 0.3)
            elif k.endswith("running_var"):
                v.uniform_(0.5, 2.0)
    sd = {k: v.detach().float().contiguous() for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}
    meta.update({"retort.source": "tools/safetensors/check_export.py (torch.manual_seed, save_file)"})
    out = os.path.join(directory, f"torch_{source}.safetensors")
    save_file(sd, out, metadata=meta)
    m.load_state_dict(sd, strict=False)             # the float32-rounded weights
    logits = forward64(m, probe["input"])
    save_file({"input": probe["input"].contiguous(), "logits": logits.float().contiguous(), "labels": probe["labels"]},
              os.path.join(directory, f"torch_{source}.probe.safetensors"), metadata={"weights": os.path.basename(out)})
    print(f"wrote torch_{source}.safetensors ({len(sd)} tensors) and its probe logits")


def make_torch_rgb(directory):
    """A 3-channel ViT (no Retort data set has colour): the patch projection's [D, C, p, p] <->
    Retort's [D, p·p·C] permutation is only visible with C > 1. Random input images."""
    torch.manual_seed(77)
    meta = {"format": "pt", "retort.model": "vit", "retort.data": "digits", "retort.heads": "2", "retort.attention": "taylor",
            "retort.source": "tools/safetensors/check_export.py (3-channel ViT for the layout test)"}
    m = ViT(8, 3, 2, 8, 1, 2, 2, 10, "taylor")
    with torch.no_grad():
        for k, v in m.named_parameters():
            if v.dim() == 1 and "norm" in k:
                v.copy_((1 + 0.2 * torch.randn_like(v)) if k.endswith("weight") else 0.2 * torch.randn_like(v))
            elif k.endswith(("cls_token", "pos_embed")) or v.dim() == 1:
                v.normal_(0, 0.3)
    sd = {k: v.detach().float().contiguous() for k, v in m.state_dict().items()}
    out = os.path.join(directory, "torch_vit_rgb.safetensors")
    save_file(sd, out, metadata=meta)
    x = torch.randn(4, 8, 8, 3)                     # NHWC, as Retort feeds images
    logits = forward64(m, x)
    save_file({"input": x, "logits": logits.float().contiguous(), "labels": torch.zeros(4)},
              os.path.join(directory, "torch_vit_rgb.probe.safetensors"), metadata={"weights": os.path.basename(out)})
    print(f"wrote torch_vit_rgb.safetensors ({len(sd)} tensors) and its probe logits")


TORCH_MADE = ("mlp", "cnn", "vit_softmax", "vit_taylor", "mlp3", "cnn_mcunet", "vit_spec")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--make-torch", action="store_true")
    a = ap.parse_args()
    import safetensors
    print(f"torch {torch.__version__}, safetensors {safetensors.__version__}")
    failures = []
    sources = sorted(p for p in glob.glob(os.path.join(a.dir, "*.safetensors"))
                     if not p.endswith((".probe.safetensors", ".torch.safetensors"))
                     and not os.path.basename(p).startswith("torch_"))
    if a.make_torch:
        for name in TORCH_MADE:
            if os.path.exists(os.path.join(a.dir, name + ".safetensors")):
                make_torch(a.dir, name, failures)
        if os.path.exists(os.path.join(a.dir, "vit_softmax.safetensors")):
            make_torch_rgb(a.dir)
    for p in sources:
        check(p, failures)
    # PyTorch's own files, read back through the same checks against their probe logits
    for p in sorted(glob.glob(os.path.join(a.dir, "torch_*.safetensors"))):
        if not p.endswith((".probe.safetensors", ".torch.safetensors")):
            check(p, failures)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
