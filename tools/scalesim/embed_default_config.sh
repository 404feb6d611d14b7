#!/usr/bin/env bash
# Regenerates Sources/Accelerator/Vitality/Config/DefaultVitalityConfig.swift from configs/accelerator/vitality-default.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 - <<'PY'
src = open('configs/accelerator/vitality-default.json').read()
assert '"""#' not in src
open('Sources/Accelerator/Vitality/Config/DefaultVitalityConfig.swift', 'w').write(
    '// Generated copy of configs/accelerator/vitality-default.json (the source of truth);\n'
    '// DefaultConfigTests fails if the two differ. Regenerate with tools/scalesim/embed_default_config.sh.\n'
    'extension VitalityConfig {\n    public static let defaultJSON = #"""\n' + src + '"""#\n}\n')
PY
