# retort plot: every figure kind from real runs and simulator output, in all three formats.
d="$tmp/plot"; mkdir -p "$d"
for s in 1 2; do
  "$BIN" train --data digits --model mlp --width 0.25 --epochs 2 --test-count 300 --seed $s --threads 1 --runs "$d" --name tr$s --plain --no-tensorboard >/dev/null 2>&1
done
expect "plot curves: two seeds as a mean with a band, all three formats" 0 "wrote $d/curves.png" -- \
  "$BIN" plot curves "$d/tr1" "$d/tr2" --metric test_acc --out "$d/curves.pdf" --format pdf,svg,png
for f in pdf svg png; do [ -s "$d/curves.$f" ] && ok "plot curves wrote curves.$f" || bad "plot curves: no curves.$f"; done
if [ "$(head -c 5 "$d/curves.pdf")" = "%PDF-" ]; then ok "the PDF starts %PDF-"; else bad "curves.pdf is not a PDF" "$(head -c 20 "$d/curves.pdf")"; fi
if command -v pdftotext >/dev/null; then
  if pdftotext "$d/curves.pdf" - | grep -q 'epoch'; then ok "the PDF's text is text (pdftotext finds the axis label)"; else bad "pdftotext finds no axis label"; fi
fi
if python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$d/curves.svg" 2>/dev/null; then ok "the SVG parses as XML"; else bad "curves.svg is not XML"; fi
expect "plot curves --wide --group-by seed" 0 "wrote $d/seeds.png" -- "$BIN" plot curves "$d/tr1" "$d/tr2" --group-by seed --wide --out "$d/seeds.png" --dpi 100
expect "plot curves of a metric no run has" 2 "^retort: .*metrics.csv: --metric: no column 'bleu' \(columns: step, epoch, " -- \
  "$BIN" plot curves "$d/tr1" --metric bleu --out "$d/x.png"
expect "plot with an unknown output format" 2 "^retort: --out: .*x.gif: unknown format \(allowed: .pdf, .svg, .png, or give --format\)$" -- \
  "$BIN" plot curves "$d/tr1" --out "$d/x.gif"
expect "plot --format with a bad format" 2 "^retort: --format: 'jpg' is not a format \(allowed: pdf, svg, png\)$" -- \
  "$BIN" plot curves "$d/tr1" --out "$d/x" --format png,jpg
expect "plot without --out is a usage error" 64 "Missing expected argument '--out" -- "$BIN" plot curves "$d/tr1"

"$BIN" distill --data digits --model mlp --hidden 4,4 --epochs 1 --seed 1 --threads 1 --runs "$d" --name di --plain --no-tensorboard >/dev/null 2>&1
expect "plot cosine of a distill run" 0 "wrote $d/cos.svg" -- "$BIN" plot cosine "$d/di" --out "$d/cos.svg"
expect "plot cosine of a train run names the missing column" 2 "^retort: .*tr1/steps.csv: cosine histogram \(a distill run with the teacher loss\): no column 'cos' \(columns: step, " -- \
  "$BIN" plot cosine "$d/tr1" --out "$d/x.png"
expect "plot cosine of a folder without steps.csv" 2 "^retort: .*nowhere/steps.csv: cannot read it$" -- "$BIN" plot cosine "$d/nowhere" --out "$d/x.png"

"$BIN" sim vitality --tokens 64 --dim 64 --heads 2 --timeline "$d/tl.csv" >/dev/null 2>&1
expect "plot heatmap of a timeline" 0 "wrote $d/heat.pdf" -- "$BIN" plot heatmap "$d/tl.csv" --out "$d/heat.pdf"
expect "plot gantt of the softmax rows" 0 "wrote $d/gantt.png" -- "$BIN" plot gantt "$d/tl.csv" --attention softmax --out "$d/gantt.png"
expect "plot gantt of an attention the file lacks" 2 "^retort: .*tl.csv: --attention: no rows for 'linear' \(there are: " -- \
  "$BIN" plot gantt "$d/tl.csv" --attention linear --out "$d/x.png"
expect "plot heatmap of a file that is no timeline" 2 "not a timeline" -- "$BIN" plot heatmap "$d/tr1/metrics.csv" --out "$d/x.png"

printf 'condition,method,metric,n,mean,std,ci95_low,ci95_high\nbase,base,test_acc,3,0.91,0.01,0.885,0.935\nkd,kd,test_acc,3,0.93,0.01,0.905,0.955\n' > "$d/summary.csv"
expect "plot bars from a sweep summary" 0 "wrote $d/bars.png" -- "$BIN" plot bars "$d/summary.csv" --metric test_acc --out "$d/bars.png"
printf 'point,rows,latency_cycles,energy,area,on_front\np0,8,9000,40,1,true\np1,16,5000,50,2,true\np2,32,6000,70,4,false\n' > "$d/pareto.csv"
expect "plot pareto from a sweep's pareto.csv" 0 "wrote $d/pareto.svg" -- "$BIN" plot pareto "$d/pareto.csv" --out "$d/pareto.svg"
expect "plot pareto with a column the file lacks" 2 "^retort: .*pareto.csv: pareto: no column 'power' " -- "$BIN" plot pareto "$d/pareto.csv" --y power --out "$d/x.svg"
