# The Sanger baseline of `sim vitality`: the three-way table (dense softmax, Sanger, Taylor)
# for DeiT-T/S/B, the density sweep, masks from a trained attention run, bad values.
sg="$tmp/sanger"; mkdir -p "$sg"
ROW='^ +sanger +[0-9,]+ +[0-9.]+ +[0-9.]+ '
for m in deit-tiny deit-small deit-base; do
  expect "sanger: three-way table for $m (attention only, 1 layer)" 0 "$ROW" -- "$BIN" sim vitality --baseline sanger --model "$m" --layers 1
done
expect "sanger: end to end with the paper's reference row" 0 '^ +paper .*3× \(Sanger\) +3× \(Sanger\)$' -- \
  "$BIN" sim vitality --baseline sanger --linear --layers 1
expect "sanger: the masks line gives density and load balance" 0 '^Sanger baseline: synthetic masks at density 0\.100, seed 1; density 0\.1[0-9]+, pack-and-split utilisation 0\.[0-9]+ ' -- \
  "$BIN" sim vitality --baseline sanger --density 0.1 --layers 1
out=$("$BIN" sim vitality --baseline sanger --layers 1 --density-sweep 0.05,0.1,0.2,0.4 2>&1); rc=$?
rows=$(grep -cE '^ +0\.(050|100|200|400) +0\.[0-9]+ +0\.[0-9]+ +[0-9,]+ ' <<<"$out")
[ "$rc" = 0 ] && [ "$rows" = 4 ] && ok "sanger: --density-sweep prints one row per density" || bad "sanger: density sweep (exit $rc, $rows rows)" "$out"
# bad values: one line, exit 2 (checked before anything is simulated)
for d in 1.5 0 -0.2 nan; do
  out=$("$BIN" sim vitality --baseline sanger --density="$d" 2>&1); rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -qE '^retort: --density: must be in \(0, 1\], got ' <<<"$out" \
    && ok "sanger: --density $d refused in one line (exit 2)" || bad "sanger: --density $d (exit $rc)" "$out"
done
out=$("$BIN" sim vitality --baseline sanger --density-sweep 0.1,x 2>&1); rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q '^retort: --density-sweep: "x" is not a number' <<<"$out" \
  && ok "sanger: a bad sweep entry refused in one line (exit 2)" || bad "sanger: bad sweep entry (exit $rc)" "$out"
expect "sanger: --density needs --baseline sanger" 64 'density needs --baseline sanger' -- "$BIN" sim vitality --density 0.2
expect "sanger: --density and --masks exclude each other" 64 'exclude each other' -- "$BIN" sim vitality --baseline sanger --density 0.2 --masks "$sg"
expect "sanger: --masks of a folder that is no attention run" 2 '^retort: --masks: .*: not an attention run folder' -- "$BIN" sim vitality --baseline sanger --masks "$sg"
# masks of a trained ViT: a one-epoch digits run
"$BIN" attention train --data digits --kinds softmax --seeds 1 --epochs 1 --width 16 --depth 2 --heads 2 --test-count 100 --threads 1 --no-tensorboard --runs "$sg/runs" >/dev/null 2>&1
run=$(ls -d "$sg/runs"/*-vit-softmax-digits-s1 2>/dev/null | head -1)
expect "sanger: masks of a trained run (density and load balance measured, resampled to DeiT)" 0 \
  "^masks of .*-vit-softmax-digits-s1 on 4 test images \\(n=[0-9]+, 2 layers × 2 heads, threshold 0\\.02\\): density 0\\.[0-9]+, pack-and-split utilisation 0\\.[0-9]+" -- \
  "$BIN" sim vitality --baseline sanger --masks "$run" --threshold 0.02 --mask-images 4 --layers 1
expect "sanger: masks of a trained run on its own ViT shape" 0 "$ROW" -- "$BIN" sim vitality --baseline sanger --masks "$run" --model "$run"
