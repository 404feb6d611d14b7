#!/usr/bin/env python3
"""Writes the small image data-set fixtures under tests/fixtures/data/ with the real
writers: numpy for .npy/.npz, the IDX and CIFAR byte layouts as their documentation
gives them, PNG/JPEG with Pillow. Needs numpy and Pillow (e.g. in a venv); the test
suite does not, it reads the committed output.

Every set has a learnable pattern: class k is a bright bar at a class-specific place
(row band for class 0, column band for class 1, diagonal for class 2, centre square
for class 3) on low noise, so a later training run can score well above chance."""
import gzip, io, os, shutil, struct
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "fixtures", "data")
rng = np.random.default_rng(13)


def pattern(label, h, w):
    img = np.zeros((h, w), dtype=np.float32)
    if label == 0:
        img[h // 4: h // 4 + max(1, h // 4), :] = 1
    elif label == 1:
        img[:, w // 4: w // 4 + max(1, w // 4)] = 1
    elif label == 2:
        for i in range(min(h, w)):
            img[i, i] = 1
            if i + 1 < w: img[i, i + 1] = 1
    else:
        img[h // 3: h - h // 3, w // 3: w - w // 3] = 1
    return img


def images(n, h, w, c, classes=4):
    labels = np.arange(n) % classes
    rng.shuffle(labels)
    x = np.zeros((n, h, w, c), dtype=np.uint8)
    for i, l in enumerate(labels):
        base = pattern(int(l), h, w) * 200 + rng.integers(0, 40, size=(h, w))
        for ch in range(c):
            x[i, :, :, ch] = np.clip(base * (1.0 - 0.2 * ch), 0, 255).astype(np.uint8)
    return x, labels.astype(np.int64)


def fresh(name, root=OUT):
    d = os.path.join(root, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


# NumPy .npy pair: uint8 N×H×W (grey), int64 labels; plus a test pair.
d = fresh("npy")
x, y = images(40, 8, 8, 1)
np.save(os.path.join(d, "x_train.npy"), x[..., 0])
np.save(os.path.join(d, "y_train.npy"), y)
xt, yt = images(12, 8, 8, 1)
np.save(os.path.join(d, "x_test.npy"), xt[..., 0])
np.save(os.path.join(d, "y_test.npy"), yt)

# NumPy .npz: float32 N×C×H×W (channels first), int32 labels, deflate-compressed.
d = fresh("npz")
x, y = images(40, 8, 8, 3)
xf = (x.astype(np.float32) / 255.0).transpose(0, 3, 1, 2).copy()
xtf, yt = images(12, 8, 8, 3)
np.savez_compressed(os.path.join(d, "shapes_nchw.npz"), x_train=xf, y_train=y.astype(np.int32),
                    x_test=(xtf.astype(np.float32) / 255.0).transpose(0, 3, 1, 2).copy(), y_test=yt.astype(np.int32))
# stored (uncompressed) members, uint8 NHWC, plain x/y names
np.savez(os.path.join(d, "shapes_nhwc_stored.npz"), x=x, y=y.astype(np.uint8))
# Fortran-order array (column-major data), version 1.0 header
np.save(os.path.join(d, "..", "npy", "x_fortran.npy"), np.asfortranarray(x[..., 0]))
np.save(os.path.join(d, "..", "npy", "y_fortran.npy"), y)


# IDX (the MNIST file layout): magic 0x00000803 / 0x00000801, big-endian sizes, data.
def idx(array):
    head = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + b"".join(struct.pack(">I", s) for s in array.shape)
    return head + array.astype(np.uint8).tobytes()


d = fresh("idx")
x, y = images(40, 12, 12, 1)
xt, yt = images(12, 12, 12, 1)
for name, arr in [("train-images-idx3-ubyte", x[..., 0]), ("train-labels-idx1-ubyte", y),
                  ("t10k-images-idx3-ubyte", xt[..., 0]), ("t10k-labels-idx1-ubyte", yt)]:
    with gzip.GzipFile(os.path.join(d, name + ".gz"), "wb", mtime=0) as f:
        f.write(idx(arr))
d = fresh("idx-plain")
with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f: f.write(idx(x[:20, :, :, 0]))
with open(os.path.join(d, "train-labels-idx1-ubyte"), "wb") as f: f.write(idx(y[:20]))


# CIFAR binary batches: per record label byte(s), then 1024 R, 1024 G, 1024 B (row-major 32×32).
def cifar(x, labels, coarse=None):
    out = io.BytesIO()
    for i in range(len(x)):
        if coarse is not None: out.write(bytes([int(coarse[i])]))
        out.write(bytes([int(labels[i])]))
        out.write(x[i].transpose(2, 0, 1).tobytes())
    return out.getvalue()


d = fresh("cifar10")
x, y = images(16, 32, 32, 3)
open(os.path.join(d, "data_batch_1.bin"), "wb").write(cifar(x[:8], y[:8]))
open(os.path.join(d, "data_batch_2.bin"), "wb").write(cifar(x[8:], y[8:]))
xt, yt = images(8, 32, 32, 3)
open(os.path.join(d, "test_batch.bin"), "wb").write(cifar(xt, yt))
open(os.path.join(d, "batches.meta.txt"), "w").write(
    "\n".join(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]) + "\n\n")
d = fresh("cifar100")
x, y = images(12, 32, 32, 3)
open(os.path.join(d, "train.bin"), "wb").write(cifar(x, y * 20 + 3, coarse=y * 4 + 1))
xt, yt = images(4, 32, 32, 3)
open(os.path.join(d, "test.bin"), "wb").write(cifar(xt, yt * 20 + 3, coarse=yt * 4 + 1))

# Class folders of PNG and JPEG images (train/ and test/), RGB, 12×12.
names = ["bars", "columns", "diagonal", "square"]


def class_folders(d, parts, side):
    """PNG (odd images) and JPEG (even) RGB images of side×side in d/PART/CLASS/."""
    for part, n in parts:
        x, y = images(n, side, side, 3)
        for i in range(n):
            sub = os.path.join(d, part, names[y[i]])
            os.makedirs(sub, exist_ok=True)
            img = Image.fromarray(x[i], "RGB")
            if i % 2: img.save(os.path.join(sub, f"{i:03d}.png"), optimize=True)
            else: img.save(os.path.join(sub, f"{i:03d}.jpg"), quality=90)


class_folders(fresh("folder"), [("train", 40), ("test", 12)], 12)
print("wrote fixtures under", os.path.relpath(OUT))

# Training fixtures (tests/fixtures/train/): the same formats with enough images for a
# short `retort train --data PATH` run to score well above chance (4 classes: 25 %).
# Written after the inspection fixtures so theirs stay byte-identical.
TRAIN = os.path.join(os.path.dirname(OUT), "train")


def fresh_train(name):
    return fresh(name, TRAIN)


d = fresh_train("npy")
x, y = images(320, 10, 10, 1); xt, yt = images(80, 10, 10, 1)
np.save(os.path.join(d, "x_train.npy"), x[..., 0]); np.save(os.path.join(d, "y_train.npy"), y)
np.save(os.path.join(d, "x_test.npy"), xt[..., 0]); np.save(os.path.join(d, "y_test.npy"), yt)

d = fresh_train("npz")   # float32 N×C×H×W, no test part (a seeded split)
x, y = images(400, 8, 8, 3)
np.savez_compressed(os.path.join(d, "rgb_nchw.npz"), x=(x.astype(np.float32) / 255.0).transpose(0, 3, 1, 2).copy(), y=y.astype(np.int32))

d = fresh_train("idx")
x, y = images(320, 12, 12, 1); xt, yt = images(80, 12, 12, 1)
for name, arr in [("train-images-idx3-ubyte", x[..., 0]), ("train-labels-idx1-ubyte", y),
                  ("t10k-images-idx3-ubyte", xt[..., 0]), ("t10k-labels-idx1-ubyte", yt)]:
    with gzip.GzipFile(os.path.join(d, name + ".gz"), "wb", mtime=0) as f:
        f.write(idx(arr))

d = fresh_train("cifar10")
x, y = images(240, 32, 32, 3); xt, yt = images(80, 32, 32, 3)
open(os.path.join(d, "data_batch_1.bin"), "wb").write(cifar(x[:120], y[:120]))
open(os.path.join(d, "data_batch_2.bin"), "wb").write(cifar(x[120:], y[120:]))
open(os.path.join(d, "test_batch.bin"), "wb").write(cifar(xt, yt))

d = fresh_train("cifar100")
x, y = images(160, 32, 32, 3); xt, yt = images(60, 32, 32, 3)
open(os.path.join(d, "train.bin"), "wb").write(cifar(x, y * 20 + 3, coarse=y * 4 + 1))
open(os.path.join(d, "test.bin"), "wb").write(cifar(xt, yt * 20 + 3, coarse=yt * 4 + 1))

class_folders(fresh_train("folder"), [("train", 240), ("test", 60)], 16)

d = fresh_train("csv")   # RGB rows (H×W×C values then the label): needs --shape 8x8x3
x, y = images(400, 8, 8, 3)
with gzip.GzipFile(os.path.join(d, "rgb_8x8x3.csv.gz"), "wb", mtime=0) as f:
    f.write("".join(",".join(map(str, x[i].reshape(-1))) + f",{y[i]}\n" for i in range(len(x))).encode())
# Kaggle's MNIST form: a header row `label,pixel0,…`, the label first, CRLF line ends
x, y = images(300, 12, 12, 1)
with open(os.path.join(d, "kaggle_train.csv"), "wb") as f:
    f.write(("label," + ",".join(f"pixel{i}" for i in range(144)) + "\r\n").encode())
    f.write("".join(f"{y[i]}," + ",".join(map(str, x[i].reshape(-1))) + "\r\n" for i in range(len(x))).encode())
# no header, the label first: declared by the sidecar beside it
x, y = images(300, 12, 12, 1)
with open(os.path.join(d, "label_first.csv"), "w") as f:
    f.write("".join(f"{y[i]}," + ",".join(map(str, x[i].reshape(-1))) + "\n" for i in range(len(x))))
with open(os.path.join(d, "label_first.csv.yaml"), "w") as f:
    f.write("# what the CSV file cannot say itself (flags and --config override it)\nlabel-column: first\nheader: false\n")
print("wrote training fixtures under", os.path.relpath(TRAIN))
