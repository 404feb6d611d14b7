# TensorBoard HParams data in every run's event file (train, distill, attention train), read
# back with the real tensorboard package when it is importable (TB_PYTHON, default python3).
d="$tmp/hparams"; mkdir -p "$d"
"$BIN" train --data digits --model mlp --width 0.25 --epochs 1 --test-count 300 --seed 5 --lr 0.05 --threads 1 --runs "$d" --name tr --plain >/dev/null 2>&1
"$BIN" distill --data digits --model mlp --hidden 4,4 --epochs 1 --seed 6 --threads 1 --runs "$d" --name di --plain >/dev/null 2>&1
"$BIN" attention train --data digits --kinds taylor --seeds 7 --epochs 1 --width 16 --depth 1 --heads 2 --threads 1 --runs "$d/vit" >/dev/null 2>&1
vit=$(ls -d "$d"/vit/*-vit-taylor-digits-s7 2>/dev/null | head -1)
for run in "$d/tr" "$d/di" "$vit"; do
  f=$(ls "$run"/events.out.tfevents.* 2>/dev/null | head -1)
  if [ -n "$f" ] && grep -qa '_hparams_/session_start_info' "$f" && grep -qa '_hparams_/experiment' "$f" && grep -qa '_hparams_/session_end_info' "$f"; then
    ok "$(basename "$run"): the event file holds the HParams session start, experiment and end"
  else bad "$(basename "$run"): HParams summaries missing" "$(ls "$run" 2>&1)"; fi
done
# the resume path: a distill run SIGKILLed inside its third checkpoint write (test hook) and
# continued by `retort resume` holds the HParams experiment and session end once over its
# event files (the killed process wrote only a start), and its summary.json
{ RETORT_TEST_KILL_IN_CHECKPOINT=3 "$BIN" distill --data digits --model mlp --hidden 4,4 --epochs 3 --seed 8 --threads 1 --runs "$d" --name rd --plain >/dev/null 2>&1; } 2>/dev/null
"$BIN" resume "$d/rd" --plain >/dev/null 2>&1; rrc=$?
count() { cat "$d/rd"/events.out.tfevents.* 2>/dev/null | grep -ca "$1"; }
if [ "$rrc" = 0 ] && [ "$(ls "$d/rd"/events.out.tfevents.* | wc -l)" = 2 ] && [ "$(count _hparams_/experiment)" = 1 ] && [ "$(count _hparams_/session_end_info)" = 1 ] \
   && grep -q '"studentTestAccuracy"' "$d/rd/summary.json"; then ok "resume: the resumed run's event files hold the HParams experiment and session end once; summary.json written"
else bad "resume: HParams after a resume (exit $rrc)" "$(ls "$d/rd"; for f in "$d/rd"/events.out.tfevents.*; do grep -ca _hparams_ "$f"; done)"; fi
TB_PYTHON=${TB_PYTHON:-python3}
if "$TB_PYTHON" -c 'import tensorboard.plugins.hparams.metadata' >/dev/null 2>&1; then
  if out=$("$TB_PYTHON" tools/tensorboard/read_hparams.py "$d/tr" "$d/di" "$vit" --out "$d/hparams.json" 2>&1); then
    ok "tensorboard reads the HParams data of all three runs"
  else bad "tensorboard could not read the HParams data" "$out"; fi
  want=$(tail -1 "$d/tr/metrics.csv" | cut -d, -f6)
  out=$("$TB_PYTHON" - "$d/hparams.json" "$want" "$(basename "$vit")" <<'PYEOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1])); want = float(sys.argv[2]); vit = sys.argv[3]
tr, di, vt = d["tr"], d["di"], d[vit]
problems = []
if tr["hparams"].get("seed") != 5 or tr["hparams"].get("lr") != 0.05 or tr["hparams"].get("model") != "mlp":
    problems.append(f"train hparams {tr['hparams']}")
if tr["experiment_hparams"].get("model") != "DATA_TYPE_STRING" or tr["experiment_hparams"].get("lr") != "DATA_TYPE_FLOAT64":
    problems.append(f"train experiment types {tr['experiment_hparams']}")
if abs(tr["metrics"].get("epoch/test_accuracy", -1) - want) > 1e-6:
    problems.append(f"train final test accuracy {tr['metrics'].get('epoch/test_accuracy')} != metrics.csv {want}")
if di["hparams"].get("seed") != 6 or "epoch/student_test_acc" not in di["metrics"]:
    problems.append(f"distill {di['hparams'].get('seed')} {sorted(di['metrics'])}")
if vt["hparams"].get("seed") != 7 or vt["hparams"].get("kind") != "taylor" or "epoch/test_accuracy" not in vt["metrics"]:
    problems.append(f"attention {vt['hparams']} {sorted(vt['metrics'])}")
for name, r in (("train", tr), ("distill", di), ("attention", vt)):
    if r["status"] != "STATUS_SUCCESS" or not r["end_time"] >= r["start_time"] > 0:
        problems.append(f"{name}: {r['status']} {r['start_time']} {r['end_time']}")
print("; ".join(problems) or "ok")
PYEOF
)
  if [ "$out" = ok ]; then ok "tensorboard: options, types, final metrics and SUCCESS as the runs wrote them"; else bad "tensorboard's HParams view" "$out"; fi
  rwant=$(awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="student_test_acc") c=i} END{print $c}' "$d/rd/metrics.csv")
  "$TB_PYTHON" tools/tensorboard/read_hparams.py "$d/rd" --out "$d/resumed.json" >/dev/null 2>&1
  out=$("$TB_PYTHON" - "$d/resumed.json" "$rwant" <<'PYEOF' 2>&1
import json, sys
r = json.load(open(sys.argv[1]))["rd"]; want = float(sys.argv[2])
bad = []
if r["hparams"].get("seed") != 8:
    bad.append("seed %s" % r["hparams"].get("seed"))
if r["status"] != "STATUS_SUCCESS" or not r["end_time"] >= r["start_time"] > 0:
    bad.append("%s %s %s" % (r["status"], r["start_time"], r["end_time"]))
if abs(r["metrics"].get("epoch/student_test_acc", -1) - want) > 1e-6:
    bad.append("student_test_acc %s != metrics.csv %s" % (r["metrics"].get("epoch/student_test_acc"), want))
print("; ".join(bad) or "ok")
PYEOF
)
  if [ "$out" = ok ]; then ok "tensorboard: a resumed run reads back as one session (seed, SUCCESS, the final metric of metrics.csv)"; else bad "tensorboard: the resumed run's HParams" "$out"; fi
else
  ok "tensorboard's reader not installed (pip install tensorboard): HParams read-back skipped"
fi
