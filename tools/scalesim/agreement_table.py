#!/usr/bin/env python3
"""Markdown agreement table for docs/accelerator.md: every DeiT-Tiny row of the committed
SCALE-Sim fixtures next to what `retort sim gemm --csv` computes, plus a count over all rows.

Usage: python3 tools/scalesim/agreement_table.py [path/to/retort]   (no SCALE-Sim needed)
"""
import csv
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "..", "Tests", "AcceleratorTests", "Fixtures", "scalesim_gemm.csv")
retort = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", ".build", "release", "retort")

rows = list(csv.DictReader(open(FIX)))
cache = {}


def ours(r):
    key = (r["M"], r["K"], r["N"], r["rows"], r["cols"])
    if key not in cache:
        out = subprocess.run([retort, "sim", "gemm", "-m", r["M"], "-k", r["K"], "-n", r["N"],
                              "--array", "%sx%s" % (r["rows"], r["cols"]), "--csv"],
                             check=True, capture_output=True, text=True).stdout
        cache[key] = {l.split(",")[0]: l.split(",")[1:] for l in out.split()}
    return cache[key][r["dataflow"]]


exact = cyc_ok = 0
worst = 0.0
names = {"qk": "Q·Kᵀ", "av": "attn·V", "ktv": "Kᵀ·V", "qg": "Q·G", "qkv": "QKV", "proj": "proj", "fc1": "fc1", "fc2": "fc2"}
print("| GEMM (M×K×N) | array | df | SCALE-Sim cycles | Retort cycles | cycle-by-cycle sim | overall util % (SCALE-Sim / Retort) | mapping eff % | compute util % |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    c, ou, me, cu, dsim = ours(r)
    same = (int(c) == int(r["total_cycles"]) and int(dsim) == int(c))
    bits = float(ou) == float(r["overall_util"]) and float(me) == float(r["mapping_eff"]) and float(cu) == float(r["compute_util"])
    for a, b in [(ou, r["overall_util"]), (me, r["mapping_eff"]), (cu, r["compute_util"])]:
        worst = max(worst, abs(float(a) - float(b)) / max(abs(float(b)), 1e-300))
    cyc_ok += same
    exact += bits
    if r["set"] == "deit-tiny":
        print("| %s %s×%s×%s | %s×%s | %s | %s | %s | %s | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |" % (
            names[r["name"]], r["M"], r["K"], r["N"], r["rows"], r["cols"], r["dataflow"].upper(), r["total_cycles"], c, dsim,
            float(r["overall_util"]), float(ou), float(r["mapping_eff"]), float(me), float(r["compute_util"]), float(cu)))
print()
print("All %d fixture runs: Total Cycles equal (closed form and cycle-by-cycle) on %d; all three percentages "
      "bit-identical on %d; largest relative difference %.1e." % (len(rows), cyc_ok, exact, worst))
