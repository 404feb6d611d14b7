#!/usr/bin/env bash
# Set up (system libraries if missing), build, and launch Retort on the bundled data.
# Extra arguments go to retort, e.g. ./run.sh doctor
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
swift build -c release --product retort 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' >&2 || true
test -x .build/release/retort || { echo "build failed" >&2; exit 1; }
exec .build/release/retort "$@"
