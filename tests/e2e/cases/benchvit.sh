# retort bench vit and bench attention --memory (benchmarks: a few steps, rows and exit status only, no timing asserted)
out=$("$BIN" bench vit --models vit-mnist --steps 2 --warmup 1 --batches 2 --threads 1 --profile --csv "$tmp/vit.csv" 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$(grep -cE '^ *retort +vit-mnist +(softmax|taylor) +batch 2 +threads 1 +[0-9.]+ images/s +[0-9.]+ ms/step +[0-9.]+ cpu ms$' <<<"$out")" = 2 ] \
  && ok "bench vit: a row per kind with images/s and ms/step" || bad "bench vit rows (exit $rc)" "$out"
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
