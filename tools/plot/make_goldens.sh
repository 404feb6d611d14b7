#!/usr/bin/env bash
# Regenerates the golden PNGs of Tests/PlotTests (Fixtures/golden/*.png): runs the golden
# test with RETORT_PLOT_WRITE_GOLDENS=1, which draws every figure kind from the fixture data
# and writes it to the source tree instead of comparing. Look at the PNGs before committing.
#
#   tools/plot/make_goldens.sh            (fixture data: python3 tools/plot/make_fixtures.py [retort])
set -euo pipefail
cd "$(dirname "$0")/../.."
RETORT_PLOT_WRITE_GOLDENS=1 swift test -c release --disable-swift-testing --filter PlotTests.GoldenImageTests/testFiguresMatchTheirGoldens
ls -l Tests/PlotTests/Fixtures/golden
