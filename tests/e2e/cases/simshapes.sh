# Your model on the simulators: `sim vitality` on any ViT shape or an attention run folder,
# `sim topology` (SCALE-Sim CSV of presets and run folders, read back by `sim scalesim`),
# and v2-era SCALE-Sim .cfg files.
s="$tmp/simshapes"; mkdir -p "$s"
V2=configs/accelerator/scalesim-v2
GEMMTOPO=configs/accelerator/deit-tiny-gemm.csv

# ---- v2-era SCALE-Sim configs: accepted with one line naming the defaulted keys ----
for f in google scale eyeriss; do
  out=$("$BIN" sim scalesim --config "$V2/$f.cfg" --topology "$GEMMTOPO" --gemm --out "$s/v2" 2>&1); rc=$?
  notes=$(grep -c '^note:' <<<"$out")
  if [ "$rc" = 0 ] && [ "$notes" = 1 ] && grep -q '^note: v2-era config: defaulted ReadRequestBuffer (60), WriteRequestBuffer (60), UseRamulatorTrace (False), \[layout\] (.*), \[sparsity\] (SparsitySupport false); ignored MemoryBanks' <<<"$out"; then
    ok "v2 cfg $f.cfg: simulated, one note names the defaulted keys"
  else bad "v2 cfg $f.cfg (exit $rc, $notes notes)" "$out"; fi
done
expect "check scalesim-config on a v2 file prints the note" 0 '^note: v2-era config: defaulted ReadRequestBuffer' -- "$BIN" check scalesim-config "$V2/eyeriss.cfg"
# the same hardware written as a complete v3 file gives the same cycles and no note
cat > "$s/v3.cfg" <<'CFG'
[general]
run_name = scale_example_run_32x32_ws

[architecture_presets]
ArrayHeight : 32
ArrayWidth : 32
IfmapSramSzkB : 64
FilterSramSzkB : 64
OfmapSramSzkB : 64
IfmapOffset : 0
FilterOffset : 10000000
OfmapOffset : 20000000
Bandwidth : 10
Dataflow : ws
ReadRequestBuffer : 60
WriteRequestBuffer : 60

[layout]
IfmapCustomLayout : False
FilterCustomLayout : False

[sparsity]
SparsitySupport : false

[run_presets]
InterfaceBandwidth : CALC
UseRamulatorTrace : False
CFG
v2c=$("$BIN" sim scalesim --config "$V2/scale.cfg" --topology "$GEMMTOPO" --gemm --out "$s/a" 2>&1 | grep '^total cycles')
v3out=$("$BIN" sim scalesim --config "$s/v3.cfg" --topology "$GEMMTOPO" --gemm --out "$s/b" 2>&1)
v3c=$(grep '^total cycles' <<<"$v3out")
[ -n "$v2c" ] && [ "$v2c" = "$v3c" ] && ! grep -q '^note:' <<<"$v3out" && ok "v2 scale.cfg and its completed v3 form: same $v2c, no note for v3" \
  || bad "v2 vs v3 cycles: '$v2c' vs '$v3c'" "$v3out"
printf '[general]\nrun_name = x\n\n[architecture_presets]\nArrayHeight:    16\nArrayWidth:\nDataflow : ws\n\n[run_presets]\nInterfaceBandwidth: CALC\n' > "$s/bad-v2.cfg"
expect "a v2 file with an empty value is still refused" 2 "^retort: .*bad-v2\.cfg:6: architecture_presets\.ArrayWidth: '' is not an integer$" -- \
  "$BIN" check scalesim-config "$s/bad-v2.cfg"
