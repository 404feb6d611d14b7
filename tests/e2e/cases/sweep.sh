# Studies: `retort sweep` runs a 2×2×3 study locally, skips finished points, resumes a killed
# worker from its checkpoint, stops cleanly on SIGINT, and `collect` writes the tables.
sw="$tmp/sweep"; mkdir -p "$sw"
cat > "$sw/tiny.yaml" <<'YAML'
name: tiny
command: train
options: {data: digits, model: mlp, epochs: 2, test-count: 300, width: 0.25}
axes:
  lr: [0.05, 0.1]
  batch-size: {from: 32, to: 64, step: 32}
seeds: [1, 2, 3]
baseline: {lr: 0.05}
YAML
expect "sweep: a 2×2×3 study runs locally with 2 workers" 0 'sweep: 12 points run, 0 already finished, 0 failed' -- "$BIN" sweep "$sw/tiny.yaml" --workers 2 --root "$sw/studies"
st="$sw/studies/tiny"
n=$(ls -d "$st"/runs/p0* 2>/dev/null | wc -l)
[ "$n" = 12 ] && [ -f "$st/runs/p011/metrics.jsonl" ] && [ -f "$st/logs/p011.txt" ] && [ -f "$st/study.yaml" ] && ok "sweep: one run folder and log per point" || bad "sweep: run folders ($n)" "$(ls "$st" "$st/runs")"
grep -q '"state" : "finished"' "$st/manifest.json" && [ "$(grep -c '"state" : "finished"' "$st/manifest.json")" = 12 ] && ok "sweep: manifest has 12 finished points" || bad "sweep: manifest" "$(grep state "$st/manifest.json" | sort | uniq -c)"
grep -q -- '--seed 3 --threads 1 --plain' "$st/logs/p002.txt" && grep -q -- '--config .*points/p002.yaml' "$st/logs/p002.txt" && grep -q 'lr: "0.05"' "$st/points/p002.yaml" && ok "sweep: a point's child gets its options file, seed and threads" || bad "sweep: child command line" "$(head -2 "$st/logs/p002.txt")"
expect "sweep: running again skips finished points" 0 'sweep: 0 points run, 12 already finished, 0 failed' -- "$BIN" sweep "$sw/tiny.yaml" --root "$sw/studies"
expect "sweep status: a table of points and states" 0 '12 points: 12 finished, 0 running, 0 queued, 0 failed' -- "$BIN" sweep status "$sw/tiny.yaml" --root "$sw/studies"
expect "sweep collect: the tables" 0 'collected 12 of 12 points .* into .*: summary.md, summary.csv, best.md, paired.md, paired.csv' -- "$BIN" sweep collect "$sw/tiny.yaml" --root "$sw/studies" --out "$sw/tables"
head -1 "$sw/tables/summary.csv" | grep -qx 'condition,lr,batch-size,metric,n,mean,std,ci95_low,ci95_high' && grep -qE '^"lr=0.1,batch-size=64",0.1,64,test_accuracy,3,0\.[0-9]+,[0-9.e-]+,[0-9.e-]+,[0-9.e-]+$' "$sw/tables/summary.csv" \
  && ok "sweep collect: summary.csv in the long format, n = 3 seeds" || bad "sweep collect: summary.csv" "$(head -3 "$sw/tables/summary.csv")"
grep -qE '^"lr=0.1,batch-size=32",0.1,32,"lr=0.05,batch-size=32",test_accuracy,3,[-0-9.e]+,[0-9.e-]+,[-0-9.e]+,[-0-9.e]+,[0-3],higher$' "$sw/tables/paired.csv" && ok "sweep collect: paired differences against the baseline with wins" || bad "sweep collect: paired.csv" "$(cat "$sw/tables/paired.csv" | head -4)"
grep -q '| test_accuracy | higher |' "$sw/tables/best.md" && ok "sweep collect: best point per metric" || bad "sweep collect: best.md" "$(cat "$sw/tables/best.md")"

