#!/usr/bin/env python3
"""Writes the bad-input corpus: malformed files under tests/bad-inputs/files/ and the
manifest tests/bad-inputs/cases.tsv (exit code, regex the one-line error must match,
arguments to `retort`; `@` stands for tests/bad-inputs/files). Cases with exit 0 are inputs
that must be accepted (files from other tools); their regex is matched against stdout. Run from anywhere; the
output is committed. tests/e2e/cases/badinputs.sh runs every case."""
import gzip, io, json, os, re, shutil, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "files")
cases = []  # (name, exit, regex, args)

def put(rel, data):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return "@/" + rel

def case(name, code, regex, *args):
    cases.append((name, code, regex, list(args)))

shutil.rmtree(OUT, ignore_errors=True)

# ---- themes: retort check theme FILE ------------------------------------------------
good_theme = open(os.path.join(ROOT, "themes/dark.toml")).read()
themes = [
    ("unknown section", "[colours]\nfg = \"#ffffff\"\n", r"theme-unknown-section\.toml:1: .*unknown section \[colours\]"),
    ("line without =", "fg #ffffff\n", r":1: .*expected key = "),
    ("unquoted colour", "fg = #ffffff\n", r":1: fg: .*quoted string"),
    ("bad hex digits", "fg = \"#ggg000\"\n", r":1: fg: .*not a colour"),
    ("three-digit hex", "fg = \"#fff\"\n", r":1: fg: .*not a colour"),
    ("unknown key", "foreground = \"#ffffff\"\n", r":1: foreground: unknown key"),
    ("text after value", "fg = \"#ffffff\" bold\n", r":1: fg: unexpected text after the value"),
    ("empty value", "fg =\n", r":1: fg: .*found nothing"),
    ("error on a late line", good_theme + "\nheat_end = \"red\"\n", r":[0-9]+: heat_end: 'red' is not a colour"),
    ("unterminated quote", "fg = \"#ffffff\n", r":1: fg: value must be a quoted string"),
]
for i, (name, text, rx) in enumerate(themes):
    slug = "theme-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".toml"
    f = put("themes/" + slug, text)
    case("theme: " + name, 2, rx, "check", "theme", f)
f = put("themes/theme-not-utf8.toml", b"fg = \"\xff\xfe\"\n")
case("theme: not UTF-8", 2, r"theme-not-utf8\.toml.*not UTF-8", "check", "theme", f)
case("theme: missing file", 2, r"no-such-theme\.toml.*cannot read", "check", "theme", "@/themes/no-such-theme.toml")

# ---- data sets: retort check data FILE --as digits, and retort train --data-dir -----
row = ",".join(["0"] * 64)
def gz(text):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(text.encode() if isinstance(text, str) else text)
    return buf.getvalue()
data = [
    ("wrong column count", f"{row},1\n{row[2:]},1\n", r"\.csv\.gz:2: expected 65 columns"),
    ("non-numeric cell", f"{row},1\nabc,{row[2:]},1\n", r":2: .*'abc'.* not a number"),
    ("value above range", f"{row},1\n99,{row[2:]},1\n", r":2: .*99.*outside"),
    ("negative value", f"{row},1\n-1,{row[2:]},1\n", r":2: .*-1.*outside"),
    ("label out of range", f"{row},1\n{row},12\n", r":2: .*label 12"),
    ("negative label", f"{row},-1\n", r":1: .*label -1"),
    ("fractional label", f"{row},3.5\n", r":1: .*label.*3\.5"),
    ("NaN feature", f"nan,{row[2:]},1\n", r":1: .*(NaN|not a number|finite)"),
    ("infinite feature", f"inf,{row[2:]},1\n", r":1: .*(inf|not a number|finite)"),
    ("header row", "f" + ",f".join(str(i) for i in range(64)) + ",label\n" + f"{row},1\n", r":1: .*not a number"),
    ("empty cell", f"{row},1\n,{row[2:]},1\n", r":2: .*(empty|not a number)"),
    ("only blank lines", "\n\n\n", r"(empty|no rows)"),
]
for name, text, rx in data:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"data/{slug}/digits_8x8.csv.gz", gz(text))
    case("data: " + name, 2, rx, "check", "data", f, "--as", "digits")
f = put("data/empty-file/digits_8x8.csv.gz", b"")
case("data: empty file", 2, r"digits_8x8\.csv\.gz.*empty", "check", "data", f, "--as", "digits")
# UTF-16/32 text (a spreadsheet's "Unicode text" export) is named as such, not read as a header row
for enc, name in [("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32-le", "UTF-32")]:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}[enc]
    f = put(f"data/{enc}/digits_8x8.csv.gz", gz(bom + f"{row},1\n".encode(enc)))
    case(f"data: {enc} text", 2, rf"digits_8x8\.csv\.gz: is {name}; save it as UTF-8", "check", "data", f, "--as", "digits")
