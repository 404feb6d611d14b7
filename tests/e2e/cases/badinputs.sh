# The bad-input corpus (tests/bad-inputs, written by make_corpus.py): every malformed file
# and argument gives a clear error that matches the case's pattern, the expected non-zero
# exit status, no crash (no signal, no "Fatal error"/backtrace), and — for bad input
# (exit 2) — exactly one line on stderr, starting "retort: ". Exit-0 cases are inputs that
# must be accepted (BOM, CRLF, trailing blanks); their pattern is matched against stdout.
corpus=tests/bad-inputs
bad_count=0; bad_fail=0
while IFS=$'\t' read -r -a f; do
  [ "${#f[@]}" -lt 4 ] && continue
  case "${f[0]}" in \#*) continue ;; esac
  name=${f[0]}; want=${f[1]}; re=${f[2]}; args=("${f[@]:3}")
  args=("${args[@]//@\//$corpus/files/}")
  args=("${args[@]//$corpus\/files\/..\/runs-never/$tmp/runs-never}")
  args=("${args[@]//$corpus\/files\/..\/runs-ok/$tmp/runs-ok}")
  bad_count=$((bad_count+1))
  limit=unlimited   # a first argument ulimit-d=KB runs the case under that data-size limit
  case "${args[0]}" in ulimit-d=*) limit=${args[0]#ulimit-d=}; args=("${args[@]:1}") ;; esac
  out=$(ulimit -d "$limit"; timeout 60 "$BIN" "${args[@]}" 2>"$tmp/bad.err" </dev/null); rc=$?
  err=$(cat "$tmp/bad.err")
  why=""
  if [ "$rc" -ne "$want" ]; then why="exit $rc, wanted $want"
  elif grep -qE 'Fatal error|Stack dump|Backtrace|Segmentation|Illegal instruction' <<<"$out$err"; then why="crashed"
  elif [ "$want" -eq 0 ] && ! grep -qE -- "$re" <<<"$out"; then why="stdout does not match /$re/"
  elif [ "$want" -ne 0 ] && ! grep -qE -- "$re" <<<"$err"; then why="stderr does not match /$re/"
  elif [ "$want" -eq 2 ] && { [ "$(printf '%s\n' "$err" | grep -c .)" -ne 1 ] || [[ "$err" != retort:* ]]; }; then why="not one 'retort: …' line on stderr"
  fi
  if [ -n "$why" ]; then bad_fail=$((bad_fail+1)); bad "bad input: $name ($why)" "$err"; fi
done < "$corpus/cases.tsv"
if [ -e "$tmp/runs-never" ] && [ -n "$(ls -A "$tmp/runs-never" 2>/dev/null)" ]; then bad "bad input: a run folder was created for refused input" "$(ls "$tmp/runs-never")"; else ok "bad input: no run folder created for refused input"; fi
if [ "$bad_fail" -eq 0 ]; then ok "bad-input corpus: all $bad_count cases give a clear error (or are accepted) and the right exit status"; fi
# The fuzz harness in replay mode (normal build) runs every parser over the corpus and the
# bundled good files without a crash; tools/fuzz.sh runs the same harness under libFuzzer.
FUZZ=$(dirname "$BIN")/retort-fuzz
replay() { # TARGET FILES…
  local t=$1; shift
  expect "fuzz harness replays the $t corpus" 0 "retort-fuzz $t: [0-9]+ inputs, no crash" -- "$FUZZ" "$t" "$@"
}
replay config configs/run/*.yaml tests/bad-inputs/files/config/*
replay theme themes/*.toml tests/bad-inputs/files/themes/*
replay csv tests/fixtures/train/csv/*.csv $(find tests/bad-inputs/files/formats -name '*.csv' | sort)
replay data-sidecar tests/fixtures/train/csv/*.yaml $(find tests/bad-inputs/files/formats -name '*.csv.yaml' | sort)
replay gzip sample-data/digits_8x8.csv.gz $(find tests/bad-inputs/files/data -name '*.gz' | sort)
replay scalesim-config configs/accelerator/*.cfg tests/bad-inputs/files/scalesim/*
replay topology configs/accelerator/*.csv tests/bad-inputs/files/topology/*
replay accel-config configs/accelerator/*.json tests/bad-inputs/files/accel/*
replay safetensors Tests/InteropTests/Fixtures/safetensors/*.safetensors tests/bad-inputs/files/safetensors/*
replay tfrecord Tests/InteropTests/Fixtures/tensorboard/*.tfevents tests/bad-inputs/files/events/*
replay cnn-spec tests/bad-inputs/files/specs/cnn-*
replay vit-spec tests/bad-inputs/files/specs/vit-*