# a changed study whose points differ is refused in one line; --new starts tiny-2
sed 's/seeds: \[1, 2, 3\]/seeds: [1, 2]/' "$sw/tiny.yaml" > "$sw/tiny-changed.yaml"; sed -i 's/^name: tiny$/name: tiny/' "$sw/tiny-changed.yaml"
expect "sweep: changed points are refused" 2 "tiny-changed.yaml: the study's points differ from those in .*studies/tiny \(8 points now, 12 there\); pass --new" -- "$BIN" sweep "$sw/tiny-changed.yaml" --root "$sw/studies"
expect "sweep status: no folder for changed points" 2 'no study folder holds these points' -- "$BIN" sweep status "$sw/tiny-changed.yaml" --root "$sw/studies"
expect "sweep: workers × threads above the cores is a usage error" 64 'workers × threads must be at most' -- "$BIN" sweep "$sw/tiny.yaml" --workers 1000 --threads 1

# two `sweep run` task processes update one manifest at the same time
cat > "$sw/pair.yaml" <<'YAML'
command: train
options: {data: digits, model: mlp, epochs: 1, test-count: 300, width: 0.25}
axes: {lr: [0.05, 0.1]}
seeds: [1, 2]
YAML
"$BIN" sweep run "$sw/pair.yaml" --task 0 --chunk 2 --root "$sw/studies" >"$sw/t0.out" 2>&1 & t0=$!
"$BIN" sweep run "$sw/pair.yaml" --task 1 --chunk 2 --root "$sw/studies" >"$sw/t1.out" 2>&1 & t1=$!
wait $t0; r0=$?; wait $t1; r1=$?
[ "$r0" = 0 ] && [ "$r1" = 0 ] && [ "$(grep -c '"state" : "finished"' "$sw/studies/pair/manifest.json")" = 4 ] && ok "sweep run: two task processes, one manifest, 4 finished points" || bad "sweep run: tasks exit $r0 $r1" "$(cat "$sw/t0.out" "$sw/t1.out")"
expect "sweep run: a task beyond the points" 2 'task 2 × chunk 2 starts at point 4; the study has 4 points \(tasks 0…1\)' -- "$BIN" sweep run "$sw/pair.yaml" --task 2 --chunk 2 --root "$sw/studies"

# a worker killed mid-run (kill -9) fails its point; running again resumes it from its checkpoint
cat > "$sw/long.yaml" <<'YAML'
command: train
options: {data: digits, model: mlp, epochs: 150, test-count: 300}
seeds: [4]
YAML
"$BIN" sweep "$sw/long.yaml" --workers 1 --root "$sw/studies" >"$sw/long.out" 2>&1 & lp=$!
lr="$sw/studies/long/runs/p000"
for i in $(seq 300); do [ "$(grep -c '"kind":"epoch"' "$lr/metrics.jsonl" 2>/dev/null || true)" -ge 2 ] 2>/dev/null && break; sleep 0.1; done
child=$(pgrep -P "$lp" | head -1)
kill -9 "$child"; wait "$lp"; rc=$?
[ "$rc" = 1 ] && grep -q '"state" : "failed"' "$sw/studies/long/manifest.json" && grep -q 'p000 failed (killed by signal 9)' "$sw/long.out" && ok "sweep: a killed worker fails its point (exit 1, one line)" || bad "sweep: killed worker (exit $rc)" "$(cat "$sw/long.out")"
before=$(grep -c '"kind":"epoch"' "$lr/metrics.jsonl")
expect "sweep: running again resumes the killed point" 0 'sweep: 1 point run, 0 already finished, 0 failed' -- "$BIN" sweep "$sw/long.yaml" --root "$sw/studies"
resumed=$(grep -E '^resumed .* from step-[0-9]+\.ckpt at [0-9]+/150 epochs done' "$lr/../../logs/p000.txt")
first=$(awk '/attempt 2:/{a=1} a && /^ +[0-9]+ +[0-9]+ /{print $1; exit}' "$sw/studies/long/logs/p000.txt")
epochs=$(grep '"kind":"epoch"' "$lr/metrics.jsonl" | grep -oE '"epoch":[0-9]+' | sort -u | wc -l)
[ -n "$resumed" ] && [ "${first:-0}" -gt 1 ] && [ "$epochs" = 150 ] && [ "$before" -ge 2 ] && ok "sweep: the resumed run continued at epoch $first (not restarted) and has all 150 epochs" \
  || bad "sweep: resume (first epoch after resume '${first:-}', $epochs epochs, $before before)" "$(grep -E 'attempt|resumed' "$sw/studies/long/logs/p000.txt")"

