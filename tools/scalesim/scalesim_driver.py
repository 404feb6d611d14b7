"""Shared helpers: run one SCALE-Sim 3.0.0 GEMM (or a conv topology) in-process.

Used by make_fixtures.py (Retort's test fixtures) and bench_scalesim.py (`retort bench sim`).
Only the `run_scale()` call is timed; config/topology/layout files are written to a
temporary directory that is deleted afterwards unless traces are requested.
"""
import contextlib
import io
import math
import os
import shutil
import tempfile
import time

CFG_TEMPLATE = """[general]
run_name = {run_name}

[architecture_presets]
ArrayHeight : {rows}
ArrayWidth : {cols}
IfmapSramSzkB : {ifmap_kb}
FilterSramSzkB : {filter_kb}
OfmapSramSzkB : {ofmap_kb}
IfmapOffset : 0
FilterOffset : 10000000
OfmapOffset : 20000000
Bandwidth : {bandwidth}
Dataflow : {dataflow}
ReadRequestBuffer : 512
WriteRequestBuffer : 512

[layout]
IfmapCustomLayout : False
FilterCustomLayout : False
IfmapSRAMBankBandwidth : {bandwidth}
IfmapSRAMBankNum : 1
IfmapSRAMBankPort : 2
FilterSRAMBankBandwidth : {bandwidth}
FilterSRAMBankNum : 1
FilterSRAMBankPort : 2

[sparsity]
SparsitySupport : false

[run_presets]
InterfaceBandwidth : {mode}
UseRamulatorTrace : False
"""


def write_config(path, rows, cols, dataflow, mode="CALC", bandwidth=10,
                 sram_kb=(256, 256, 128), run_name="gemm_run"):
    with open(path, "w") as f:
        f.write(CFG_TEMPLATE.format(run_name=run_name, rows=rows, cols=cols,
                                    ifmap_kb=sram_kb[0], filter_kb=sram_kb[1], ofmap_kb=sram_kb[2],
                                    bandwidth=bandwidth, dataflow=dataflow, mode=mode))


def parse_compute_report(path):
    """Rows of COMPUTE_REPORT.csv as dicts (fields stripped, empty fields dropped)."""
    out = []
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    for line in lines[1:]:
        v = [x.strip() for x in line.split(",") if x.strip()]
        out.append({
            "layer": int(v[0]),
            "incl_prefetch": int(float(v[1])),
            "total_cycles": int(float(v[2])),
            "stall_cycles": int(float(v[3])),
            "overall_util": float(v[4]),
            "mapping_eff": float(v[5]),
            "compute_util": float(v[6]),
        })
    return out


def run_topology(cfg_path, topo_path, gemm, workdir, traces=False):
    """Runs SCALE-Sim on a topology file; returns (report rows, run_scale() seconds)."""
    from scalesim.scale_sim import scalesim
    layout = os.path.join(workdir, "layout.csv")
    with open(layout, "w") as f:
        f.write("Layer name,\n")  # header-only layout: custom layouts are off
    top = os.path.join(workdir, "logs")
    with contextlib.redirect_stdout(io.StringIO()):
        sim = scalesim(save_disk_space=not traces, verbose=False, config=cfg_path,
                       topology=topo_path, layout=layout, input_type_gemm=gemm)
        t0 = time.perf_counter()
        sim.run_scale(top_path=top)
        wall = time.perf_counter() - t0
    run_name = [d for d in os.listdir(top)][0]
    return parse_compute_report(os.path.join(top, run_name, "COMPUTE_REPORT.csv")), wall, os.path.join(top, run_name)


def run_gemm(m, k, n, rows, cols, dataflow, traces=False, keep_dir=False):
    """One GEMM C[m×n] = A[m×k]·B[k×n] in CALC mode. Returns a dict (and the run dir if kept)."""
    d = tempfile.mkdtemp(prefix="scalesim-")
    try:
        cfg = os.path.join(d, "gemm.cfg")
        write_config(cfg, rows, cols, dataflow)
        topo = os.path.join(d, "topo.csv")
        with open(topo, "w") as f:
            f.write("Layer, M, N, K,\n")
            f.write("gemm0, %d, %d, %d,\n" % (m, n, k))  # SCALE-Sim's GEMM order is M, N, K
        rep, wall, run_dir = run_topology(cfg, topo, True, d, traces=traces)
        r = dict(rep[0])
        r.update(m=m, k=k, n=n, rows=rows, cols=cols, dataflow=dataflow, wall=wall)
        if traces:
            r["trace_dir"] = os.path.join(run_dir, "layer0")
        return r, d
    finally:
        if not keep_dir and not traces:
            shutil.rmtree(d, ignore_errors=True)


def closed_form(m, k, n, rows, cols, dataflow):
    """Spec §4 closed form: (cycles, overall %, mapping %, compute %) computed in SCALE-Sim's order."""
    sr, sc, t = {"os": (m, n, k), "ws": (k, n, m), "is": (k, m, n)}[dataflow]
    rf, cf = math.ceil(sr / rows), math.ceil(sc / cols)
    fold = t + rows + cols - 2 if dataflow == "os" else 2 * rows + cols + t - 2
    denom = t + rows + cols - 2 if dataflow == "os" else 2 * rows + 2 * cols + t - 3
    cycles = rf * cf * fold - 1
    maps, comps = [], []
    for fc in range(cf):
        for fr in range(rf):
            ru = min(rows, sr - fr * rows)
            cu = min(cols, sc - fc * cols)
            maps.append(ru * cu / (rows * cols))
            comps.append(ru * cu * t / (rows * cols * denom))
    overall = (m * n * k * 100) / (cycles * rows * cols)
    return cycles, overall, sum(maps) / len(maps) * 100, sum(comps) / len(comps) * 100
