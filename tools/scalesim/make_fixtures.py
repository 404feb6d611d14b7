#!/usr/bin/env python3
"""Writes Retort's SCALE-Sim reference fixtures from REAL SCALE-Sim 3.0.0 runs (CALC mode).

Outputs (in Tests/AcceleratorTests/Fixtures/):
  scalesim_gemm.csv      one row per GEMM run: random sweep (set=random) and the DeiT-Tiny
                         attention + linear GEMMs (set=deit-tiny) on 16x16 and 32x32, os/ws/is
  scalesim_traces.json   SRAM demand traces (ifmap/filter/ofmap) of a few tiny GEMMs
  scalesim_conv.csv      COMPUTE_REPORT rows of a small conv topology (incl. a "DP" layer)
  scalesim_conv_topology.csv, scalesim_conv.cfg   the inputs of that run (Retort parses them)

Every GEMM result is checked against the closed form of the spec (§4) before it is written;
a mismatch aborts (it means the environment, e.g. the numpy < 2.4 pin, is wrong).

Usage (see README.md for the throw-away virtualenv):
  python tools/scalesim/make_fixtures.py [--quick] [--out DIR]
"""
import argparse
import json
import os
import random
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scalesim_driver as drv  # noqa: E402

OUT = os.path.normpath(os.path.join(HERE, "..", "..", "Tests", "AcceleratorTests", "Fixtures"))
DATAFLOWS = ["os", "ws", "is"]
ARRAYS = [(1, 1), (1, 4), (4, 1), (2, 3), (3, 5), (5, 3), (4, 4), (4, 8), (8, 4), (7, 7), (8, 8), (16, 16)]

# DeiT-Tiny at 224^2: n=197 tokens, d=64 per head, embed C=192, MLP 4C (spec scalesim §8).
DEIT_TINY = [
    ("qk", 197, 64, 197), ("av", 197, 197, 64), ("ktv", 64, 197, 64), ("qg", 197, 64, 64),
    ("qkv", 197, 192, 576), ("proj", 197, 192, 192), ("fc1", 197, 192, 768), ("fc2", 197, 768, 192),
]

CONV_TOPOLOGY = """Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
conv1, 12, 12, 3, 3, 3, 8, 1,
conv2, 10, 10, 3, 3, 8, 16, 2,
DPconv3, 6, 6, 3, 3, 4, 1, 1,
pw4, 4, 4, 1, 1, 4, 12, 1, 1:1,
fc5, 1, 1, 1, 1, 48, 10, 1,
"""
CONV_ARRAY = (8, 4)


def check(r):
    cyc, ou, me, cu = drv.closed_form(r["m"], r["k"], r["n"], r["rows"], r["cols"], r["dataflow"])
    ok = (cyc == r["total_cycles"] and r["stall_cycles"] == 0 and
          all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in
              [(ou, r["overall_util"]), (me, r["mapping_eff"]), (cu, r["compute_util"])]))
    if not ok:
        sys.exit("closed-form mismatch (check the numpy<2.4 pin): %r vs %r" % (r, (cyc, ou, me, cu)))


def gemm_rows(quick):
    rng = random.Random(20240611)
    shapes = []
    for i in range(240):
        hi = 64 if i % 5 else 130
        shapes.append(("rand%03d" % i, rng.randint(1, hi), rng.randint(1, hi), rng.randint(1, hi),
                       *ARRAYS[rng.randrange(len(ARRAYS))]))
    # a few fixed edge shapes from the spec's validation set
    shapes += [("fix0", 1, 1, 1, 4, 4), ("fix1", 1, 64, 1, 16, 16), ("fix2", 197, 64, 197, 16, 16),
               ("fix3", 64, 197, 64, 32, 32)]
    rows = []
    for name, m, k, n, r, c in shapes:
        for df in DATAFLOWS:
            res, _ = drv.run_gemm(m, k, n, r, c, df)
            check(res)
            rows.append(("random", name, res))
    for name, m, k, n in DEIT_TINY:
        if quick and name in ("qkv", "proj", "fc1", "fc2"):
            continue
        for arr in (16, 32):
            for df in DATAFLOWS:
                res, _ = drv.run_gemm(m, k, n, arr, arr, df)
                check(res)
                rows.append(("deit-tiny", name, res))
                print("  deit-tiny %-5s %3dx%-3d %s cycles %7d  run_scale %.2f s" %
                      (name, arr, arr, df, res["total_cycles"], res["wall"]), file=sys.stderr)
    return rows


