#!/usr/bin/env bash
# Set up (system libraries if missing), build, and run the whole test suite:
# Swift unit/parity tests, then the end-to-end CLI tests.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
swift build -c release
swift test -c release --disable-testable-imports --disable-swift-testing
tests/e2e/run.sh
