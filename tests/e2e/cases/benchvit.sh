# retort bench vit and bench attention --memory (benchmarks: a few steps, rows and exit status only, no timing asserted)
out=$("$BIN" bench vit --models vit-mnist --steps 2 --warmup 1 --batches 2 --threads 1 --profile --csv "$tmp/vit.csv" 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$(grep -cE '^ *retort +vit-mnist +(softmax|taylor) +batch 2 +threads 1 +[0-9.]+ images/s +[0-9.]+ ms/step +[0-9.]+ cpu ms$' <<<"$out")" = 2 ] \
  && ok "bench vit: a row per kind with images/s and ms/step" || bad "bench vit rows (exit $rc)" "$out"
# the header says where BLAS.gemm's small products ran: the runtime's choice (doctor's), or OpenBLAS with --blas-only
want=$("$BIN" doctor | sed -n 's/^  small gemms: *\(OpenBLAS\|Retort.s micro-kernel\).*/\1/p')
grep -qE "^ViT training step .*\(small products on ${want}\)$" <<<"$out" \
  && ok "bench vit: header names where small products run, as doctor does (${want})" || bad "bench vit header vs doctor ('$want')" "$(head -1 <<<"$out")"
expect "bench vit --blas-only: every product on OpenBLAS" 0 '\(every product on OpenBLAS\)$' -- "$BIN" bench vit --models vit-mnist --kinds taylor --steps 1 --warmup 0 --batches 2 --threads 1 --blas-only
[ "$(grep -cE '^ +(patch embed|LayerNorm|qkv \+ proj|attention core|MLP fc1 \+ fc2|GELU|residual adds|head \+ loss|AdamW) +[0-9.]+ ms +[0-9.]+ cpu ms +[0-9.]+%$' <<<"$out")" = 18 ] \
  && ok "bench vit --profile: nine parts per row" || bad "bench vit --profile" "$out"
[ "$(head -1 "$tmp/vit.csv")" = "model,kind,batch,threads,framework,ms_per_step,images_per_s,cpu_ms_per_step" ] && [ "$(wc -l <"$tmp/vit.csv")" = 3 ] \
  && ok "bench vit --csv: header and a line per row" || bad "bench vit --csv" "$(cat "$tmp/vit.csv" 2>&1)"
expect "plot lines from the bench vit CSV" 0 "wrote $tmp/vit.svg" -- "$BIN" plot lines "$tmp/vit.csv" --x batch --y images_per_s --series kind --out "$tmp/vit.svg"
expect "plot lines: unknown column" 2 "no column 'tokens' \(columns: model, kind" -- "$BIN" plot lines "$tmp/vit.csv" --x tokens --y images_per_s --out "$tmp/x.svg"
expect "bench vit: unknown model" 64 "'vit-mnist,resnet' is invalid for '--models" -- "$BIN" bench vit --models vit-mnist,resnet
expect "bench vit: kind outside softmax,taylor" 64 "'taylor-sparse' is invalid for '--kinds" -- "$BIN" bench vit --kinds taylor-sparse
expect "bench vit: --steps 0" 64 'steps must be in 1…100000, got 0' -- "$BIN" bench vit --steps 0
expect "bench vit: --threads out of range" 64 'threads: each must be in 1…256, got 1000' -- "$BIN" bench vit --threads 2,1000
expect "bench vit: --batches out of range" 64 'batches: each must be in 1…4096, got 0' -- "$BIN" bench vit --batches 0
out=$("$BIN" bench attention --memory --sizes 64,128 --threads 1 --csv "$tmp/mem.csv" 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$(grep -cE '^ +(64|128) +(softmax \(per-head n×n\)|softmax \(fused\)|taylor) +[0-9.-]+ +[0-9.-]+ +[0-9.]+$' <<<"$out")" = 6 ] \
  && [ "$(wc -l <"$tmp/mem.csv")" = 7 ] && ok "bench attention --memory: a row per n and kernel, CSV" || bad "bench attention --memory (exit $rc)" "$out"
expect "bench attention --memory-probe: malformed" 64 'memory-probe must be softmax\|fused\|taylor:N:forward\|train' -- "$BIN" bench attention --memory-probe softmax:x
# --rounds: the table's ratio is the median of the rounds' ratios. The "Python" here prints fixed
# times in attention_bench.py's JSON lines (no PyTorch in the suite); Retort's own times vary.
printf '#!/bin/sh\nfor n in 64 96; do echo "{\\"n\\": $n, \\"softmax_ms\\": 0.5, \\"sdpa_ms\\": 0.25, \\"taylor_ms\\": 0.125, \\"torch\\": \\"fixed\\"}"; done\n' > "$tmp/fixedpy"
chmod +x "$tmp/fixedpy"
out=$("$BIN" bench attention --sizes 64,96 --threads 1 --rounds 3 --python "$tmp/fixedpy" 2>&1); rc=$?
if [ "$rc" = 0 ] && python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
table = {int(m[0]): (m[1], m[2]) for m in re.findall(r'^ +(\d+) +[0-9.]+ ms +0\.2500 +0\.1250 ms +[0-9.]+× +([0-9.]+)× +([0-9.]+)×$', out, re.M)}
rounds = {int(m[0]): (m[1].split(), m[2].split()) for m in re.findall(r'^ +(\d+)  sdpa ([0-9. ]+)  taylor ([0-9. ]+)$', out, re.M)}
med = lambda v: sorted(v, key=float)[1]
ok = sorted(table) == [64, 96] == sorted(rounds) and all(len(rounds[n][0]) == 3 == len(rounds[n][1]) for n in rounds) \
    and all(table[n] == (med(rounds[n][0]), med(rounds[n][1])) for n in table) and 'torch fixed' in out
sys.exit(0 if ok else 1)
PY
then ok "bench attention --rounds 3: each ratio is the median of the three rounds' ratios"; else bad "bench attention --rounds (exit $rc)" "$out"; fi
expect "bench attention --rounds 0" 64 'rounds must be in 1…50, got 0' -- "$BIN" bench attention --rounds 0
expect "bench attention --python that does not exist" 64 "python: $tmp/no-python does not exist" -- "$BIN" bench attention --python "$tmp/no-python"
expect "bench vit --python that is not executable" 64 "python: $tmp/vit.csv is not an executable file" -- "$BIN" bench vit --python "$tmp/vit.csv"
expect "bench train --python that does not exist" 64 "python: $tmp/no-python does not exist" -- "$BIN" bench train --python "$tmp/no-python"
