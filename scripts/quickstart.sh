#!/usr/bin/env bash
# Sets everything up, then runs a practice round with the embedded Whisper model.
# With no microphone it says so and runs the round on the shipped sample answer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VOICEMOCK=.venv/bin/voicemock
if "$VOICEMOCK" devices --json 2>/dev/null \
    | .venv/bin/python -c 'import json, sys; sys.exit(0 if any(d["max_input_channels"] > 0 for d in json.load(sys.stdin)) else 1)'; then
    exec "$VOICEMOCK" practice "$@"
fi
echo "No microphone found: running the practice round on the shipped sample answer (rubrics/samples/sample-answer.ogg)."
echo "With a microphone, run: $VOICEMOCK practice"
exec "$VOICEMOCK" practice --question evals-01 --answer-file rubrics/samples/sample-answer.ogg "$@"
