#!/usr/bin/env python3
"""Writes the input data of Tests/PlotTests (Tests/PlotTests/Fixtures/data): six small runs
(two optimisers × three seeds: metrics.csv and config.json), a distill run's steps.csv with
cos and cos_after, a sweep's summary.csv and pareto.csv in `retort sweep collect`'s long
format, and, given the retort binary, a real `retort sim vitality --timeline` CSV.

    python3 tools/plot/make_fixtures.py [RETORT_BINARY]

Deterministic: Python's Mersenne Twister with fixed seeds. The goldens are drawn from these
files (tools/plot/make_goldens.sh).
"""
import json
import math
import os
import random
import subprocess
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "PlotTests", "Fixtures", "data")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def runs():
    for opt, top, speed in (("sgd", 0.93, 0.55), ("adam", 0.96, 0.9)):
        for seed in (1, 2, 3):
            rng = random.Random(100 * seed + len(opt))
            lines = ["step,epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds,samples_per_second"]
            for e in range(1, 11):
                acc = top - (top - 0.1) * math.exp(-speed * e) + rng.gauss(0, 0.012)
                loss = -math.log(max(acc, 1e-3)) * 1.4
                lines.append(f"{38 * e},{e},{loss + 0.05:.6g},{acc + 0.01:.6g},{loss:.6g},{acc:.6g},0.05,1.5,25000")
            name = f"{opt}-s{seed}"
            write(os.path.join(OUT, "runs", name, "metrics.csv"), "\n".join(lines) + "\n")
            config = {"data": "digits", "epochs": 10, "lr": 0.05, "model": "mlp", "optimizer": opt, "runName": name,
                      "runRoot": "runs", "seed": seed, "splitSeed": seed, "threads": 1}
            write(os.path.join(OUT, "runs", name, "config.json"), json.dumps(config, indent=2, sort_keys=True) + "\n")


def steps():
    rng = random.Random(7)
    lines = ["step,epoch,lr,loss_student,cos,cos_after"]
    for s in range(1, 401):
        c = max(-1.0, min(1.0, rng.gauss(0.25 - 0.3 * (s / 400), 0.3)))
        after = c if c >= 0 else c * 0.15
        lines.append(f"{s},{s // 40},0.02,{2.3 * math.exp(-s / 150):.6g},{c:.6g},{after:.6g}")
    write(os.path.join(OUT, "distill", "steps.csv"), "\n".join(lines) + "\n")


def sweep():
    rows = ["condition,method,width,metric,n,mean,std,ci95_low,ci95_high"]
    for i, (method, width, mean) in enumerate((("base", 0.5, 0.912), ("kd", 0.5, 0.931), ("netaug", 0.5, 0.925),
                                                ("base", 1.0, 0.944), ("kd", 1.0, 0.953), ("netaug", 1.0, 0.957))):
        std = 0.004 + 0.002 * (i % 3)
        half = 2.776 * std / math.sqrt(5)
        rows.append(f"{method}-w{width},{method},{width},test_acc,5,{mean},{std:.4f},{mean - half:.4f},{mean + half:.4f}")
        rows.append(f"{method}-w{width},{method},{width},train_loss,5,{0.3 - i * 0.02:.3f},0.01,{0.29 - i * 0.02:.3f},{0.31 - i * 0.02:.3f}")
    write(os.path.join(OUT, "sweep", "summary.csv"), "\n".join(rows) + "\n")
    rng = random.Random(11)
    pts = []
    for rows_, cols in ((r, c) for r in (8, 16, 32, 64) for c in (8, 16, 32, 64)):
        pes = rows_ * cols
        latency = 4.0e6 / pes * (1 + 0.1 * rng.random()) + 2000
        energy = 30 + 0.02 * pes + 200.0 / math.sqrt(pes) + rng.random() * 3
        pts.append([rows_, cols, latency, energy, pes * 0.011])
    front = []
    for p in pts:
        dominated = any(q[2] <= p[2] and q[3] <= p[3] and (q[2] < p[2] or q[3] < p[3]) for q in pts)
        front.append(not dominated)
    lines = ["point,rows,cols,latency_cycles,energy,area,on_front"]
    for i, (p, f) in enumerate(zip(pts, front)):
        lines.append(f"p{i},{p[0]},{p[1]},{p[2]:.0f},{p[3]:.3f},{p[4]:.3f},{str(f).lower()}")
    write(os.path.join(OUT, "sweep", "pareto.csv"), "\n".join(lines) + "\n")


def timeline(binary):
    path = os.path.join(OUT, "timeline.csv")
    subprocess.run([binary, "sim", "vitality", "--tokens", "64", "--dim", "64", "--heads", "2", "--timeline", path, "--buckets", "60"],
                   check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    runs()
    steps()
    sweep()
    if len(sys.argv) > 1:
        timeline(sys.argv[1])
    print("wrote", os.path.normpath(OUT))
