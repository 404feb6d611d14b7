#!/usr/bin/env python3
"""Fuzzes the numeric options of every command against the real binary: random options of a
random command (found in `retort --experimental-dump-help`, enumerations left out) get hostile
values (1e999, -0, nan, 0x10, 1_000, integers past Int64, denormals, huge sizes). A finding is
an exit by signal (trap, abort, segfault), a "Fatal error", or more than one stderr line with
exit 2; accepted values that start real work are stopped after 4 s (not a finding).
Usage: tools/fuzz_options.py [SECONDS]   (default 120; RETORT_BIN, default .build/release/retort).
Exit 1 when there are findings."""
import json, os, random, shutil, subprocess, sys, time, tempfile
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(os.environ.get("RETORT_BIN", os.path.join(ROOT, ".build/release/retort")))
SECS = float(sys.argv[1]) if len(sys.argv) > 1 else 120
d = json.loads(subprocess.run([BIN, "--experimental-dump-help"], capture_output=True, check=True).stdout)
cmds = []
def walk(c, path):
    subs = c.get('subcommands') or []
    for s in subs:
        if s['commandName'] != 'help': walk(s, path + [s['commandName']])
    if path and not subs:
        opts = []
        for a in c.get('arguments', []):
            if a['kind'] != 'option': continue
            names = a.get('names') or []
            longs = [n['name'] for n in names if n['kind'] == 'long']
            flag = '--' + longs[0] if longs else '-' + names[0]['name']
            if a.get('allValues'): continue   # enumerations are not numeric
            opts.append(flag)
        cmds.append((path, opts))
walk(d['command'], [])
V = ["1e999", "-1e999", "-0", "0", "nan", "-nan", "inf", "-inf", "0x10", "1_000", "9223372036854775807", "9223372036854775808",
     "-9223372036854775809", "18446744073709551616", "1e308", "1e-300", "4.9e-324", "2e16", "1e17", "-1", "1.5", "+3", "0b11",
     "3.5e38", "1e-46", "", "1,5", "100000000", "65537", "4097", "1048577"]
base = {"sim gemm": ["-m", "4", "-k", "4", "-n", "4"], "resume": ["/nonexistent-run"], "check": ["theme", "/nonexistent"],
        "sim scalesim": ["--config", "/nonexistent", "--topology", "/nonexistent"], "eval": ["--weights", "/nonexistent"]}
tmp = tempfile.mkdtemp()
execs = findings = 0; t0 = time.time(); seen = set()
while time.time() - t0 < SECS:
    path, opts = random.choice(cmds)
    if not opts: continue
    k = random.randint(1, min(3, len(opts)))
    args = list(base.get(' '.join(path), []))
    for o in random.sample(opts, k): args += [o, random.choice(V)]
    full = [BIN] + path + args + (["--runs", tmp] if any(o == '--runs' for o in opts) else [])
    if path == ['bench', 'soak']: full += ["--steps", "1"] if "--steps" not in args else []
    try:
        p = subprocess.run(full, capture_output=True, timeout=4, stdin=subprocess.DEVNULL, cwd=tmp)
        rc, err = p.returncode, p.stderr.decode(errors='replace')
    except subprocess.TimeoutExpired:
        execs += 1; continue   # accepted values: it started working
    execs += 1
    bad = rc < 0 or rc in (132, 134, 139) or 'Fatal error' in err or (rc == 2 and len([l for l in err.splitlines() if l.strip()]) > 1)
    if bad:
        key = (' '.join(path), rc, err.splitlines()[0][:80] if err else '')
        if key not in seen:
            seen.add(key); findings += 1
            print('FINDING', rc, ' '.join(full[1:]), '|', err.strip().splitlines()[:2])
print(f'options fuzz: {execs} execs in {time.time()-t0:.0f} s over {len(cmds)} commands, {findings} distinct findings')
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if findings else 0)