# SIGINT: children are stopped, their points queued again, exit 130, manifest consistent
"$BIN" sweep "$sw/long.yaml" --new --root "$sw/studies" >"$sw/int.out" 2>&1 & ip=$!
for i in $(seq 300); do [ -f "$sw/studies/long-2/runs/p000/metrics.jsonl" ] && break; sleep 0.1; done; sleep 0.3
kill -INT "$ip"; wait "$ip"; rc=$?
[ "$rc" = 130 ] && grep -q '"state" : "queued"' "$sw/studies/long-2/manifest.json" && ! grep -q '"state" : "running"' "$sw/studies/long-2/manifest.json" && [ -z "$(pgrep -P "$ip")" ] \
  && grep -q 'sweep stopped; running points are queued again' "$sw/int.out" && ok "sweep: SIGINT stops the children, queues their points, exit 130" || bad "sweep: SIGINT (exit $rc)" "$(cat "$sw/int.out"; grep state "$sw/studies/long-2/manifest.json")"

# a simulator study: options as flags, figures from the report, the latency/energy/area Pareto front
cat > "$sw/sim.yaml" <<'YAML'
name: vit-shapes
command: sim vitality
options: {model: deit-tiny, layers: 1, attention: taylor}
axes:
  dim: [96, 192]
  linear: [false, true]
YAML
expect "sweep: a sim vitality study" 0 'sweep: 4 points run' -- "$BIN" sweep "$sw/sim.yaml" --root "$sw/studies"
grep -q -- '--linear' "$sw/studies/vit-shapes/logs/p001.txt" && ! grep -q -- '--linear' "$sw/studies/vit-shapes/logs/p000.txt" && ok "sweep: a true boolean option is its flag, a false one is left out" || bad "sweep: sim flags" "$(head -1 "$sw/studies/vit-shapes/logs/p001.txt")"
# the Taylor reading is a study option: each point's log records it (a replay runs the same reading)
printf 'name: centring\ncommand: sim vitality\noptions: {model: deit-tiny, layers: 1, attention: taylor}\naxes:\n  centring: [tokens, head]\n' > "$sw/centring.yaml"
"$BIN" sweep "$sw/centring.yaml" --root "$sw/studies" >/dev/null 2>&1
grep -q -- '--centring head' "$sw/studies/centring/logs/p001.txt" && grep -q '^taylor: centring head (--centring)' "$sw/studies/centring/logs/p001.txt" \
  && ok "sweep: a sim vitality study over the centring" || bad "sweep: centring axis" "$(cat "$sw/studies/centring/logs/p001.txt" 2>&1 | head -3)"
expect "sweep collect: a sim study gets the Pareto tables" 0 'pareto.md, pareto.csv' -- "$BIN" sweep collect "$sw/sim.yaml" --root "$sw/studies"
pc="$sw/studies/vit-shapes/tables/pareto.csv"
[ "$(head -1 "$pc")" = "point,dim,linear,latency_cycles,energy,area,on_front" ] && grep -qE '^p000,96,false,[0-9]+,[0-9.]+,[0-9]+,true$' "$pc" && grep -qE '^p003,192,true,[0-9]+,[0-9.]+,[0-9]+,false$' "$pc" \
  && ok "sweep collect: pareto.csv marks the non-dominated points" || bad "sweep collect: pareto.csv" "$(cat "$pc")"

# explicit conditions (conditions × axes × seeds); collect pairs against the baseline condition
cat > "$sw/cond.yaml" <<'YAML'
name: cond
command: distill
options: {data: digits, epochs: 1, test-count: 300}
conditions:
  - {label: plain, method: base}
  - {label: kd-pt, method: kd, granularity: per-tensor}
axes: {lr: [0.05]}
seeds: [1, 2]
baseline: {condition: plain}
YAML
expect "sweep: a study with explicit conditions" 0 'sweep: 4 points run, 0 already finished, 0 failed' -- "$BIN" sweep "$sw/cond.yaml" --root "$sw/studies"
cs="$sw/studies/cond"
grep -q 'method: "kd"' "$cs/points/p002.yaml" && grep -q 'granularity: "per-tensor"' "$cs/points/p002.yaml" && grep -q 'lr: "0.05"' "$cs/points/p002.yaml" \
  && grep -q '"label" : "kd-pt"' "$cs/manifest.json" && ok "sweep: a condition's options and the axis value reach its points; the manifest keeps the label" \
  || bad "sweep: condition points" "$(cat "$cs/points/p002.yaml")"
