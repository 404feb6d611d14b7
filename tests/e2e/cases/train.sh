# A short real run writes a complete run folder; the same seed reproduces the metrics.
expect "train mlp on digits" 0 'done in' -- "$BIN" train --data digits --model mlp --epochs 2 --test-count 300 --seed 3 --threads 1 --runs "$tmp/runs" --name a --plain
d="$tmp/runs/a"
if [ -s "$d/config.json" ] && [ -s "$d/metrics.csv" ] && [ -s "$d/metrics.jsonl" ]; then ok "run folder has config.json, metrics.csv, metrics.jsonl"; else bad "run folder incomplete" "$(ls -la "$d" 2>&1)"; fi
if [ -s "$tmp/runs/a/resources.csv" ] && head -1 "$tmp/runs/a/resources.csv" | grep -q '^step,epoch,rss_kib,peak_rss_kib$'; then ok "run folder records memory per epoch (resources.csv)"; else bad "resources.csv missing" "$(ls "$tmp/runs/a" 2>&1)"; fi
acc=$(tail -1 "$d/metrics.csv" | cut -d, -f6)
if awk -v a="$acc" 'BEGIN{exit !(a > 0.8)}'; then ok "digits mlp test accuracy $acc > 0.8 after 2 epochs"; else bad "digits mlp test accuracy $acc"; fi
"$BIN" train --data digits --model mlp --epochs 2 --test-count 300 --seed 3 --threads 1 --runs "$tmp/runs" --name b --plain >/dev/null 2>&1
if cmp -s <(cut -d, -f1-7 "$tmp/runs/a/metrics.csv") <(cut -d, -f1-7 "$tmp/runs/b/metrics.csv"); then ok "same seed and threads give identical metrics"; else bad "same seed gave different metrics" "$(diff "$tmp/runs/a/metrics.csv" "$tmp/runs/b/metrics.csv")"; fi
