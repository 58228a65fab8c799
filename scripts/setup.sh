#!/usr/bin/env bash
# Sets up voicemock on a fresh Debian/Ubuntu machine: system libraries, then a virtual environment
# in .venv with the package and its extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# libportaudio2: microphone and speaker (sounddevice); pulseaudio*: virtual devices for tests and
# headless machines; espeak-ng: speaks custom questions when Piper is absent; sox, ffmpeg: audio tools
# used by tests and benches; chromium: the review page's browser tests.
PACKAGES="python3-venv libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox ffmpeg chromium"
missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $PACKAGES 2>/dev/null | awk '$1 != "ii" {print $2}' || true)
installed_count=$(dpkg-query -W -f='${db:Status-Abbrev}\n' $PACKAGES 2>/dev/null | grep -c '^ii' || true)
if [ -n "$missing" ] || [ "$installed_count" -lt "$(echo $PACKAGES | wc -w)" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# voice: Piper neural speech (GPL-3.0, kept optional); cluster: Dask; plot: matplotlib; test: pytest & co.
.venv/bin/python -m pip install -q -e ".[test,voice,cluster,plot]"
echo "voicemock is set up: .venv/bin/voicemock --help"
