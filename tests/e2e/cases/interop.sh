# TensorBoard event files in run folders; safetensors export, eval, init and bad files.
d="$tmp/interop"; mkdir -p "$d"
expect "train --export writes the model" 0 'exported mlp-64-64-64-10 to' -- "$BIN" train --data digits --model mlp --width 0.25 --epochs 2 \
  --test-count 300 --seed 4 --threads 1 --runs "$d" --name tr --plain --export "$d/mlp.safetensors"
if ls "$d/tr"/events.out.tfevents.*.retort >/dev/null 2>&1 && [ -s "$(ls "$d/tr"/events.out.tfevents.*)" ]; then ok "train run folder has a TensorBoard event file"; else bad "no event file in the train run folder" "$(ls "$d/tr")"; fi
want=$(tail -1 "$d/tr/metrics.csv" | cut -d, -f6 | awk '{printf "%.2f", 100 * $1}')
expect "eval of the export reproduces the run's test accuracy ($want%)" 0 "test accuracy $want% .*on 300 held-out digits images \(split seed 4\)" -- \
  "$BIN" eval --weights "$d/mlp.safetensors" --threads 1
expect "train --init from the export" 0 'initialised mlp-64-64-64-10 from' -- "$BIN" train --data digits --model mlp --width 0.25 --epochs 1 \
  --test-count 300 --seed 4 --threads 1 --runs "$d" --name init --plain --init "$d/mlp.safetensors"
expect "train --init with other widths names the tensor and both shapes" 2 \
  "^retort: mlp.safetensors: tensor 'fc1.weight': shape \[64, 64\] in the file, the model mlp-64-128-128-10 expects \[128, 64\]$" -- \
  "$BIN" train --data digits --model mlp --width 0.5 --epochs 1 --runs "$d" --name x --init "$d/mlp.safetensors"
[ -e "$d/x" ] && bad "a refused --init left a run folder" || ok "a refused --init creates no run folder"
head -c 100 "$d/mlp.safetensors" > "$d/cut.safetensors"
expect "eval of a truncated file" 2 '^retort: cut.safetensors: header length [0-9]+ exceeds the file \(92 bytes after the length field\)$' -- \
  "$BIN" eval --weights "$d/cut.safetensors"
printf '\x10\x00\x00\x00\x00\x00\x00\x00{"a":1,         ' > "$d/json.safetensors"
expect "eval of a file with a bad header" 2 '^retort: json.safetensors: header: not valid JSON \(16 bytes\)$' -- "$BIN" eval --weights "$d/json.safetensors"
expect "eval of a missing file" 2 'nothing.safetensors: cannot read' -- "$BIN" eval --weights "$d/nothing.safetensors"
expect "eval of an MLP file as a CNN" 2 "^retort: mlp.safetensors: tensor 'stem.weight' missing$" -- "$BIN" eval --weights "$d/mlp.safetensors" --model cnn

out=$("$BIN" distill --data digits --model cnn --student-width 0.5 --teacher-width 2 --epochs 1 --seed 2 --threads 1 --runs "$d" --name st \
  --plain --export "$d/student.safetensors" 2>&1)
sacc=$(grep -oE 'student test [0-9.]+%' <<<"$out" | grep -oE '[0-9.]+%')
if [ -n "$sacc" ] && ls "$d/st"/events.out.tfevents.* >/dev/null 2>&1; then ok "distill exports the student and writes an event file"; else bad "distill --export" "$out"; fi
expect "eval of the student reproduces the run's student accuracy ($sacc)" 0 "test accuracy $sacc .*held-out digits" -- \
  "$BIN" eval --weights "$d/student.safetensors" --threads 1

# --keep-student held-out: the kept (not the last) student is reported, exported and tabulated
out=$("$BIN" distill --data digits --hidden 4,4 --lr 0.05 --epochs 20 --seed 6 --threads 1 --runs "$d" --name kept --plain \
  --keep-student held-out --export "$d/kept.safetensors" 2>&1)
