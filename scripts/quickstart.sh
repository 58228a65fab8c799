#!/usr/bin/env bash
# Sets everything up, then runs a practice round with the embedded Whisper model.
# With no microphone, the round runs on the shipped sample answer and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/voicemock practice "$@"