expect "fuzz harness replays the v2 configs" 0 "retort-fuzz scalesim-config: 3 inputs, no crash" -- "$(dirname "$BIN")/retort-fuzz" scalesim-config "$V2"/*.cfg

# ---- sim topology: presets ----
expect "topology of the digits CNN: stem row from the padded input" 0 '^stem, 10, 10, 3, 3, 1, 16, 1,$' -- "$BIN" sim topology cnn-digits
expect "topology: depthwise rows split per channel (SCALE-Sim's DP)" 0 '^blocks\.1\.dw_DP, 9, 9, 3, 3, 64, 1, 2,$' -- "$BIN" sim topology cnn-digits
expect "topology --depthwise filters" 0 '^blocks\.1\.dw, 9, 9, 3, 3, 1, 64, 2,$' -- "$BIN" sim topology cnn-digits --depthwise filters
expect "topology of the MNIST MLP in GEMM form" 0 '^fc1, 1, 256, 784,$' -- "$BIN" sim topology mlp-mnist --form gemm
expect "topology of a ViT: QKᵀ per head" 0 '^blocks\.3\.h3\.qk, 50, 50, 16,$' -- "$BIN" sim topology vit-mnist --form gemm
expect "topology of a ViT with Taylor attention" 0 '^blocks\.0\.h0\.kv, 16, 16, 50,$' -- "$BIN" sim topology mnist-vit --form gemm --attention taylor
expect "topology --out names rows, layers and MACs" 0 '^wrote .*cnn\.csv: cnn-mnist from preset .*conv form, 15 rows, 299 layers after the depthwise split, 1,083,680 MACs$' -- \
  "$BIN" sim topology cnn-mnist --out "$s/cnn.csv"
"$BIN" sim topology cnn-mnist --form gemm --out "$s/cnn-gemm.csv" >/dev/null
expect "the written conv topology is read back" 0 "^ok: topology .*cnn\.csv: 299 layers$" -- "$BIN" check topology "$s/cnn.csv"
tc=$("$BIN" sim scalesim --config configs/accelerator/scalesim-16x16-os.cfg --topology "$s/cnn.csv" --out "$s/r1" | grep '^total cycles')
tg=$("$BIN" sim scalesim --config configs/accelerator/scalesim-16x16-os.cfg --topology "$s/cnn-gemm.csv" --gemm --out "$s/r2" | grep '^total cycles')
[ -n "$tc" ] && [ "$tc" = "$tg" ] && ok "conv and GEMM forms simulate to the same $tc" || bad "conv vs gemm form: '$tc' vs '$tg'"
expect "topology: unknown model" 2 "^retort: MODEL: 'resnet' is neither a preset nor a run folder \(presets: deit-tiny, " -- "$BIN" sim topology resnet
expect "topology --teacher of a preset" 2 "^retort: --teacher: cnn-digits is not a distill run" -- "$BIN" sim topology cnn-digits --teacher
expect "topology: unknown form" 64 "'table' is invalid for '--form" -- "$BIN" sim topology cnn-digits --form table

# ---- sim vitality: any ViT shape ----
expect "vitality: image/patch/dim/heads/depth" 0 'model: custom \(n=65, C=128, H=4, d=32, 2 layers, MLP ×2\)' -- \
  "$BIN" sim vitality --model deit-tiny --image 32 --patch 4 --dim 128 --heads 4 --depth 2 --mlp-ratio 2 --attention taylor
expect "vitality: --tokens" 0 'custom \(n=100, C=192, H=3, d=64, 1 layer, MLP ×4\)' -- "$BIN" sim vitality --tokens 100 --attention taylor --layers 1
expect "vitality: the origin line names the flags" 0 '^model: preset deit-tiny, with --tokens 100$' -- "$BIN" sim vitality --tokens 100 --attention taylor --layers 1
expect "vitality: sparsity says no part uses a measured value" 0 '^sparsity: none simulated: .*no part uses a measured value$' -- "$BIN" sim vitality --model mnist-vit --attention taylor
expect "vitality: dim not a multiple of heads" 2 '^retort: --dim: 100 is not a multiple of the 3 heads' -- "$BIN" sim vitality --dim 100
expect "vitality: image not a multiple of patch" 2 '^retort: --image: 30 is not a multiple of the patch side 4' -- "$BIN" sim vitality --image 30 --patch 4
expect "vitality: tokens above the limit" 2 '^retort: --tokens: must be at most 16385, got 99999$' -- "$BIN" sim vitality --tokens 99999
expect "vitality: --tokens with --image" 2 '^retort: --tokens: give either --tokens or --image/--patch' -- "$BIN" sim vitality --tokens 50 --image 28 --patch 4
expect "vitality: a workload too large to schedule" 2 '^retort: --model: custom \(taylor, with linear layers\) is up to [0-9]+ tasks and [0-9]+ array tiles; the accelerator model schedules at most 131072 tasks' -- \
  "$BIN" sim vitality --tokens 16385 --dim 16384 --heads 64 --depth 64 --linear
expect "vitality: a CNN is not a ViT" 2 '^retort: --model: cnn-digits is not a ViT' -- "$BIN" sim vitality --model cnn-digits
# Taylor readings: centring over the tokens (default) or the head dimension; the optimised tokens mode
expect "vitality: the default reading is the paper's" 0 '^taylor: centring tokens \(default: the paper\), k̂_sum computed \(the paper.s hardware\)$' -- \
  "$BIN" sim vitality --attention taylor --layers 1
expect "vitality --centring head" 0 '^taylor: centring head \(--centring\), k̂_sum computed' -- "$BIN" sim vitality --attention taylor --layers 1 --centring head
out=$("$BIN" sim vitality --attention taylor --layers 1 --ksum skip 2>&1); rc=$?
if [ "$rc" = 0 ] && grep -q '^taylor: centring tokens .*k̂_sum skipped (optimised: one divisor n√d)$' <<<"$out" && ! grep -q 'SA-Diag\[0\]' <<<"$out"; then
  ok "vitality --ksum skip: no SA-Diag work"
else bad "vitality --ksum skip (exit $rc)" "$out"; fi
expect "vitality: --ksum skip with head centring is refused" 2 '^retort: --ksum: skip needs tokens centring \(.*\); the centring is head \(--centring\)$' -- \
  "$BIN" sim vitality --centring head --ksum skip
expect "vitality: an unknown centring" 64 "'rows' is invalid for '--centring" -- "$BIN" sim vitality --centring rows

# ---- run folders ----
"$BIN" attention train --data digits --kinds taylor-sparse --seeds 1 --epochs 1 --width 16 --depth 2 --heads 2 --test-count 300 \
  --threads 1 --no-tensorboard --runs "$s/att" >/dev/null 2>&1
arun=$(ls -d "$s/att"/*-vit-taylor-sparse-digits-s1 2>/dev/null | head -1)
if [ -n "$arun" ]; then
  expect "vitality from an attention run folder: its ViT" 0 'ViTALiTy accelerator model: vit-digits[^ ]* \(n=17, C=16, H=2, d=8, 2 layers, MLP ×4\)' -- "$BIN" sim vitality --model "$arun"
  expect "vitality from an attention run: origin and the measured mask density" 0 \
    "^sparsity: none simulated: .*; this run's measured mask density [01]\.[0-9]{4} \(metrics\.jsonl, epoch 1\) is not used$" -- "$BIN" sim vitality --model "$arun"
  expect "vitality: a run folder with a flag" 0 "^model: attention run .*taylor-sparse-digits-s1 \(taylor-sparse\), with --depth 1$" -- "$BIN" sim vitality --model "$arun" --depth 1
  expect "vitality from an attention run: its centring (tokens when unset)" 0 '^taylor: centring tokens \(the run.s config\)' -- "$BIN" sim vitality --model "$arun" --attention taylor
  mkdir -p "$s/headrun" && sed '0,/{/s/{/{"centring":"head",/' "$arun/config.json" > "$s/headrun/config.json"
  expect "vitality from a head-centred run: its centring" 0 '^taylor: centring head \(the run.s config\)' -- "$BIN" sim vitality --model "$s/headrun" --attention taylor
  mkdir -p "$s/reporun" && sed 's/"kind" *: *"taylor-sparse"/"kind" : "taylor-repo"/' "$arun/config.json" > "$s/reporun/config.json"
  expect "vitality from a taylor-repo run: head centring (its kernel's)" 0 '^taylor: centring head \(the run.s config\)' -- "$BIN" sim vitality --model "$s/reporun" --attention taylor
  expect "vitality: --centring overrides the run's" 0 '^taylor: centring tokens \(--centring\)' -- "$BIN" sim vitality --model "$s/headrun" --attention taylor --centring tokens
  expect "vitality: a head-centred run cannot skip k̂_sum" 2 "^retort: --ksum: skip needs tokens centring .*the centring is head \(the run's config\)$" -- \
    "$BIN" sim vitality --model "$s/headrun" --ksum skip
  expect "topology of an attention run: its Taylor products" 0 '^blocks\.1\.h1\.qg, 17, 8, 8,$' -- "$BIN" sim topology "$arun" --form gemm
else bad "attention train for the run-folder cases" "$(ls -R "$s/att" 2>&1 | head)"; fi
"$BIN" train --data digits --model mlp --width 0.25 --epochs 1 --test-count 300 --threads 1 --runs "$s" --name mlp --plain >/dev/null 2>&1
expect "topology of a train run (MLP at width 0.25)" 0 '^fc1, 1, 64, 64,$' -- "$BIN" sim topology "$s/mlp" --form gemm
mkdir -p "$s/cnnrun" && sed 's/"model" *: *"mlp"/"model":"cnn"/' "$s/mlp/config.json" > "$s/cnnrun/config.json"
expect "topology of a train run's CNN at width 0.25" 0 '^stem, 10, 10, 3, 3, 1, 4, 1,$' -- "$BIN" sim topology "$s/cnnrun"
expect "vitality on a train run folder" 2 "^retort: --model: .*mlp is not a ViT" -- "$BIN" sim vitality --model "$s/mlp"
"$BIN" distill --data digits --model cnn --student-width 0.5 --teacher-width 2 --epochs 1 --seed 2 --threads 1 --runs "$s" --name dst --plain >/dev/null 2>&1
expect "topology of a distill run: the student" 0 '^stem, 10, 10, 3, 3, 1, 8, 1,$' -- "$BIN" sim topology "$s/dst"
expect "topology --teacher of a distill run" 0 '^stem, 10, 10, 3, 3, 1, 16, 1,$' -- "$BIN" sim topology "$s/dst" --teacher
mkdir -p "$s/empty" "$s/broken" && echo '{"model": 3' > "$s/broken/config.json"
expect "topology of a folder without config.json" 2 "^retort: .*empty/config\.json: .*cannot read" -- "$BIN" sim topology "$s/empty"
expect "topology of a run with a broken config.json" 2 "^retort: .*broken/config\.json: not a retort train config: " -- "$BIN" sim topology "$s/broken"
expect "fuzz harness: written topologies read back (bytes pick the model)" 0 "retort-fuzz topology-writer: [0-9]+ inputs, no crash" -- \
  "$(dirname "$BIN")/retort-fuzz" topology-writer configs/accelerator/*.csv configs/accelerator/*.cfg tests/bad-inputs/files/topology/*
