# Every new run gets its own folder: identical runs started at once or one after the other in
# the same second (RETORT_TEST_RUN_STAMP fixes the timestamp of generated names, so they
# collide whatever the clock says) all finish, each in its own folder with its own files; an
# explicit --name that exists is refused with one line and leaves that run untouched.
r="$tmp/runs-same"
same=(train --data digits --model mlp --epochs 1 --seed 1 --test-count 300 --threads 1 --runs "$r" --plain)
pids=()
for i in 1 2 3 4; do
  RETORT_TEST_RUN_STAMP=20260101-000000 "$BIN" "${same[@]}" >"$tmp/same-$i.out" 2>&1 & pids+=($!)
done
codes=""
for p in "${pids[@]}"; do wait "$p"; codes="$codes $?"; done
for i in 5 6; do RETORT_TEST_RUN_STAMP=20260101-000000 "$BIN" "${same[@]}" >"$tmp/same-$i.out" 2>&1; codes="$codes $?"; done
if [ "$codes" = " 0 0 0 0 0 0" ]; then ok "6 identical runs (4 at once, 2 after) all exit 0"; else bad "identical runs exit codes:$codes" "$(cat "$tmp"/same-*.out)"; fi
folders=$(ls "$r" | sort)
n=$(ls "$r" | wc -l)
if [ "$n" -eq 6 ] && [ "$(ls "$r" | sed 's/-[2-6]$//' | sort -u)" = "20260101-000000-mlp-digits-s1" ]; then
  ok "6 identical runs get 6 folders (the name, then -2 … -6)"
else bad "identical runs got $n folders" "$folders"; fi
complete=0
for d in "$r"/*; do
  [ -s "$d/config.json" ] && [ "$(grep -c '' "$d/metrics.csv")" -eq 2 ] && [ "$(ls "$d"/events.out.tfevents.* | wc -l)" -eq 1 ] && complete=$((complete+1))
done
if [ "$complete" -eq 6 ]; then ok "each folder holds its own config.json, one epoch row in metrics.csv and one TensorBoard file"; else bad "only $complete of 6 folders complete" "$(ls -la "$r"/* 2>&1)"; fi
printed=$(grep -ho '^run .*' "$tmp"/same-*.out | sort -u | wc -l)
if [ "$printed" -eq 6 ]; then ok "each run names its own folder"; else bad "runs printed $printed distinct folders" "$(grep -h '^run ' "$tmp"/same-*.out)"; fi

expect "first run with --name keep" 0 'done in' -- "$BIN" train --data digits --model mlp --epochs 1 --seed 1 --test-count 300 --threads 1 --runs "$r" --name keep --plain
sum_before=$(cd "$r/keep" && find . -type f ! -name .lock | sort | xargs md5sum)
expect "an existing --name is refused with one line" 2 "^retort: run folder $r/keep already exists: choose another --name or resume it with \`retort resume $r/keep\`\$" -- \
  "$BIN" train --data digits --model mlp --epochs 1 --seed 2 --test-count 300 --threads 1 --runs "$r" --name keep --plain
if [ "$(cd "$r/keep" && find . -type f ! -name .lock | sort | xargs md5sum)" = "$sum_before" ]; then ok "the refused run leaves the first run's files byte-identical"; else bad "the first run's files changed"; fi
expect "distill refuses an existing --name too" 2 "^retort: run folder $r/keep already exists" -- \
  "$BIN" distill --data digits --model mlp --epochs 1 --runs "$r" --name keep
expect "compare refuses an existing --name too" 2 "^retort: run folder $r/keep already exists" -- \
  "$BIN" compare --data digits --model mlp --epochs 1 --seeds 1 --conditions full --runs "$r" --name keep
