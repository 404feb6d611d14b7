#!/usr/bin/env python3
"""Times SCALE-Sim 3.0.0 on a list of GEMMs for `retort bench sim --scalesim PYTHON`.

Input (stdin): JSON list of {"name", "m", "k", "n", "rows", "cols", "dataflow"}.
Output (stdout): one JSON object per GEMM: the input fields plus "total_cycles" and
"run_scale_s" (wall time of the run_scale() call only, best of --repeat; CALC mode, traces off,
so imports, process start-up and file writing of the inputs are excluded).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scalesim_driver as drv  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    import numpy
    import scalesim  # noqa: F401
    jobs = json.load(sys.stdin)
    for j in jobs:
        best = None
        for _ in range(max(1, a.repeat)):
            r, _ = drv.run_gemm(j["m"], j["k"], j["n"], j["rows"], j["cols"], j["dataflow"])
            best = r if best is None or r["wall"] < best["wall"] else best
        out = dict(j)
        out.update(total_cycles=best["total_cycles"], run_scale_s=best["wall"], numpy=numpy.__version__)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