expect "sweep collect: conditions paired against the baseline condition" 0 'paired.md, paired.csv' -- "$BIN" sweep collect "$sw/cond.yaml" --root "$sw/studies"
grep -qE '^"kd-pt,lr=0.05",0.05,"plain,lr=0.05",student_test_acc,2,' "$cs/tables/paired.csv" && ok "sweep collect: paired.csv names the condition and its baseline" \
  || bad "sweep collect: conditions paired.csv" "$(head -3 "$cs/tables/paired.csv")"

# retort compare is a front end over the sweep engine: its folder is a study folder, each run
# a `retort distill` child; a point's numbers equal a direct `retort distill` with that seed and threads
cmp="$sw/compare"
expect "compare: conditions × seeds as a study" 0 'results in .*/c/table.md and runs.csv' -- \
  "$BIN" compare --data digits --epochs 1 --test-count 300 --conditions base,full:granularity=per-tensor --seeds 2 --parallel 2 --threads 1 --runs "$cmp" --name c
[ -f "$cmp/c/manifest.json" ] && [ -f "$cmp/c/study.yaml" ] && [ "$(ls -d "$cmp/c/runs"/p00* | wc -l)" = 4 ] && [ -f "$cmp/c/runs/p003/summary.json" ] \
  && [ "$(grep -c '"state" : "finished"' "$cmp/c/manifest.json")" = 4 ] && [ "$(wc -l < "$cmp/c/runs.csv")" = 5 ] \
  && ok "compare: its folder is a study folder with a run folder per condition × seed" || bad "compare: folder layout" "$(ls -R "$cmp/c" | head -20)"
grep -q -- '--seed 2 --threads 1 --plain' "$cmp/c/logs/p003.txt" && grep -q 'granularity: "per-tensor"' "$cmp/c/points/p003.yaml" \
  && ok "compare: each point is a retort distill child with its condition's options" || bad "compare: child command" "$(head -1 "$cmp/c/logs/p003.txt")"
"$BIN" distill --data digits --epochs 1 --test-count 300 --method full --granularity per-tensor --seed 2 --threads 1 --runs "$cmp" --name direct --plain >/dev/null 2>&1
a=$(grep -o '"studentTestAccuracy" : [0-9.e-]*' "$cmp/c/runs/p003/summary.json"); b=$(grep -o '"studentTestAccuracy" : [0-9.e-]*' "$cmp/direct/summary.json" 2>/dev/null)
row=$(grep '^"full:granularity=per-tensor",2,' "$cmp/c/runs.csv" | cut -d, -f3)
[ -n "$a" ] && [ "$a" = "$b" ] && [ -n "$row" ] && awk -v r="$row" -v a="${a##* }" 'BEGIN { exit !(sprintf("%.6g", a) == r) }' \
  && ok "compare: a point's student accuracy equals a direct retort distill's ($a)" || bad "compare vs distill" "compare '$a', distill '$b', runs.csv '$row'"

# a SCALE-Sim study: `sim scalesim`'s flags as options (its --config is the .cfg), --out set to
# the point's run folder; collect reads cycles and utilisations, and the latency / area front
cat > "$sw/ss.yaml" <<'YAML'
name: ss
command: sim scalesim
options: {topology: configs/accelerator/deit-tiny-gemm.csv, gemm: true}
axes:
  config: [configs/accelerator/scalesim-16x16-os.cfg, configs/accelerator/scalesim-16x16-ws.cfg, configs/accelerator/scalesim-v2/google.cfg]
