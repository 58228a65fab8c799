#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite (real model, virtual audio devices, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: the suite is missing or broken" >&2
    exit 1
fi
exit "$rc"
