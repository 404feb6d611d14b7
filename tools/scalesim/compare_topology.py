#!/usr/bin/env python3
"""Runs one SCALE-Sim config + topology through REAL SCALE-Sim and through
`retort sim scalesim`, and compares Total Cycles layer by layer (they must be equal).

Usage (with the virtualenv of README.md):
  python tools/scalesim/compare_topology.py CFG TOPOLOGY [--gemm] [--retort .build/release/retort]
Prints one line per mismatching layer and a summary line; exits 1 on any mismatch.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scalesim_driver as drv  # noqa: E402


def total_cycles(path):
    """LayerID and Total Cycles of Retort's COMPUTE_REPORT.csv (its prefetch column is n/a)."""
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    out = []
    for line in lines[1:]:
        v = [x.strip() for x in line.split(",") if x.strip()]
        out.append({"layer": int(v[0]), "total_cycles": int(float(v[2]))})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cfg")
    ap.add_argument("topology")
    ap.add_argument("--gemm", action="store_true", help="GEMM rows (SCALE-Sim -i gemm, retort --gemm)")
    ap.add_argument("--retort", default=os.path.join(HERE, "..", "..", ".build", "release", "retort"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        ref, wall, _ = drv.run_topology(a.cfg, a.topology, a.gemm, work)
        out = os.path.join(work, "retort")
        cmd = [a.retort, "sim", "scalesim", "--config", a.cfg, "--topology", a.topology, "--out", out] + (["--gemm"] if a.gemm else [])
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        run = os.listdir(out)[0]
        ours = total_cycles(os.path.join(out, run, "COMPUTE_REPORT.csv"))
    bad = 0
    if len(ours) != len(ref):
        print(f"layer count differs: SCALE-Sim {len(ref)}, retort {len(ours)}")
        bad += 1
    for r, o in zip(ref, ours):
        if r["total_cycles"] != o["total_cycles"]:
            bad += 1
            print(f"layer {r['layer']}: SCALE-Sim {r['total_cycles']} cycles, retort {o['total_cycles']}")
    total_ref = sum(r["total_cycles"] for r in ref)
    total_ours = sum(o["total_cycles"] for o in ours)
    print(f"{os.path.basename(a.topology)} on {os.path.basename(a.cfg)}: {len(ref)} layers, SCALE-Sim total {total_ref} cycles "
          f"(run_scale {wall:.1f} s), retort total {total_ours}; "
          + ("every layer's Total Cycles equal" if bad == 0 else f"{bad} MISMATCHES"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