real = open(os.path.join(ROOT, "sample-data/digits_8x8.csv.gz"), "rb").read()
f = put("data/truncated-gzip/digits_8x8.csv.gz", real[:200])
case("data: truncated gzip", 2, r"digits_8x8\.csv\.gz.*(truncated|corrupt)", "check", "data", f, "--as", "digits")
bad_crc = bytearray(gz(f"{row},1\n" * 3)); bad_crc[-8] ^= 0xFF
f = put("data/bad-crc/digits_8x8.csv.gz", bytes(bad_crc))
case("data: gzip CRC mismatch", 2, r"digits_8x8\.csv\.gz.*(CRC|corrupt|checksum)", "check", "data", f, "--as", "digits")
flipped = bytearray(real); flipped[len(flipped) // 2] ^= 0x55
f = put("data/corrupt-deflate/digits_8x8.csv.gz", bytes(flipped))
case("data: corrupt deflate stream", 2, r"digits_8x8\.csv\.gz", "check", "data", f, "--as", "digits")
# a gzip bomb: 60 MB of '0' in 58 KB; under `ulimit -d 200000` (200 MB, a quarter of it the
# budget) it must be refused with the size it needs, never allocated
# (`ulimit-d=KB` as the first argument: the runner sets that limit)
f = put("data/gzip-bomb/digits_8x8.csv.gz", gz(b"0" * 60_000_000))
case("data: gzip bomb beyond the memory budget", 2, r"digits_8x8\.csv\.gz: decompresses to more than 48\.8 MB, the memory available for it: it needs 57\.2 MB",
     "ulimit-d=200000", "check", "data", f, "--as", "digits")
f = put("data/binary-garbage/digits_8x8.csv.gz", bytes(range(256)) * 4)
case("data: binary garbage", 2, r"digits_8x8\.csv\.gz", "check", "data", f, "--as", "digits")
# the same files through the training command (the run is never started)
case("train: wrong column count in --data-dir", 2, r"digits_8x8\.csv\.gz:2: expected 65 columns",
     "train", "--data", "digits", "--model", "mlp", "--epochs", "1", "--data-dir", "@/data/wrong-column-count", "--runs", "@/../runs-never")
case("train: truncated gzip in --data-dir", 2, r"(truncated|corrupt)",
     "train", "--data", "digits", "--model", "mlp", "--epochs", "1", "--data-dir", "@/data/truncated-gzip", "--runs", "@/../runs-never")
case("train: data folder without the data set", 2, r"mnist_5k\.csv\.gz",
     "train", "--data", "mnist5k", "--epochs", "1", "--data-dir", "@/data/empty-file", "--runs", "@/../runs-never")
case("distill: corrupt data", 2, r"digits_8x8\.csv\.gz:2",
     "distill", "--epochs", "1", "--data-dir", "@/data/label-out-of-range", "--runs", "@/../runs-never", "--plain")

# ---- SCALE-Sim config: retort check scalesim-config FILE -----------------------------
cfg = open(os.path.join(ROOT, "configs/accelerator/scalesim-16x16-os.cfg")).read()
def cfg_with(old, new):
    assert old in cfg, old
    return cfg.replace(old, new, 1)
scalesim = [
    ("unknown dataflow", cfg_with("Dataflow : os", "Dataflow : rs"), r"Dataflow.*'rs' is not one of os, ws, is"),
    ("zero array height", cfg_with("ArrayHeight : 16", "ArrayHeight : 0"), r"ArrayHeight"),
    ("non-integer width", cfg_with("ArrayWidth : 16", "ArrayWidth : sixteen"), r"ArrayWidth"),
    ("missing section", cfg.replace("[architecture_presets]", "[architecture]"), r"architecture_presets"),
    ("duplicate option", cfg_with("ArrayWidth : 16", "ArrayWidth : 16\nArrayWidth : 8"), r"duplicate option"),
    ("option outside a section", "ArrayHeight : 16\n" + cfg, r":1: .*outside any \[section\]"),
    ("line without separator", cfg_with("Bandwidth : 10", "Bandwidth 10"), r"expected 'key = value'"),
    ("empty run name", cfg_with("run_name = deit_tiny_16x16_os", "run_name = "), r"run_name.*empty run name"),
    ("custom layout", cfg_with("IfmapCustomLayout : False", "IfmapCustomLayout : True"), r"custom layouts are not supported"),
    ("sparsity on", cfg_with("SparsitySupport : false", "SparsitySupport : true"), r"sparsity is not supported"),
    ("negative offset", cfg_with("FilterOffset : 10000000", "FilterOffset : -5"), r"FilterOffset"),
    ("empty section name", "[]\n" + cfg, r":1: empty section name"),
]
for name, text, rx in scalesim:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"scalesim/{slug}.cfg", text)
    case("scalesim cfg: " + name, 2, rx, "check", "scalesim-config", f)
case("scalesim cfg: through sim scalesim", 2, r"Dataflow.*'rs'", "sim", "scalesim", "--config", "@/scalesim/unknown-dataflow.cfg",
     "--topology", "configs/accelerator/deit-tiny-gemm.csv", "--gemm", "--out", "@/../runs-never")

# ---- topology CSV ---------------------------------------------------------------------
topo = [
    ("gemm: non-integer M", "Layer, M, N, K,\nqkv, 19x7, 576, 192,\n", r":2: M: '19x7' is not an integer", True),
    ("gemm: zero K", "Layer, M, N, K,\nqkv, 197, 576, 0,\n", r":2: K: must be positive", True),
    ("gemm: missing column", "Layer, M, N, K,\nqkv, 197, 576,\n", r":2: ", True),
    ("gemm: header only", "Layer, M, N, K,\n", r"no layers", True),
    ("gemm: empty layer name", "Layer, M, N, K,\n, 197, 576, 192,\n", r":2: .*empty layer name", True),
    ("conv: filter larger than ifmap", "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1, 4, 4, 7, 3, 3, 8, 1,\n", r":2: .*filter height 7 > IFMAP height 4", False),
    ("conv: negative stride", "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1, 8, 8, 3, 3, 3, 8, -1,\n", r":2: .*must be positive", False),
    ("conv: bad N:M sparsity", "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, Sparsity,\nc1, 8, 8, 3, 3, 3, 8, 1, 5:4,\n", r":2: .*N:M", False),
]
for name, text, rx, is_gemm in topo:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"topology/{slug}.csv", text)
    case("topology: " + name, 2, rx, "check", "gemm-topology" if is_gemm else "topology", f)

# ---- accelerator config JSON: retort check accel-config FILE ---------------------------
accel = [
    ("invalid JSON", "{\"hardware\": {", r"invalid JSON"),
    ("top level not an object", "[1, 2]", r"top level must be an object"),
    ("unknown section", json.dumps({"hardwear": {}}), r"hardwear: unknown section"),
    ("unknown key", json.dumps({"hardware": {"clock_ghz": 1}}), r"clock_ghz.*unknown key"),
    ("negative clock", json.dumps({"hardware": {"clock_mhz": -500}}), r"clock_mhz"),
    ("string where a number goes", json.dumps({"hardware": {"sa_rows": "64"}}), r"sa_rows.*expected a number"),
    ("bool where a number goes", json.dumps({"energy_pj": {"mac": True}}), r"mac.*expected a number"),
    ("number where a bool goes", json.dumps({"hardware": {"sa_double_buffered": 1}}), r"sa_double_buffered.*expected true or false"),
    ("fractional lane count", json.dumps({"hardware": {"divider_lanes": 2.5}}), r"divider_lanes.*integer"),
    ("section not an object", json.dumps({"hardware": 5}), r"hardware.*must be an object"),
    ("duplicate key", '{"hardware": {"chunks": 2,\n  "chunks": 4}}', r"accel-duplicate-key\.json:2: hardware\.chunks: duplicate key"),
    ("clock of 1e-300 MHz", json.dumps({"hardware": {"clock_mhz": 1e-300}}), r"clock_mhz: must be at least 1 \(allowed 1…100000\), got 1e-300"),
    ("DRAM of 1e-9 GB/s", json.dumps({"hardware": {"dram_gb_per_s": 1e-9}}), r"dram_gb_per_s: must be at least 0\.1"),
    ("SRAM of 1e-9 kB", json.dumps({"hardware": {"sram_input_kb": 1e-9}}), r"sram_input_kb: must be at least 1 "),
    ("energy of 1e300 pJ", json.dumps({"energy_pj": {"mac": 1e300}}), r"energy_pj\.mac: must be at most 1000000"),
]
for name, text, rx in accel:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"accel/{'accel-' if name == 'duplicate key' else ''}{slug}.json", text)
    case("accel config: " + name, 2, rx, "check", "accel-config", f)
case("accel config: through sim vitality", 2, r"clock_mhz", "sim", "vitality", "--config", "@/accel/negative-clock.json")


# ---- safetensors: retort check safetensors FILE, retort eval --weights FILE -------------
import struct
good_st = open(os.path.join(ROOT, "Tests/InteropTests/Fixtures/safetensors/student_mlp.safetensors"), "rb").read()
hlen = struct.unpack("<Q", good_st[:8])[0]
header = json.loads(good_st[8:8 + hlen])
def st_with(h, body=None):
    hb = json.dumps(h).encode()
    return struct.pack("<Q", len(hb)) + hb + (good_st[8 + hlen:] if body is None else body)
