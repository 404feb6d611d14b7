# Corrupt data sets give one clear line naming file:line, exit 2, and no run is started.
mkdir -p "$tmp/bad"
corrupt() { # NAME CONTENT REGEX
  printf '%b' "$2" | gzip -c > "$tmp/bad/digits_8x8.csv.gz"
  expect "corrupt data: $1" 2 "$3" -- "$BIN" train --data digits --model mlp --epochs 1 --data-dir "$tmp/bad" --runs "$tmp/runs"
}
row=$(printf '0,%.0s' $(seq 64))
corrupt "wrong column count" "${row}1\n${row#0,}1\n" 'digits_8x8.csv.gz:2: .*expected 65 columns'
corrupt "non-numeric cell" "${row}1\nabc,${row#0,}1\n" 'digits_8x8.csv.gz:2.*abc.* not a number'
corrupt "value out of range" "${row}1\n99,${row#0,}1\n" 'digits_8x8.csv.gz:2.*99.*outside.*0…16'
corrupt "label out of range" "${row}1\n${row}12\n" 'digits_8x8.csv.gz:2.*label 12'
: > "$tmp/bad/digits_8x8.csv.gz"
expect "corrupt data: empty file" 2 'digits_8x8.csv.gz.*empty' -- "$BIN" train --data digits --data-dir "$tmp/bad" --runs "$tmp/runs"
printf 'not gzip at all but has a gzip name\x1f\x8b' > "$tmp/bad/digits_8x8.csv.gz"
head -c 200 sample-data/digits_8x8.csv.gz > "$tmp/bad/digits_8x8.csv.gz"
expect "corrupt data: truncated gzip" 2 'digits_8x8.csv.gz.*(truncated|corrupt)' -- "$BIN" train --data digits --data-dir "$tmp/bad" --runs "$tmp/runs"