kline=$(grep -E '^kept student \(keep-student held-out\): epoch [0-9]+ of 20, held-out accuracy [0-9.]+% on 120 rows' <<<"$out")
kacc=$(grep -oE 'test [0-9.]+% \(last epoch' <<<"$kline" | grep -oE '[0-9.]+%')
kepoch=$(grep -oE 'epoch [0-9]+ of' <<<"$kline" | grep -oE '[0-9]+')
if [ -n "$kacc" ] && [ "$kepoch" != 20 ] && grep -q "student test $kacc" <<<"$out" && grep -q "\"keptEpoch\" : $kepoch," "$d/kept/summary.json"; then
  ok "distill --keep-student held-out reports the kept student (epoch $kepoch, $kacc) in the done line and summary.json"
else bad "distill --keep-student held-out" "$out"; fi
expect "eval of the kept student reproduces its accuracy ($kacc), not the last epoch's" 0 "test accuracy $kacc .*held-out digits" -- \
  "$BIN" eval --weights "$d/kept.safetensors" --threads 1

out=$("$BIN" attention train --data digits --kinds taylor --seeds 3 --epochs 2 --width 16 --depth 1 --heads 2 --threads 1 --runs "$d" \
  --export-dir "$d/vit" 2>&1)
vacc=$(grep -oE 'taylor seed 3: test accuracy [0-9.]+%' <<<"$out" | grep -oE '[0-9.]+%')
if [ -s "$d/vit/vit-taylor-digits-s3.safetensors" ] && ls "$d"/*-vit-taylor-digits-s3/events.out.tfevents.* >/dev/null 2>&1; then
  ok "attention train exports the ViT and writes an event file"; else bad "attention train --export-dir" "$out"; fi
expect "eval of the ViT reproduces the run's accuracy ($vacc)" 0 "test accuracy $vacc " -- "$BIN" eval --weights "$d/vit/vit-taylor-digits-s3.safetensors" --threads 1
expect "eval of the ViT with softmax attention swapped in" 0 'taylor-trained|softmax attention' -- \
  "$BIN" eval --weights "$d/vit/vit-taylor-digits-s3.safetensors" --attention softmax --threads 1

"$BIN" train --data digits --model mlp --epochs 1 --test-count 300 --threads 1 --runs "$d" --name notb --plain --no-tensorboard >/dev/null 2>&1
if [ -s "$d/notb/metrics.csv" ] && ! ls "$d/notb"/*tfevents* >/dev/null 2>&1; then ok "--no-tensorboard writes no event file"; else bad "--no-tensorboard" "$(ls "$d/notb")"; fi

# Models from specs: a NetAug preset with kernels 3/5/7 and repeated rows, exported and evaluated
# from the file alone (its strides and kernels are in the retort.cnn metadata).
expect "train --cnn-preset mcunet exports the spec's network" 0 'exported tinycnn-4-2x1-4x3k7-' -- "$BIN" train --data digits --model cnn \
  --cnn-preset mcunet --width 0.25 --lr 0.01 --epochs 2 --test-count 300 --seed 4 --threads 1 --runs "$d" --name mcu --plain --export "$d/mcu.safetensors"
want=$(tail -1 "$d/mcu/metrics.csv" | cut -d, -f6 | awk '{printf "%.2f", 100 * $1}')
expect "eval of the spec'd CNN reproduces the run's test accuracy ($want%)" 0 "test accuracy $want% .*on 300 held-out digits images" -- \
  "$BIN" eval --weights "$d/mcu.safetensors" --threads 1
expect "train --mlp-hidden with three hidden layers" 0 'mlp-64-48-32-16-10: ' -- "$BIN" train --data digits --model mlp --mlp-hidden 48,32,16 \
  --epochs 1 --test-count 300 --threads 1 --runs "$d" --name mlp3 --plain
expect "a CNN spec at another resolution is refused before a run folder exists" 2 \
  "^retort: cnn: resolution 32×32 differs from the data's 8×8 images" -- "$BIN" train --data digits --epochs 1 --runs "$d" --name res \
  --cnn "stem=16/2; 6,24,2,2; head=96; res=32x32"
[ -e "$d/res" ] && bad "a refused spec left a run folder" || ok "a refused spec creates no run folder"