YAML
expect "sweep: a sim scalesim study" 0 'sweep: 3 points run, 0 already finished, 0 failed' -- "$BIN" sweep "$sw/ss.yaml" --root "$sw/studies"
ss="$sw/studies/ss"
ls "$ss"/runs/p002/*/COMPUTE_REPORT.csv >/dev/null 2>&1 && [ -f "$ss/runs/p002/report.txt" ] && grep -q -- "--out $ss/runs/p002" "$ss/logs/p002.txt" \
  && ok "sweep: a scalesim point writes COMPUTE_REPORT.csv in its run folder, the report kept" || bad "sweep: scalesim run folder" "$(ls -R "$ss/runs/p002"; head -1 "$ss/logs/p002.txt")"
expect "sweep collect: a scalesim study gets the tables and the Pareto front" 0 'summary.md, summary.csv, best.md, pareto.md, pareto.csv' -- "$BIN" sweep collect "$sw/ss.yaml" --root "$sw/studies"
t=$(cycles() { grep '^total cycles' "$ss/runs/$1/report.txt" | tr -d , | awk '{print $3}'; }; cycles p002)
grep -qE "^config=configs/accelerator/scalesim-v2/google.cfg,configs/accelerator/scalesim-v2/google.cfg,latency_cycles,1,$t," "$ss/tables/summary.csv" \
  && grep -qE ',compute_util,1,[0-9.]+,' "$ss/tables/summary.csv" && [ "$(head -1 "$ss/tables/pareto.csv")" = "point,config,latency_cycles,area,on_front" ] \
  && grep -qE '^p002,configs/accelerator/scalesim-v2/google.cfg,[0-9]+,65536,(true|false)$' "$ss/tables/pareto.csv" \
  && ok "sweep collect: scalesim cycles ($t), utilisations and the latency/area front (256×256 = 65536 PEs)" || bad "sweep collect: scalesim tables" "$(cat "$ss/tables/summary.csv" | head -4; cat "$ss/tables/pareto.csv")"

# attention train with two kinds is a front end over the sweep engine too: its session folder is
# the study folder; a point's accuracy equals the same kind and seed run alone
att="$sw/att"
out=$("$BIN" attention train --data digits --kinds taylor,softmax --seeds 4 --epochs 1 --width 16 --depth 1 --heads 2 --test-count 200 --threads 1 --no-tensorboard --runs "$att" 2>&1); rc=$?
sess=$(ls -d "$att"/*-vit-compare-digits 2>/dev/null | head -1)
if [ "$rc" = 0 ] && [ -f "$sess/manifest.json" ] && [ "$(grep -c '"state" : "finished"' "$sess/manifest.json")" = 2 ] && [ "$(wc -l < "$sess/summary.csv")" = 3 ] \
   && grep -qE '^ +taylor +six-step linear Taylor +[0-9.]+ ± ' <<<"$out" && grep -q 'operation counts per image and layer' <<<"$out" \
   && ls -d "$sess"/runs/p001/*-vit-softmax-digits-s4 >/dev/null 2>&1; then ok "attention train: two kinds as a study (manifest, runs/pNNN, summary.csv, the accuracy and op tables)"
else bad "attention train as a study (exit $rc)" "$out"; fi
"$BIN" attention train --data digits --kinds softmax --seeds 4 --epochs 1 --width 16 --depth 1 --heads 2 --test-count 200 --threads 1 --no-tensorboard --runs "$att/alone" >/dev/null 2>&1
a=$(grep '^softmax,4,' "$sess/summary.csv" | cut -d, -f3); b=$(grep '^softmax,4,' "$att"/alone/*-vit-compare-digits/summary.csv 2>/dev/null | cut -d, -f3)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "attention train: a study point's accuracy equals the run alone ($a)" || bad "attention point vs alone" "study '$a', alone '$b'"
# a compare run that diverges (test hook: NaN at step 20) ends compare with one line naming the
# condition, seed, the run's own line (its checkpoint and the way on) and the log
expect "compare: a diverged run is one line naming the condition, seed, the way on and the log" 2 \
  "^retort: base, seed 1: diverged at step 20: student loss is NaN; last good checkpoint .*/cf/runs/p000/checkpoints/step-00000000\.ckpt \(step 0\); continue with a lower lr: retort resume .*/cf/runs/p000 --lr [0-9.]+; log .*/cf/logs/p000\.txt" \
  -- env RETORT_TEST_NAN_AT_STEP=20 "$BIN" compare --data digits --epochs 1 --test-count 300 --conditions base --seeds 1 --runs "$cmp" --name cf
