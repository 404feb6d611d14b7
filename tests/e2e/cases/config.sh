# --config FILE: a run's config.json replays the run (same metrics for the same threads) in a
# new folder; a YAML file with comments and the options' names works; options given override
# the file; a bad file is one line naming the file, the line and the key (exit 2).
cfg="$tmp/cfg"; mkdir -p "$cfg"
# same_metrics NAME A B: the metrics of two run folders agree in every column except time and memory
same_metrics() {
  local why
  why=$(python3 - "$2" "$3" <<'PY'
import csv, json, os, re, sys
a, b = sys.argv[1], sys.argv[2]
timed = re.compile(r"(sec|time|wall|per_s|rss|stamp)", re.I)
def csv_rows(p):
    with open(p) as f:
        rows = list(csv.reader(f))
    keep = [i for i, h in enumerate(rows[0]) if not timed.search(h)]
    return [[r[i] for i in keep if i < len(r)] for r in rows]
def jsonl(p):
    out = []
    for line in open(p):
        d = json.loads(line)
        out.append({k: v for k, v in d.items() if not timed.search(k)})
    return out
n = 0
for name in sorted(os.listdir(a)):
    pa, pb = os.path.join(a, name), os.path.join(b, name)
    if name.endswith(".csv") and name != "resources.csv":
        if csv_rows(pa) != csv_rows(pb): print(f"{name} differs"); sys.exit(1)
        n += 1
    elif name == "metrics.jsonl":
        if jsonl(pa) != jsonl(pb): print(f"{name} differs"); sys.exit(1)
        n += 1
if n < 2: print(f"only {n} metrics files compared"); sys.exit(1)
PY
  )
  if [ $? -eq 0 ]; then ok "$1"; else bad "$1" "$why"; fi
}
# config_value FILE KEY: a key of a config.json
config_value() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