first = next(k for k in header if k != "__metadata__")
st = [
    ("truncated data", good_st[: len(good_st) - 100], r"(offset|bounds|bytes|truncated|end)"),
    ("shorter than its header length", good_st[:6], r"header length"),
    ("header length beyond the file", struct.pack("<Q", 10**9) + good_st[8:], r"header"),
    ("header not JSON", struct.pack("<Q", 9) + b"not json!" + good_st[8 + hlen:], r"(JSON|header)"),
    ("F16 tensor", st_with({**header, first: {**header[first], "dtype": "F16"}}), r"F16"),
    ("offsets out of bounds", st_with({**header, first: {**header[first], "data_offsets": [0, 10**8]}}), r"(offset|bounds)"),
    ("shape does not match offsets", st_with({**header, first: {**header[first], "shape": [3, 3]}}), r"(shape|bytes|offset)"),
    ("overlapping tensors", st_with({k: ({**v, "data_offsets": [0, v["data_offsets"][1] - v["data_offsets"][0]]} if k != "__metadata__" else v) for k, v in header.items()}), r"(overlap|cover|offset)"),
    ("empty file", b"", r"header length"),
]
for name, data, rx in st:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"safetensors/{slug}.safetensors", data)
    case("safetensors: " + name, 2, rx, "check", "safetensors", f)
case("eval: truncated weights", 2, r"(offset|bounds|bytes|truncated|end)", "eval", "--weights", "@/safetensors/truncated-data.safetensors")
case("eval: weights of the wrong shape", 2, r"shape", "train", "--data", "digits", "--model", "mlp", "--epochs", "1",
     "--init", "Tests/InteropTests/Fixtures/safetensors/student_mlp.safetensors", "--runs", "@/../runs-never")

# ---- TensorBoard event files: retort check events FILE ------------------------------------
ev = open(os.path.join(ROOT, "Tests/InteropTests/Fixtures/tensorboard/train.tfevents"), "rb").read()
def flip(b, i):
    b = bytearray(b); b[i] ^= 0x01; return bytes(b)
length0 = struct.unpack("<Q", ev[:8])[0]
events = [
    ("truncated record", ev[:-5], r"(truncated|byte)"),
    ("length CRC mismatch", flip(ev, 8), r"length CRC"),
    ("data CRC mismatch", flip(ev, 12 + length0 + 1), r"(data CRC|CRC)"),
    ("payload corrupted", flip(ev, 14), r"(CRC|byte)"),
    ("half a header", ev[:5], r"(truncated|byte)"),
    ("not an event file", b"hello, this is plain text and not TFRecord framing at all\n", r"(CRC|truncated|byte)"),
]
for name, data, rx in events:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"events/{slug}.tfevents", data)
    case("events: " + name, 2, rx, "check", "events", f)

# ---- checkpoints: retort check checkpoint FILE, retort resume RUN --------------------------
# A real checkpoint of a tiny run (needs a built retort: .build/release/retort).
import subprocess, tempfile
with tempfile.TemporaryDirectory() as tmpd:
    subprocess.run([os.path.join(ROOT, ".build/release/retort"), "train", "--data", "digits", "--model", "mlp", "--width", "0.05",
                    "--epochs", "1", "--threads", "1", "--runs", tmpd, "--name", "c", "--plain", "--no-tensorboard"],
                   check=True, stdout=subprocess.DEVNULL)
    ck = sorted(os.listdir(os.path.join(tmpd, "c", "checkpoints")))
    good_ck = open(os.path.join(tmpd, "c", "checkpoints", [c for c in ck if c.endswith(".ckpt")][-1]), "rb").read()
ckpts = [
    ("truncated to half", good_ck[: len(good_ck) // 2], r"(truncated|checksum)"),
    ("last byte missing", good_ck[:-1], r"(truncated|checksum)"),
    ("one bit flipped in the weights", flip(good_ck, len(good_ck) - 10), r"checksum mismatch"),
    ("header length only", good_ck[:8], r"truncated"),
    ("a plain safetensors file", open(os.path.join(ROOT, "Tests/InteropTests/Fixtures/safetensors/student_mlp.safetensors"), "rb").read(), r"not a Retort checkpoint"),
    ("empty file", b"", r"truncated"),
]
for name, data, rx in ckpts:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"checkpoints/{slug}.ckpt", data)
    case("checkpoint: " + name, 2, rx, "check", "checkpoint", f)
case("resume: a folder that is not a run", 2, r"no usable checkpoint", "resume", "@/checkpoints")

# ---- inputs from other tools: a UTF-8 BOM, CRLF line ends and trailing blanks are accepted ----
# (exit 0; the pattern is matched against stdout)
def windows(text):
    return "\ufeff" + "\r\n".join(l + " \t" for l in text.split("\n"))
good_data = gzip.decompress(real).decode()
gemm_topo = open(os.path.join(ROOT, "configs/accelerator/deit-tiny-gemm.csv")).read()
conv_topo = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nconv1, 32, 32, 3, 3, 3, 16, 1,\nDP2, 16, 16, 3, 3, 4, 1, 1,\n"
accel_json = open(os.path.join(ROOT, "configs/accelerator/vitality-default.json")).read()
windows_files = [
    ("theme", "themes/windows-dark.toml", good_theme, r"ok: theme", ["check", "theme"]),
    ("data", "data/windows/digits_8x8.csv.gz", gz(windows(good_data)), r"ok: .*1797 rows", ["check", "data"], ["--as", "digits"]),
    ("scalesim cfg", "scalesim/windows.cfg", cfg, r"ok: ", ["check", "scalesim-config"]),
    ("gemm topology", "topology/windows-gemm.csv", gemm_topo, r"ok: topology .*: %d layers" % (len([l for l in gemm_topo.splitlines()[1:] if l.strip()])), ["check", "gemm-topology"]),
    ("conv topology", "topology/windows-conv.csv", conv_topo, r"ok: topology .*: 5 layers", ["check", "topology"]),
    ("accel config", "accel/windows.json", accel_json, r"ok: ", ["check", "accel-config"]),
]
for entry in windows_files:
    what, rel, text, rx, cmd = entry[:5]
    extra = entry[5] if len(entry) > 5 else []
    f = put(rel, text if isinstance(text, bytes) else windows(text))
    case(f"accepted: {what} with BOM, CRLF and trailing blanks", 0, rx, *cmd, f, *extra)
case("accepted: sim scalesim on Windows files", 0, r"total cycles", "sim", "scalesim", "--config", "@/scalesim/windows.cfg",
     "--topology", "@/topology/windows-gemm.csv", "--gemm", "--out", "@/../runs-ok")

# ---- absurd sizes: refused at once with the field and the limit (or answered by the closed form) ----
big = "100000000000"
conv_h = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
absurd_topo = [
    ("gemm: absurd M N K", f"Layer, M, N, K,\nhuge, {big}, {big}, {big},\n", r":2: M: must be at most 1048576, got 100000000000", True),
    ("gemm: absurd K", "Layer, M, N, K,\nqkv, 197, 576, 2000000,\n", r":2: K: must be at most 1048576, got 2000000", True),
    ("gemm: M beyond Int", "Layer, M, N, K,\nqkv, 99999999999999999999, 576, 192,\n", r":2: M: .*not an integer", True),
    ("conv: absurd IFMAP", conv_h + f"c1, {big}, {big}, 3, 3, 3, 8, 1,\n", r":2: IFMAP Height: must be at most 1048576", False),
    ("conv: output map beyond the GEMM limit", conv_h + "c1, 4096, 4096, 3, 3, 3, 8, 1,\n", r":2: IFMAP Height: the layer's GEMM M = out_h.out_w = [0-9]+ must be at most 1048576", False),
    ("conv: absurd channels", conv_h + f"c1, 8, 8, 3, 3, {big}, 8, 1,\n", r":2: Channels: must be at most 1048576", False),
    ("conv: depthwise layer count", conv_h + "DP1, 8, 8, 3, 3, 1000000, 1, 1,\n", r":2: Channels: the topology has more than 16384 layers", False),
    ("conv: zero channels", conv_h + "c1, 8, 8, 3, 3, 0, 8, 1,\n", r":2: Channels: must be positive", False),
]
for name, text, rx, is_gemm in absurd_topo:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"topology/{slug}.csv", text)
    case("topology: " + name, 2, rx, "check", "gemm-topology" if is_gemm else "topology", f)