def write_gemm_csv(path, rows):
    with open(path, "w") as f:
        f.write("set,name,M,K,N,rows,cols,dataflow,total_cycles,stall_cycles,"
                "overall_util,mapping_eff,compute_util,incl_prefetch,run_scale_s\n")
        for s, name, r in rows:
            f.write("%s,%s,%d,%d,%d,%d,%d,%s,%d,%d,%r,%r,%r,%d,%.4f\n" % (
                s, name, r["m"], r["k"], r["n"], r["rows"], r["cols"], r["dataflow"],
                r["total_cycles"], r["stall_cycles"], r["overall_util"], r["mapping_eff"],
                r["compute_util"], r["incl_prefetch"], r["wall"]))


def read_trace(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip().rstrip(",")
            if line:
                out.append([int(float(x)) for x in line.split(",")])
    return out


def trace_cases():
    cases = []
    for (m, k, n, r, c, df) in [(5, 3, 6, 4, 3, "os"), (5, 3, 6, 4, 3, "ws"), (5, 3, 6, 4, 3, "is"),
                                (3, 7, 2, 2, 2, "os"), (3, 7, 2, 2, 2, "ws"), (3, 7, 2, 2, 2, "is")]:
        res, d = drv.run_gemm(m, k, n, r, c, df, traces=True)
        check(res)
        td = res["trace_dir"]
        cases.append({"M": m, "K": k, "N": n, "rows": r, "cols": c, "dataflow": df,
                      "total_cycles": res["total_cycles"],
                      "ifmap": read_trace(os.path.join(td, "IFMAP_SRAM_TRACE.csv")),
                      "filter": read_trace(os.path.join(td, "FILTER_SRAM_TRACE.csv")),
                      "ofmap": read_trace(os.path.join(td, "OFMAP_SRAM_TRACE.csv"))})
        shutil.rmtree(d, ignore_errors=True)
    return cases


def conv_rows(out):
    topo = os.path.join(out, "scalesim_conv_topology.csv")
    with open(topo, "w") as f:
        f.write(CONV_TOPOLOGY)
    drv.write_config(os.path.join(out, "scalesim_conv.cfg"), CONV_ARRAY[0], CONV_ARRAY[1], "os", run_name="conv_run")
    rows = []
    for df in DATAFLOWS:
        d = tempfile.mkdtemp(prefix="scalesim-conv-")
        cfg = os.path.join(d, "conv.cfg")
        drv.write_config(cfg, CONV_ARRAY[0], CONV_ARRAY[1], df, run_name="conv_run")
        rep, _, _ = drv.run_topology(cfg, topo, False, d)
        shutil.rmtree(d, ignore_errors=True)
        for r in rep:
            rows.append((df, r))
    with open(os.path.join(out, "scalesim_conv.csv"), "w") as f:
        f.write("dataflow,layer,total_cycles,stall_cycles,overall_util,mapping_eff,compute_util\n")
        for df, r in rows:
            f.write("%s,%d,%d,%d,%r,%r,%r\n" % (df, r["layer"], r["total_cycles"], r["stall_cycles"],
                                               r["overall_util"], r["mapping_eff"], r["compute_util"]))
    return len(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the (slow) DeiT-Tiny linear GEMMs")
    ap.add_argument("--out", default=OUT)
    a = ap.parse_args()
    import numpy
    import scalesim  # noqa: F401
    print("numpy %s, output %s" % (numpy.__version__, a.out), file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    n_conv = conv_rows(a.out)
    with open(os.path.join(a.out, "scalesim_traces.json"), "w") as f:
        json.dump({"source": "SCALE-Sim 3.0.0 SRAM traces, CALC mode", "cases": trace_cases()}, f,
                  separators=(",", ":"))
    rows = gemm_rows(a.quick)
    write_gemm_csv(os.path.join(a.out, "scalesim_gemm.csv"), rows)
    print("wrote %d GEMM runs, 6 trace cases, %d conv layer rows" % (len(rows), n_conv), file=sys.stderr)


if __name__ == "__main__":
    main()