# train: run, replay from its config.json, compare
"$BIN" train --data digits --model mlp --epochs 2 --test-count 300 --seed 3 --threads 1 --runs "$cfg" --name t1 --plain >/dev/null 2>&1
expect "train --config a run's config.json replays it" 0 "run .*/t1-replay" -- "$BIN" train --config "$cfg/t1/config.json" --name t1-replay --plain
same_metrics "train replay: identical metrics (time columns aside)" "$cfg/t1" "$cfg/t1-replay"
if [ "$(config_value "$cfg/t1-replay/config.json" runName)" = "t1-replay" ] && [ "$(config_value "$cfg/t1-replay/config.json" seed)" = "3" ]; then ok "replay: the new run has its own name and the file's seed"; else bad "replay config.json" "$(cat "$cfg/t1-replay/config.json")"; fi
expect "a replayed config.json's run name is not reused (a new folder, flags override the file)" 0 "done in" -- "$BIN" train --config "$cfg/t1/config.json" --epochs 1 --plain
newest=$(ls -d "$cfg"/*digits-s3* 2>/dev/null | head -1)
if [ -n "$newest" ] && [ "$(config_value "$newest/config.json" epochs)" = "1" ] && [ "$(config_value "$newest/config.json" testCount)" = "300" ]; then ok "--epochs overrides the file; the rest comes from it"; else bad "override run" "$(ls "$cfg")"; fi

# distill and attention train: the same replay
"$BIN" distill --data digits --epochs 2 --seed 2 --threads 1 --runs "$cfg" --name d1 --plain >/dev/null 2>&1
expect "distill --config a run's config.json replays it" 0 "run .*/d1-replay" -- "$BIN" distill --config "$cfg/d1/config.json" --name d1-replay --plain
same_metrics "distill replay: identical metrics (time columns aside)" "$cfg/d1" "$cfg/d1-replay"
att="$tmp/cfg-att"
# (the released code's sparse variant with a kept-fraction threshold: every sparse key replays)
"$BIN" attention train --data digits --epochs 1 --kinds taylor-sparse --seeds 2 --test-count 200 --threads 1 --runs "$att" \
  --sparse-threshold-mode kept-fraction --sparse-kept-fraction 0.3 --sparse-inv-sqrt-d --shared-quantizer --centring head >/dev/null 2>&1
first=$(ls -d "$att"/*vit-taylor-sparse-digits-s2* 2>/dev/null | head -1)
if grep -q '"thresholdMode" : "kept-fraction"' "$first/config.json" && grep -q '"sharedQuantizer" : true' "$first/config.json" && grep -q '"centring" : "head"' "$first/config.json"; then ok "attention: the sparse variant is recorded in config.json"; else bad "attention: sparse variant keys" "$(grep -A10 sparse "$first/config.json" | head -12)"; fi
expect "attention train --config a run's config.json replays that kind and seed" 0 "taylor-sparse seed 2: test accuracy" -- "$BIN" attention train --config "$first/config.json"
second=$(ls -d "$att"/*vit-taylor-sparse-digits-s2* 2>/dev/null | grep -v "^$first\$" | head -1)
if [ -n "$second" ]; then same_metrics "attention replay: identical metrics (time columns aside)" "$first" "$second"; else bad "attention replay: no second run folder" "$(ls "$att")"; fi

printf 'kind: taylor-sparse\nsparse-threshold-mode: top-k\n' > "$cfg/att-bad.yaml"
expect "attention --config: an unknown threshold mode names the file, line and choices" 2 'att-bad\.yaml:2: sparse-threshold-mode: must be one of absolute, kept-fraction, token-scaled' -- "$BIN" attention train --config "$cfg/att-bad.yaml" --runs "$tmp/never"

# compare: the file's settings apply to every condition (its threads too, unless --threads)
printf 'data: digits\nepochs: 1\nthreads: 2\n' > "$cfg/cmp.yaml"
expect "compare --config: the file's data, epochs and threads for every condition" 0 "2 conditions × 1 paired seeds = 2 runs, [0-9]+ at a time × 2 thread\(s\); data digits_8x8" -- "$BIN" compare --config "$cfg/cmp.yaml" --conditions base,kd --seeds 1 --runs "$cfg/cmp"

# a YAML file: comments, the options' names in kebab-case and snake_case, options override it
cat > "$cfg/run.yaml" <<'YAML'
# a small run
data: digits       # the 8×8 set
model: mlp
epochs: 3
batch-size: 32
lr: 0.05
warmup_epochs: 0.5
test_count: 300
seed: 4
YAML
expect "train --config YAML with comments; --epochs and --threads override it" 0 "done in" -- "$BIN" train --config "$cfg/run.yaml" --epochs 1 --threads 1 --name y --plain --runs "$cfg"
if [ "$(config_value "$cfg/y/config.json" epochs)" = "1" ] && [ "$(config_value "$cfg/y/config.json" batchSize)" = "32" ] && [ "$(config_value "$cfg/y/config.json" seed)" = "4" ] && [ "$(config_value "$cfg/y/config.json" threads)" = "1" ] && [ "$(config_value "$cfg/y/config.json" warmupEpochs)" = "0.5" ]; then ok "the run's config: flags where given, the file elsewhere"; else bad "YAML run config" "$(cat "$cfg/y/config.json")"; fi
printf 'epochs: 1\nlearning-rate: 0.1\n' > "$cfg/bad.yaml"
expect "an unknown key: exit 2, file, line and key" 2 "^retort: .*bad\.yaml:2: learning-rate: unknown key \(keys: " -- "$BIN" train --config "$cfg/bad.yaml" --runs "$cfg/never"
if [ ! -e "$cfg/never" ]; then ok "a refused config file creates no run folder"; else bad "run folder created for a bad config file"; fi
expect "tui --config reads the file before opening the terminal" 2 "bad\.yaml:2: learning-rate: unknown key" -- "$BIN" tui --config "$cfg/bad.yaml"
expect "a bad option with --config is still a usage error (exit 64)" 64 "lr" -- "$BIN" train --config "$cfg/run.yaml" --lr=-1
printf 'epochs: 1\nlr: -1\n' > "$cfg/range.yaml"
expect "a value out of range in the file names the file and line (exit 2)" 2 "range\.yaml:2: lr: must be" -- "$BIN" train --config "$cfg/range.yaml"
expect "train --help shows --config" 0 "--config <file>" -- "$BIN" train --help
expect "sim scalesim --config keeps its meaning (the SCALE-Sim config)" 0 "SCALE-Sim" -- "$BIN" sim scalesim --help
