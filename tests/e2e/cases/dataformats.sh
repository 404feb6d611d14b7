# Image data-set formats (fixtures written by tools/data/make_fixtures.py): `retort data
# inspect` and `retort check data` read every format; refusals are one line, exit 2.
fx=tests/fixtures/data
expect "data inspect: npy pair with test part" 0 'format: NumPy \.npy' -- "$BIN" data inspect $fx/npy
expect "data inspect: npy shows 40 train images of 8×8×1 uint8" 0 'train: 40 images of 8×8×1 \(H×W×C\), uint8' -- "$BIN" data inspect $fx/npy
expect "data inspect: npy separate test set" 0 'test: 12 images \(separate test set\)' -- "$BIN" data inspect $fx/npy
expect "data inspect: per-class counts" 0 '3: 10 train, 3 test' -- "$BIN" data inspect $fx/npy
expect "data inspect: npz float32 NCHW" 0 'train: 40 images of 8×8×3 \(H×W×C\), float32' -- "$BIN" data inspect $fx/npz/shapes_nchw.npz
expect "data inspect: npz value range" 0 'values: 0…0\.9' -- "$BIN" data inspect $fx/npz/shapes_nchw.npz
expect "data inspect: declared layout nhwc on NCHW data changes the shape" 0 'train: 40 images of 3×8×8' -- "$BIN" data inspect $fx/npz/shapes_nchw.npz --layout nhwc
expect "data inspect: IDX gzip folder" 0 'format: IDX' -- "$BIN" data inspect $fx/idx
expect "data inspect: CIFAR-10 class names" 0 '0 airplane: 4 train, 2 test' -- "$BIN" data inspect $fx/cifar10
expect "data inspect: CIFAR-100" 0 'classes: 100' -- "$BIN" data inspect $fx/cifar100
expect "data inspect: PNG/JPEG folder" 0 'format: PNG/JPEG folder' -- "$BIN" data inspect $fx/folder
expect "data inspect: CSV sample" 0 'format: CSV \(gzip\)' -- "$BIN" data inspect sample-data/digits_8x8.csv.gz
expect "data inspect: half-block samples on UTF-8" 0 '[▀▄░▒▓█]' -- env LC_ALL=C.UTF-8 "$BIN" data inspect $fx/idx
out=$(LC_ALL=C LANG=C "$BIN" data inspect $fx/idx 2>&1)
if grep -q '[▀▄░▒▓█]' <<<"$out" || ! grep -qE '^  #0 ' <<<"$out"; then bad "data inspect: ASCII drawing when the locale is not UTF-8" "$out"; else ok "data inspect: ASCII drawing when the locale is not UTF-8"; fi
expect "data inspect: --samples 0 draws nothing" 0 'balance: ' -- "$BIN" data inspect $fx/npy --samples 0
for d in npy npz/shapes_nchw.npz npz/shapes_nhwc_stored.npz idx idx-plain cifar10 cifar100 folder; do
  expect "check data: $d" 0 "^ok: data .*images of" -- "$BIN" check data $fx/$d
done
expect "check data: CSV keeps its summary" 0 '^ok: data .*1797 rows × 64 features' -- "$BIN" check data sample-data/digits_8x8.csv.gz
mkfifo "$tmp/fifo.npy"
expect "data inspect: a FIFO is refused, not read" 2 'fifo\.npy: is a FIFO, not a regular file' -- "$BIN" data inspect "$tmp/fifo.npy"
expect "data inspect: /dev/zero is refused" 2 '/dev/zero: is a character device' -- "$BIN" data inspect /dev/zero
expect "data inspect: missing path" 2 'no such file or folder' -- "$BIN" data inspect "$tmp/none"
expect "data inspect: bad --layout is a usage error" 64 'layout' -- "$BIN" data inspect $fx/npy --layout hwc
expect "data inspect: bad --shape is a usage error" 64 'shape' -- "$BIN" data inspect $fx/npy --shape 3by3
# the replay harness runs the new parsers over fixtures and the corpus without a crash
fmt_replay() { # TARGET FILES…
  local t=$1; shift
  expect "fuzz harness replays the $t corpus" 0 "retort-fuzz $t: [0-9]+ inputs, no crash" -- "$(dirname "$BIN")/retort-fuzz" "$t" "$@"
}
fmt_replay npy $(find $fx/npy tests/bad-inputs/files/formats -name '*.npy')
fmt_replay npz $(find $fx/npz tests/bad-inputs/files/formats -name '*.npz')
fmt_replay idx $(find $fx/idx-plain tests/bad-inputs/files/formats -name '*ubyte')
fmt_replay cifar $(find $fx/cifar10 $fx/cifar100 tests/bad-inputs/files/formats -name '*.bin')
