"""Without the optional voice extra (Piper, GPL) the suite skips what needs Piper, saying why, and speaks with espeak-ng elsewhere.

The whole-suite check is a second environment without the extra:
    python3 -m venv /tmp/novoice && /tmp/novoice/bin/pip install -e '.[test]'
    /tmp/novoice/bin/python -m pytest -m "not slow"    # skips, and no errors
"""

from __future__ import annotations

import shutil

import pytest

from support import NEEDS_VOICE, have_piper, synthesize


def test_a_test_that_needs_piper_is_skipped_with_the_install_hint(no_piper):
    assert not have_piper()
    with pytest.raises(pytest.skip.Exception, match=r"pip install 'voicemock\[voice\]'"):
        synthesize("The main risk is latency.", engine="piper")
    assert "voicemock[voice]" in NEEDS_VOICE


def test_a_test_that_needs_some_speech_gets_espeak(no_piper):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    samples, rate = synthesize("The main risk is latency.")
    assert rate > 0 and samples.ndim == 1 and samples.size > rate  # over a second of speech
