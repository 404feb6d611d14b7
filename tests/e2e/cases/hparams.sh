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
else
  ok "tensorboard's reader not installed (pip install tensorboard): HParams read-back skipped"
fi