case("sim scalesim: absurd GEMM refused before simulating", 2, r"absurd-m-n-k\.csv:2: M: must be at most 1048576",
     "sim", "scalesim", "--config", "configs/accelerator/scalesim-16x16-os.cfg", "--topology", "@/topology/gemm-absurd-m-n-k.csv", "--gemm", "--out", "@/../runs-never")
absurd_cfg = [
    ("absurd array height", cfg_with("ArrayHeight : 16", "ArrayHeight : " + big), r"ArrayHeight: must be at most 4096, got 100000000000"),
    ("absurd array width", cfg_with("ArrayWidth : 16", "ArrayWidth : 5000"), r"ArrayWidth: must be at most 4096, got 5000"),
    ("absurd SRAM", cfg_with("IfmapSramSzkB : 256", "IfmapSramSzkB : 99999999999999"), r"IfmapSramSzkB: must be at most 1073741824"),
    ("negative SRAM", cfg_with("OfmapSramSzkB : 128", "OfmapSramSzkB : -1"), r"OfmapSramSzkB: must be ≥ 1, got -1"),
    ("absurd offset", cfg_with("FilterOffset : 10000000", "FilterOffset : 9000000000000000000"), r"FilterOffset: must be at most 1099511627776"),
]
for name, text, rx in absurd_cfg:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"scalesim/{slug}.cfg", text)
    case("scalesim cfg: " + name, 2, rx, "check", "scalesim-config", f)
absurd_accel = [
    ("absurd array rows", json.dumps({"hardware": {"sa_rows": 10**11}}), r"hardware\.sa_rows: must be at most 4096, got 100000000000"),
    ("absurd array cols", json.dumps({"hardware": {"sa_cols": 5000}}), r"hardware\.sa_cols: must be at most 4096"),
    ("zero array rows", json.dumps({"hardware": {"sa_rows": 0}}), r"hardware\.sa_rows: must be an integer ≥ 1, got 0"),
    ("absurd SRAM", json.dumps({"hardware": {"sram_input_kb": 1e14}}), r"hardware\.sram_input_kb: must be at most 1073741824"),
    ("absurd chunks", json.dumps({"hardware": {"chunks": 100000}}), r"hardware\.chunks: must be at most 256"),
    ("absurd lanes", json.dumps({"hardware": {"exp_lanes": 10**9}}), r"hardware\.exp_lanes: must be at most 65536"),
    ("absurd latency", json.dumps({"hardware": {"dram_latency_cycles": 10**11}}), r"hardware\.dram_latency_cycles: must be at most 1000000"),
]
for name, text, rx in absurd_accel:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"accel/{slug}.json", text)
    case("accel config: " + name, 2, rx, "check", "accel-config", f)
case("accel config: absurd array through sim vitality", 2, r"sa_rows: must be at most 4096", "sim", "vitality", "--config", "@/accel/absurd-array-rows.json")

