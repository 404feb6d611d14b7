# Your own data (tests/fixtures/train, written by tools/data/make_fixtures.py with numpy,
# the IDX/CIFAR byte layouts and Pillow): every format trains through `--data PATH` for
# train, distill and attention to well above chance (4 classes: 25 %); bad data files are
# refused in one line with exit 2 before any run folder exists.
tf=tests/fixtures/train
own=$tmp/own
# last_acc FOLDER: the last epoch's test accuracy in metrics.csv, in percent (integer)
last_acc() { tail -1 "$1/metrics.csv" | awk -F, '{ printf "%d", $6 * 100 }'; }
own_train() { # NAME MIN_ACC ARGS…
  local name=$1 min=$2; shift 2
  local out; out=$("$BIN" train --threads 1 --runs "$own/$name" "$@" 2>&1); local rc=$?
  local f; f=$(ls -d "$own/$name"/*/ 2>/dev/null | head -1)
  if [ "$rc" -ne 0 ] || [ -z "$f" ]; then bad "own data: train $name (exit $rc)" "$out"; return; fi
  local a; a=$(last_acc "$f")
  if [ "$a" -ge "$min" ]; then ok "own data: train $name reaches $a% test accuracy (≥ $min%)"; else bad "own data: train $name reaches only $a% (wanted ≥ $min%)" "$out"; fi
}
own_train npy-mlp 90 --data $tf/npy --model mlp --epochs 5
own_train npz-float-nchw-mlp 90 --data $tf/npz/rgb_nchw.npz --model mlp --epochs 5 --test-count 80
own_train idx-gzip-mlp 90 --data $tf/idx --model mlp --epochs 5
own_train cifar10-mlp 90 --data $tf/cifar10 --model mlp --epochs 5
own_train cifar100-mlp 90 --data $tf/cifar100 --model mlp --epochs 5 --lr 0.02
own_train folder-mlp 90 --data $tf/folder --model mlp --epochs 5
own_train csv-rgb-mlp 90 --data $tf/csv/rgb_8x8x3.csv.gz --shape 8x8x3 --model mlp --epochs 5 --test-count 80
own_train csv-kaggle-header-mlp 90 --data $tf/csv/kaggle_train.csv --model mlp --epochs 5 --test-count 80
own_train csv-label-first-sidecar-mlp 90 --data $tf/csv/label_first.csv --model mlp --epochs 5 --test-count 80
own_train csv-label-first-flag-mlp 90 --data $tf/csv/kaggle_train.csv --header --label-column first --model mlp --epochs 5 --test-count 80
expect "own data: a header row's label column, detected" 0 'classes: 4' -- "$BIN" data inspect $tf/csv/kaggle_train.csv --samples 0
expect "own data: a label column that is not there" 2 'kaggle_train.csv:1: label-column: no column named .digit. in the header row' -- \
  "$BIN" train --data $tf/csv/kaggle_train.csv --label-column digit --threads 1 --runs "$own/never"
expect "own data: label-column in a config file" 0 'data kaggle_train.csv' -- bash -c "printf 'data: $tf/csv/kaggle_train.csv\nlabel-column: label\nheader: true\nepochs: 1\ntest-count: 80\n' > '$tmp/own-kaggle.yaml' && '$BIN' train --config '$tmp/own-kaggle.yaml' --model mlp --threads 1 --runs '$own/kaggle-config'"
own_train cifar10-cnn 90 --data $tf/cifar10 --model cnn --epochs 12
own_train idx-cnn 90 --data $tf/idx --model cnn --epochs 12 --batch-size 32
own_train npy-separate-test-mlp 90 --data $tf/npy/x_train.npy --test-data $tf/npy/x_test.npy --model mlp --epochs 5

# what the run recorded: the absolute path, the detected RGB flip, and the start-up line
f=$(ls -d "$own/cifar10-cnn"/*/ | head -1)
if grep -q "\"data\" : \"$PWD/$tf/cifar10\"" "$f/config.json"; then ok "own data: config.json records the data's absolute path"; else bad "own data: config.json data path" "$(grep data "$f/config.json")"; fi
expect "own data: start-up line names format, split and shape" 0 'data cifar10 \(CIFAR-10\): 240 train / 80 test of 32×32×3, 10 classes' -- \
  "$BIN" train --data $tf/cifar10 --model mlp --epochs 1 --threads 1 --runs "$own/line"
expect "own data: --no-flip is recorded" 0 '"flip" : false' -- bash -c "'$BIN' train --data $tf/cifar10 --model mlp --epochs 1 --threads 1 --runs '$own/noflip' --no-flip >/dev/null && cat '$own'/noflip/*/config.json"

# distill and attention on files
out=$("$BIN" distill --data $tf/idx --epochs 12 --threads 1 --runs "$own/distill" 2>&1); rc=$?
if [ "$rc" = 0 ] && grep -qE 'student test (9[0-9]|100)\.' <<<"$out"; then ok "own data: distill on IDX files, student ≥ 90%"; else bad "own data: distill on IDX (exit $rc)" "$(tail -3 <<<"$out")"; fi
out=$("$BIN" distill --data $tf/folder --model cnn --epochs 12 --threads 1 --runs "$own/distill-cnn" 2>&1); rc=$?
if [ "$rc" = 0 ] && grep -qE 'student test (9[0-9]|100)\.' <<<"$out"; then ok "own data: distill CNN on a PNG/JPEG folder, student ≥ 90%"; else bad "own data: distill CNN on a folder (exit $rc)" "$(tail -3 <<<"$out")"; fi
for d in idx folder; do
  out=$("$BIN" attention train --data $tf/$d --kinds taylor --epochs 12 --seeds 1 --threads 1 --runs "$own/vit-$d" 2>&1); rc=$?
  f=$(ls -d "$own/vit-$d"/*-vit-taylor-*/ 2>/dev/null | head -1)
  a=$([ -n "$f" ] && last_acc "$f" || echo 0)
  if [ "$rc" = 0 ] && [ "$a" -ge 60 ]; then ok "own data: attention train (Taylor ViT) on $d reaches $a% (≥ 60%)"; else bad "own data: attention train on $d: exit $rc, $a%" "$(tail -3 <<<"$out")"; fi
done

# bad data: one line, exit 2, no run folder — every format case of the corpus, through train
while IFS=$'\t' read -r -a c; do
  case "${c[0]}" in "formats: "*) ;; *) continue ;; esac
  [ "${c[3]} ${c[4]}" = "check data" ] || continue
  path=${c[5]//@\//tests/bad-inputs/files/}
  extra=("${c[@]:6}")
  out=$("$BIN" train --data "$path" "${extra[@]}" --threads 1 --runs "$own/never" 2>"$tmp/own.err" </dev/null); rc=$?
  err=$(cat "$tmp/own.err")
  if [ "$rc" = 2 ] && [ "$(wc -l <"$tmp/own.err")" = 1 ] && grep -qE -- "${c[2]}" <<<"$err" && [ ! -e "$own/never" ]; then ok "own data: train refuses ${c[0]#formats: }"
  else bad "own data: train on ${c[0]#formats: }: exit $rc, $(wc -l <"$tmp/own.err") stderr lines, run folder $( [ -e "$own/never" ] && echo made || echo none)" "$err"; rm -rf "$own/never"; fi
done < tests/bad-inputs/cases.tsv
expect "own data: a test set of another shape is refused" 2 'shape: test images are 12×12×1, training images 10×10×1' -- \
  "$BIN" train --data $tf/npy --test-data $tf/idx --threads 1 --runs "$own/never"
expect "own data: a test set in another pixel type is refused" 2 'test set holds uint8 values, the training set float32' -- \
  "$BIN" train --data $tf/npz/rgb_nchw.npz --test-data $tf/csv/rgb_8x8x3.csv.gz --shape 8x8x3 --threads 1 --runs "$own/never"
expect "own data: a declared CSV shape that does not divide the row" 2 'declared 7×7 does not divide a row of 192 values' -- \
  "$BIN" train --data $tf/csv/rgb_8x8x3.csv.gz --shape 7x7 --threads 1 --runs "$own/never"
expect "own data: a missing path" 2 'no such file or folder' -- "$BIN" train --data "$tmp/nothing-here" --threads 1 --runs "$own/never"
expect "own data: the ViT wants square images" 2 'vit: takes square images, the data.s are 4×16' -- "$BIN" attention train --data $tf/csv/rgb_8x8x3.csv.gz --shape 4x16x3 --kinds taylor --seeds 1 --test-count 80 --threads 1 --runs "$own/never"
expect "own data: the tiny CNN takes non-square images" 0 'of 4×16×3' -- "$BIN" train --data $tf/csv/rgb_8x8x3.csv.gz --shape 4x16x3 --model cnn --epochs 1 --test-count 80 --threads 1 --runs "$own/wide"
[ ! -e "$own/never" ] && ok "own data: no run folder after any refusal" || bad "own data: a refusal left a run folder" "$(ls -R "$own/never")"
# a run on a data file with a model spec replays from its config.json
"$BIN" train --data $tf/folder --model cnn --cnn "stem=8/2; 1,8,1,1; 4,16,2,2,5; head=32" --epochs 2 --threads 1 --runs "$own/spec" >/dev/null 2>&1
f=$(ls -d "$own/spec"/*/ | head -1)
"$BIN" train --config "$f/config.json" --threads 1 --runs "$own/spec-replay" >/dev/null 2>&1
g=$(ls -d "$own/spec-replay"/*/ 2>/dev/null | head -1)
if [ -n "$g" ] && cmp -s <(cut -d, -f1-7 "$f/metrics.csv") <(cut -d, -f1-7 "$g/metrics.csv"); then ok "own data: a CNN spec on a PNG folder replays bit-identically from config.json"
else bad "own data: spec replay differs" "$(diff <(cut -d, -f1-7 "$f/metrics.csv") <(cut -d, -f1-7 "${g:-/dev/null}/metrics.csv") | head -4)"; fi