# ---- image data formats: retort check data FILE|FOLDER (npy/npz, IDX, CIFAR, PNG/JPEG) ---
import zipfile
def npy(descr, shape, data, fortran=False, version=1):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, fortran, "".join(f"{n}, " for n in shape) if len(shape) == 1 else ", ".join(map(str, shape)))
    pre = 10 if version == 1 else 12
    h = d + " " * ((64 - (pre + len(d) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY" + bytes([version, 0]) + (struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))) + h.encode() + data
def idx(dims, data, dtype=0x08):
    return bytes([0, 0, dtype, len(dims)]) + b"".join(struct.pack(">I", n) for n in dims) + data
def png(w, h, grey=100):  # a real PNG (8-bit grey), written from the spec with zlib
    raw = b"".join(b"\x00" + bytes([grey]) * w for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
def npz(members, compress=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        for n, b in members.items(): z.writestr(n + ".npy", b)
    return buf.getvalue()
x8 = npy("|u1", (4, 2, 2), bytes(range(16)))
y4 = npy("<i8", (4,), struct.pack("<4q", 0, 1, 2, 1))
formats = [  # (slug, {relative file: bytes}, file or folder to check, regex)
    ("npy-truncated", {"x.npy": x8[:-3], "y.npy": y4}, "x.npy", r"x\.npy: truncated \.npy file"),
    ("npy-wrong-magic", {"x.npy": b"\x93NUMPX" + x8[6:], "y.npy": y4}, "x.npy", r"x\.npy: .*(magic|not a NumPy)"),
    ("npy-wrong-dtype", {"x.npy": npy("<c8", (4, 2, 2), bytes(128)), "y.npy": y4}, "x.npy", r"x\.npy: descr: '<c8' is not supported"),
    ("npy-int-images", {"x.npy": npy("<i4", (4, 2, 2), bytes(64)), "y.npy": y4}, "x.npy", r"x\.npy: dtype: x is <i4"),
    ("npy-wrong-shape", {"x.npy": npy("|u1", (4, 4), bytes(16)), "y.npy": y4}, "x.npy", r"x\.npy: shape: x has shape \(4, 4\)"),
    ("npy-label-count", {"x.npy": x8, "y.npy": npy("<i8", (3,), struct.pack("<3q", 0, 1, 2))}, "x.npy", r"y\.npy: labels: 3 labels for 4 images"),
    ("npy-label-out-of-range", {"x.npy": x8, "y.npy": npy("<i8", (4,), struct.pack("<4q", 0, 1, -1, 1))}, "x.npy", r"y\.npy: y: label -1 of sample 2 is out of range"),
    ("npy-float-labels", {"x.npy": x8, "y.npy": npy("<f4", (4,), bytes(16))}, "x.npy", r"y\.npy: dtype: y is <f4"),
    ("npy-bad-header", {"x.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': '|u1' \n", "y.npy": y4}, "x.npy", r"x\.npy: header: "),
    ("npy-no-labels", {"x.npy": x8}, "x.npy", r"x\.npy: labels: no y\.npy"),
    ("npy-too-large", {"x.npy": npy("<f4", (4000000000, 1000, 1000), b""), "y.npy": y4}, "x.npy", r"x\.npy: needs [0-9.]+ [KMGT]?B to load, this machine has [0-9.]+ [KMG]?B available"),
    ("npy-ambiguous-layout", {"x.npy": npy("|u1", (1, 2, 5, 6), bytes(60)), "y.npy": npy("<i8", (1,), bytes(8))}, "x.npy", r"cannot tell channels.*nhwc or nchw"),
    ("npz-missing-members", {"d.npz": npz({"images": x8, "labels": y4})}, "d.npz", r"d\.npz: members: needs x and y.*found images, labels"),
    ("npz-truncated", {"d.npz": npz({"x": x8, "y": y4})[:-30]}, "d.npz", r"d\.npz: zip: "),
    ("npz-corrupt-member", {"d.npz": (lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:])(npz({"x": x8, "y": y4}, zipfile.ZIP_STORED))}, "d.npz", r"d\.npz.*(CRC|magic|header)"),
    ("npz-label-count", {"d.npz": npz({"x": x8, "y": npy("<i8", (2,), bytes(16))})}, "d.npz", r"d\.npz:y\.npy: labels: 2 labels for 4 images"),
    ("idx-wrong-magic", {"train-images-idx3-ubyte": b"\x01\x02\x08\x03" + idx([2, 2, 2], bytes(8))[4:], "train-labels-idx1-ubyte": idx([2], b"\x00\x01")}, "", r"train-images-idx3-ubyte: magic: 0x01020803 is not an IDX magic"),
    ("idx-wrong-dtype", {"train-images-idx3-ubyte": idx([2, 2, 2], bytes(32), 0x0D), "train-labels-idx1-ubyte": idx([2], b"\x00\x01")}, "", r"train-images-idx3-ubyte: dtype: IDX element type 0xd"),
    ("idx-truncated", {"train-images-idx3-ubyte": idx([3, 4, 4], bytes(40)), "train-labels-idx1-ubyte": idx([3], b"\x00\x01\x02")}, "", r"train-images-idx3-ubyte: truncated IDX file: 3×4×4 needs 48"),
    ("idx-truncated-gzip", {"train-images-idx3-ubyte.gz": gz(idx([3, 4, 4], bytes(48)))[:-12], "train-labels-idx1-ubyte.gz": gz(idx([3], b"\x00\x01\x02"))}, "", r"train-images-idx3-ubyte\.gz: truncated gzip"),
    ("idx-label-count", {"train-images-idx3-ubyte": idx([3, 2, 2], bytes(12)), "train-labels-idx1-ubyte": idx([2], b"\x00\x01")}, "", r"train-labels-idx1-ubyte: labels: 2 labels for 3 images"),
    ("idx-labels-given", {"train-images-idx3-ubyte": idx([2, 2, 2], bytes(8)), "train-labels-idx1-ubyte": idx([2], b"\x00\x01")}, "train-labels-idx1-ubyte", r"is an IDX labels file"),
    ("idx-no-labels", {"train-images-idx3-ubyte": idx([2, 2, 2], bytes(8))}, "train-images-idx3-ubyte", r"labels: no IDX labels file beside it"),
    ("cifar10-truncated", {"data_batch_1.bin": bytes(3073 * 2 - 100)}, "", r"data_batch_1\.bin: truncated CIFAR-10 batch"),
    ("cifar10-label-out-of-range", {"data_batch_1.bin": b"\x03" + bytes(3072) + b"\x0c" + bytes(3072)}, "", r"data_batch_1\.bin: labels: label 12 of record 1 is out of range \(0…9\)"),
    ("cifar100-coarse-out-of-range", {"train.bin": b"\x19\x05" + bytes(3072)}, "", r"train\.bin: labels: coarse label 25 of record 0 is out of range \(0…19\)"),
    ("folder-corrupt-png", {"cat/a.png": png(4, 4), "dog/b.png": png(4, 4)[:30] + bytes(20) + png(4, 4)[50:]}, "", r"dog/b\.png: .*(corrupt|not a readable)"),
    ("folder-empty-class", {"cat/a.png": png(4, 4), "dog/notes.txt": b"no images here\n"}, "", r"dog: empty class folder"),
    ("folder-mixed-sizes", {"cat/a.png": png(4, 4), "dog/b.png": png(5, 4)}, "", r"dog/b\.png: image size: 4×5, but .*cat/a\.png is 4×4"),
    ("folder-unknown-layout", {"readme.txt": b"nothing to see\n"}, "", r"no known data layout in this folder"),
]
for slug, files, target, rx in formats:
    for rel, data in files.items():
        put(f"formats/{slug}/{rel}", data)
    case("formats: " + slug.replace("-", " "), 2, rx, "check", "data", f"@/formats/{slug}" + (f"/{target}" if target else ""))
case("formats: /dev/zero is refused", 2, r"/dev/zero: is a character device, not a regular file", "check", "data", "/dev/zero")
f = put("formats/csv-shape/rows.csv", f"{row},1\n")
case("formats: declared shape does not divide the row", 2, r"rows\.csv: shape: declared 3×3 does not divide a row of 64 values", "data", "inspect", f, "--shape", "3x3")
# CSV columns: a header row (Kaggle's label,pixel0,…) and where the label is; the sidecar FILE.yaml
f = put("formats/csv-header/train.csv", "label,p0,p1,p2,p3\r\n1,0,255,3,4\r\n2.5,1,2,3,4\r\n")
case("formats: csv label not an integer under a header", 2, r"train\.csv:3: label 2\.5 is not an integer", "data", "inspect", f)
case("formats: csv label column not in the header", 2, r"train\.csv:1: label-column: no column named 'digit' in the header row \(columns: label, p0", "data", "inspect", f, "--label-column", "digit")
case("formats: csv label column past the row", 2, r"train\.csv:2: label-column: column 9, but rows have 5 columns", "data", "inspect", f, "--label-column", "9")
case("formats: csv label column zero", 64, r"label-column: '0' is not a column \(first, last, a column number from 1", "data", "inspect", f, "--label-column", "0")
f = put("formats/csv-no-header/rows.csv", "1,0,255,3,4\n")
case("formats: csv label named but no header", 2, r"rows\.csv:1: label-column: 'label' names a header column, but the file has no header row", "data", "inspect", f, "--label-column", "label")
f = put("formats/csv-sidecar/rows.csv", "1,0,255,3,4\n")
put("formats/csv-sidecar/rows.csv.yaml", "label: first\n")
case("formats: csv sidecar with an unknown key", 2, r"rows\.csv\.yaml:1: label: unknown key \(keys: test, layout, shape, flip, label-column, header\)", "data", "inspect", f)
f = put("formats/csv-sidecar-type/rows.csv", "1,0,255,3,4\n")
put("formats/csv-sidecar-type/rows.csv.yaml", "header: maybe\n")
case("formats: csv sidecar with a wrong type", 2, r"rows\.csv\.yaml:1: header: expected", "train", "--data", f, "--epochs", "1", "--runs", "@/../runs-never")

# ---- config files: retort train|distill|attention train --config FILE -----------------------
# (YAML or JSON; every error names the file, the line and the key; exit 2)
configs = [
    ("train", "unknown key", "epochs: 2\nlearning-rate: 0.1\n", r"unknown-key\.yaml:2: learning-rate: unknown key \(keys: data, data-options, model, width"),
    ("train", "whole number expected", "epochs: two\n", r'whole-number-expected\.yaml:1: epochs: expected a whole number, got "two"'),
    ("train", "number expected", "epochs: 1\nlr: fast\n", r'number-expected\.yaml:2: lr: expected a number, got "fast"'),
    ("train", "unknown choice", "model: resnet\n", r'unknown-choice\.yaml:1: model: must be one of mlp, cnn, got "resnet"'),
    ("train", "duplicate key", "epochs: 2\nlr: 0.1\nepochs: 3\n", r"duplicate-key\.yaml:3: epochs: duplicate key \(first on line 1\)"),
    ("train", "one key in two spellings", "batch-size: 8\nbatchSize: 16\n", r"two-spellings\.yaml:2: batchSize: duplicate key \(first on line 1 as batch-size\)"),
    ("train", "empty file", "", r"empty-file\.yaml:1: empty config file"),
    ("train", "only comments", "# epochs: 2\n", r"only-comments\.yaml:1: empty config file"),
    ("train", "a list at the top", "- epochs: 2\n", r"list-at-the-top\.yaml:1: expected keys and values at the top"),
    ("train", "YAML syntax error", "epochs: [2\nlr: 0.1\n", r"syntax-error\.yaml:[0-9]+: not valid YAML"),
    ("train", "unterminated JSON", '{"epochs": 2, "lr": 0.1\n', r"unterminated-json\.json:[0-9]+: not valid YAML"),
    ("train", "value out of range", "epochs: 2\nlr: -1\n", r"out-of-range\.yaml:2: lr: must be"),
    ("train", "null for a number", "epochs:\n", r"null-number\.yaml:1: epochs: expected a whole number, got nothing"),
    ("train", "mapping for a number", "epochs:\n  n: 2\n", r"mapping-for-number\.yaml:[12]: epochs: expected a whole number, got a mapping"),
    ("train", "not UTF-8", b"epochs: \xff\n", r"not-utf8\.yaml: not UTF-8 text"),
    ("train", "NUL byte", b"epochs: 2\x00\n", r"nul-byte\.yaml: contains a NUL byte"),
    ("train", "YAML alias", "a: &x 1\nepochs: *x\n", r"alias\.yaml:2: YAML aliases \(\*name\) are not read in config files"),
    ("distill", "choice from a preset's key", "method: full\nsurgery: pcgrad\n", r'distill-surgery\.yaml:2: surgery: must be one of none, sym, asym, drop, got "pcgrad"'),
    ("distill", "range error from the file", "epochs: 2\ntau: 2\n", r"distill-tau\.yaml:2: tau: must be in \[-1, 1\]"),
    ("attention", "nested unknown key", "sparse:\n  treshold: 0.1\n", r"attention-nested\.yaml:2: sparse\.treshold: unknown key \(keys: threshold, bits, momentum, weight, threshold-mode, kept-fraction, reference-tokens, scale-by-inv-sqrt-d, shared-quantizer\)"),
    ("attention", "partial vit", "vit:\n  depth: 2\n", r"attention-vit\.yaml:1: vit: missing name"),
]
slugs = {"unknown key": "unknown-key", "whole number expected": "whole-number-expected", "number expected": "number-expected",
         "unknown choice": "unknown-choice", "duplicate key": "duplicate-key", "one key in two spellings": "two-spellings",
         "empty file": "empty-file", "only comments": "only-comments", "a list at the top": "list-at-the-top",
         "YAML syntax error": "syntax-error", "unterminated JSON": "unterminated-json.json", "value out of range": "out-of-range",
         "null for a number": "null-number", "mapping for a number": "mapping-for-number", "not UTF-8": "not-utf8", "NUL byte": "nul-byte", "YAML alias": "alias",
         "choice from a preset's key": "distill-surgery", "range error from the file": "distill-tau",
         "nested unknown key": "attention-nested", "partial vit": "attention-vit"}
command = {"train": ["train"], "distill": ["distill", "--plain"], "attention": ["attention", "train"]}
for engine, name, text, rx in configs:
    slug = slugs[name]
    f = put("config/" + (slug if "." in slug else slug + ".yaml"), text)
    case(f"config: {engine}: {name}", 2, rx, *command[engine], "--config", f, "--runs", "@/../runs-never")
case("config: missing file", 2, r"no-such-config\.yaml: cannot read the config file \(no such file\)", "train", "--config", "@/config/no-such-config.yaml")
case("config: a folder", 2, r"files/config/?: is a folder", "train", "--config", "@/config/")
case("config: a device", 2, r"/dev/zero: not a regular file", "train", "--config", "/dev/zero")
# a file from Windows: BOM, CRLF, trailing blanks (accepted, trains)
f = put("config/windows.yaml", b"\xef\xbb\xbfdata: digits\r\nmodel: mlp  \r\nepochs: 1\r\n\r\n   \r\n")
case("accepted: a config file with BOM, CRLF and trailing blanks", 0, r"done in", "train", "--config", f, "--runs", "@/../runs-ok", "--plain")

# ---- CLI arguments ----------------------------------------------------------------------
cli = [
    ("unknown flag", 64, r"Unknown option '--colour'", ["train", "--colour", "red"]),
    ("unknown subcommand", 64, r"Unexpected argument 'trian'", ["trian"]),
    ("negative lr", 64, r"lr", ["train", "--lr=-0.1"]),
    ("zero epochs", 64, r"epochs", ["train", "--epochs", "0"]),
    ("non-number lr", 64, r"lr", ["train", "--lr", "fast"]),
    ("unknown data set", 2, r"cifar10: no such file or folder \(a sample: mnist5k, digits; or a data file or folder\)", ["train", "--data", "cifar10"]),
    ("zero threads", 64, r"threads", ["train", "--threads", "0"]),
    ("batch size 0", 64, r"batch", ["train", "--batch-size", "0"]),
    ("distill: unknown surgery", 64, r"'pcgrad' is invalid for '--surgery.*'none', 'sym', 'asym' or 'drop'", ["distill", "--surgery", "pcgrad"]),
    ("distill: tau out of range", 64, r"tau: must be in \[-1, 1\]", ["distill", "--tau", "2"]),
    ("distill: stop-width-aug beyond epochs", 64, r"stop-width-aug: must be in 0…epochs", ["distill", "--epochs", "5", "--stop-width-aug", "9"]),
    ("compare: unknown condition", 2, r"netaugg", ["compare", "--conditions", "base,netaugg"]),
    ("attention: unknown kind", 64, r"softmaxx", ["attention", "train", "--kinds", "softmaxx"]),
    ("sim vitality: unknown model", 2, r"--model: 'deit-huge' is neither a preset nor a run folder", ["sim", "vitality", "--model", "deit-huge"]),
    ("tui: fps out of range", 64, r"--fps must be in 1…60", ["tui", "--fps", "500"]),
    ("check: unknown kind", 64, r"kind", ["check", "pickle", "x"]),
    ("check data: unknown --as", 64, r"--as", ["check", "data", "sample-data/digits_8x8.csv.gz", "--as", "cifar"]),
    ("sim gemm: absurd M N K", 64, r"-m must be at most 1048576, got 100000000000", ["sim", "gemm", "-m", "100000000000", "-n", "100000000000", "-k", "100000000000"]),
    ("sim gemm: absurd array", 64, r"--array: rows and columns must be at most 4096", ["sim", "gemm", "-m", "8", "-n", "8", "-k", "8", "--array", "100000x4"]),
    ("sim gemm: functional beyond its limit", 64, r"--functional: .*beyond the functional array's limit", ["sim", "gemm", "-m", "100000", "-n", "100000", "-k", "100000", "--functional"]),
    ("sim vitality: absurd buckets", 64, r"--buckets must be at most 100000", ["sim", "vitality", "--buckets", "100000000000"]),
    ("train: cnn spec with an even kernel", 64, r"cnn: row 1: kernel k: must be odd in 1…11, got 4", ["train", "--cnn", "stem=16/2; 6,24,2,2,4; head=96"]),
    ("train: cnn row of two numbers", 64, r"cnn: row 2 '6,24': a row is t,c,n,s\[,k\]", ["train", "--cnn", "stem=16/2; 1,16,1,1; 6,24; head=96"]),
    ("train: cnn spec without a head", 64, r"cnn: head: missing", ["train", "--cnn", "stem=16/2; 1,16,1,1"]),
    ("train: --cnn and --cnn-preset", 64, r"give --cnn or --cnn-preset, not both", ["train", "--cnn", "stem=8/1; 1,8,1,1; head=8", "--cnn-preset", "mcunet"]),
    ("train: unknown cnn preset", 64, r"'resnet' is invalid for '--cnn-preset", ["train", "--cnn-preset", "resnet"]),
    ("train: cnn spec for the mlp", 64, r"cnn: a CNN spec needs --model cnn", ["train", "--model", "mlp", "--cnn-preset", "mbv2-tiny"]),
    ("train: empty mlp-hidden width", 64, r"mlp-hidden: must be 1 to 64 comma-separated widths", ["train", "--model", "mlp", "--mlp-hidden", "64,,32"]),
    ("distill: cnn spec with zero repeats", 64, r"cnn: row 1: repeats n: must be in 1…32, got 0", ["distill", "--model", "cnn", "--cnn", "stem=8/1; 4,8,0,1; head=16"]),
    ("attention: unknown vit key", 64, r"vit: unknown key 'dpth'", ["attention", "train", "--vit", "dpth=2"]),
    ("attention: vit patch that does not divide the images", 64, r"patch size 3 must divide the image size 28", ["attention", "train", "--vit", "patch=3"]),
]
for name, code, rx, args in cli:
    case("cli: " + name, code, rx, *args)
case("train: cnn resolution other than the data's", 2, r"cnn: resolution 32×32 differs from the data's 8×8 images",
     "train", "--data", "digits", "--epochs", "1", "--cnn", "stem=16/2; 6,24,2,2; head=96; res=32x32", "--runs", "@/../runs-never")

# ---- model specs: seeds of the cnn-spec / vit-spec fuzz targets (replayed by the e2e tests) ----
specs = {
    "cnn-mbv2-tiny": "stem=16/2; 1,8,1,1; 6,8,2,2; 6,16,3,2; 6,24,4,2; 6,32,3,1; 6,56,3,2; 6,112,1,1; head=448",
    "cnn-kernels-res": "stem=8/1; 4,12,2,2,5; 3,16,2,1,7; head=32; res=28x28",
    "cnn-even-kernel": "stem=16/2; 6,24,2,2,4; head=96",
    "cnn-two-numbers": "stem=16/2; 6,24; head=96",
    "cnn-garbage": "stem=/; ;;=;,,,,;head=-1;res=xx",
    "cnn-huge": "stem=4096/1; 16,4096,32,1; 16,4096,32,1; 16,4096,32,1; 16,4096,32,1; head=8192",
    "vit-full": "depth=3,width=24,heads=3,patch=7,mlp=2",
    "vit-unknown-key": "dpth=2",
    "vit-garbage": "=,==,depth=,width=99999999999999999999",
}
for slug, text in specs.items():
    put(f"specs/{slug}", text + "\n")

# ---- v2-era SCALE-Sim configs (configs/accelerator/scalesim-v2): accepted with one note; broken ones refused ----
v2 = open(os.path.join(ROOT, "configs/accelerator/scalesim-v2/google.cfg")).read()
def v2_with(old, new):
    assert old in v2, old
    return v2.replace(old, new, 1)
for f in ("google", "scale", "eyeriss"):
    case(f"accepted: v2-era {f}.cfg", 0, r"note: v2-era config: defaulted ReadRequestBuffer \(60\), WriteRequestBuffer \(60\)",
         "check", "scalesim-config", f"configs/accelerator/scalesim-v2/{f}.cfg")
bad_v2 = [
    ("empty value", v2_with("ArrayWidth:     256", "ArrayWidth:"), r"v2-empty-value\.cfg:[0-9]+: architecture_presets\.ArrayWidth: '' is not an integer"),
    ("no run_presets", v2[:v2.index("[run_presets]")], r"\[run_presets\]: missing section"),
    ("ramulator on", v2 + "\nUseRamulatorTrace: True\n", r"run_presets\.UseRamulatorTrace: Ramulator traces are not supported"),
    ("zero request buffer", v2_with("MemoryBanks: 1", "ReadRequestBuffer: 0"), r"architecture_presets\.ReadRequestBuffer: must be ≥ 1, got 0"),
    ("inline comment", v2_with("ArrayHeight:    256", "ArrayHeight:    256 # rows"), r"ArrayHeight: '256 # rows' is not an integer \(inline comments"),
    ("key without separator", v2_with("Dataflow : ws", "Dataflow ws"), r":[0-9]+: expected 'key = value' or 'key : value'"),
]
for name, text, rx in bad_v2:
    slug = "v2-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    f = put(f"scalesim/{slug}.cfg", text)
    case("scalesim v2 cfg: " + name, 2, rx, "check", "scalesim-config", f)

# ---- model shapes: sim vitality shape flags, sim topology / --model run folders ----
shapes = [
    ("dim not a multiple of heads", r"--dim: 100 is not a multiple of the 3 heads", ["sim", "vitality", "--dim", "100"]),
    ("image not a multiple of patch", r"--image: 30 is not a multiple of the patch side 4", ["sim", "vitality", "--image", "30", "--patch", "4"]),
    ("patch larger than the image", r"--image: 8 is not a multiple of the patch side 16", ["sim", "vitality", "--image", "8"]),
    ("zero tokens", r"--tokens: must be ≥ 1, got 0", ["sim", "vitality", "--tokens", "0"]),
    ("absurd tokens", r"--tokens: must be at most 16385, got 100000000000", ["sim", "vitality", "--tokens", "100000000000"]),
    ("absurd width", r"--dim: must be at most 16384", ["sim", "vitality", "--dim", "1000000", "--heads", "1"]),
    ("absurd depth", r"--depth: must be at most 4096, got 100000", ["sim", "vitality", "--depth", "100000"]),
    ("absurd heads x depth", r"--depth: 1024 heads × 8 layers = 8192 head-layers", ["sim", "vitality", "--dim", "1024", "--heads", "1024", "--depth", "8"]),
    ("tokens and image", r"--tokens: give either --tokens or --image/--patch", ["sim", "vitality", "--tokens", "5", "--patch", "4"]),
    ("not a ViT", r"--model: mlp-digits is not a ViT", ["sim", "vitality", "--model", "mlp-digits"]),
    ("topology of an unknown model", r"MODEL: 'alexnet' is neither a preset nor a run folder", ["sim", "topology", "alexnet"]),
]
for name, rx, args in shapes:
    case("model shape: " + name, 2, rx, *args)
put("runs/no-config/metrics.csv", "step,epoch\n")
put("runs/broken-config/config.json", '{"model": "mlp", "epochs": ')
put("runs/attention-bad-vit/config.json", json.dumps({"kind": "taylor", "sparse": {}, "vit": {"name": "v"}}))
case("model shape: run folder without config.json", 2, r"no-config/config\.json: .*cannot read", "sim", "topology", "@/runs/no-config")
case("model shape: truncated config.json", 2, r"broken-config/config\.json: not a retort train config", "sim", "topology", "@/runs/broken-config")
case("model shape: attention config without the ViT fields", 2, r"attention-bad-vit/config\.json: not a retort attention train config: ", "sim", "vitality", "--model", "@/runs/attention-bad-vit")

# ---- study files: retort sweep FILE (checked before anything is created) ---------------
studies = [
    ("unknown option", "study-unknown-option", "command: train\noptions: {epochz: 2}\n",
     r"study-unknown-option\.yaml:2: options\.epochz: unknown option of train \(options: data, data-options, model"),
    ("unknown command", "study-unknown-command", "command: fly\n",
     r'study-unknown-command\.yaml:1: command: unknown command "fly" \(one of train, distill, attention train, sim vitality, sim scalesim\)'),
    ("value out of range", "study-out-of-range", "command: train\naxes:\n  lr: [0.1, -1]\n", r"study-out-of-range\.yaml:3: lr: must be in"),
    ("wrong type", "study-wrong-type", "command: distill\noptions:\n  epochs: two\n", r'study-wrong-type\.yaml:3: epochs: expected a whole number, got "two"'),
    ("option the sweep sets", "study-reserved", "command: train\naxes:\n  seed: [1, 2]\n", r"study-reserved\.yaml:3: axes\.seed: set by the sweep"),
    ("range without step", "study-range", "command: train\naxes:\n  lr: {from: 0.1, to: 1}\n", r"study-range\.yaml:3: axes\.lr: missing step"),
    ("log range from 0", "study-log-zero", "command: train\naxes:\n  lr: {from: 0, to: 1, count: 3, log: true}\n", r"study-log-zero\.yaml:3: axes\.lr: a log range needs from and to > 0"),
    ("baseline not an axis", "study-baseline", "command: train\naxes:\n  lr: [0.1]\nbaseline: {epochs: 2}\n", r"study-baseline\.yaml:4: baseline\.epochs: not an axis \(axes: lr\)"),
    ("unknown top-level key", "study-top-key", "command: train\nseed: [1]\n", r"study-top-key\.yaml:2: seed: unknown key \(keys: name, command, options, conditions, axes, sampling, seeds, baseline\)"),
    ("YAML alias", "study-alias", "command: train\nseeds: &s [1]\naxes: {lr: *s}\n", r"study-alias\.yaml:3: YAML aliases"),
    ("empty file", "study-empty", "", r"study-empty\.yaml:1: empty config file"),
    ("conditions not a list", "study-conditions-map", "command: train\nconditions: {method: base}\n",
     r"study-conditions-map\.yaml:2: conditions: expected a list of conditions, each a map of option names to values with an optional label:, got a mapping"),
    ("condition with an unknown option", "study-condition-unknown", "command: distill\nconditions:\n  - {label: a, method: base}\n  - {label: b, methd: kd}\n",
     r"study-condition-unknown\.yaml:4: conditions\[2\]\.methd: unknown option of distill \(options: "),
    ("condition repeating an axis", "study-condition-axis", "command: distill\naxes:\n  lr: [0.1]\nconditions:\n  - {lr: 0.2}\n",
     r"study-condition-axis\.yaml:5: conditions\[1\]\.lr: also an axis \(line 3\); give it in one place"),
    ("two conditions with one label", "study-condition-label", "command: distill\nconditions:\n  - {label: a, method: base}\n  - {label: a, method: kd}\n",
     r'study-condition-label\.yaml:4: conditions\[2\]: the condition "a" is also on line 3 \(conditions must differ; labels too\)'),
    ("condition value out of range", "study-condition-range", "command: distill\nconditions:\n  - {method: base}\n  - method: kd\n    lr: -1\n",
     r"study-condition-range\.yaml:5: lr: must be .*\(condition method=kd,lr=-1\)"),
    ("baseline condition not a label", "study-baseline-condition", "command: distill\nconditions:\n  - {label: a, method: base}\nbaseline: {condition: z}\n",
     r"""study-baseline-condition\.yaml:4: baseline\.condition: "z" is not a condition's label \(labels: a\)"""),
]
for name, slug, text, rx in studies:
    f = put("studies/" + slug + ".yaml", text)
    case("study: " + name, 2, rx, "sweep", f, "--root", "@/../runs-never")

with open(os.path.join(HERE, "cases.tsv"), "w") as f:
    f.write("# name\texit\tregex\targs (tab-separated; @ = tests/bad-inputs/files) — written by make_corpus.py\n")
    for name, code, rx, args in cases:
        f.write("\t".join([name, str(code), rx] + args) + "\n")
print(f"{len(cases)} cases")
