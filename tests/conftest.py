from __future__ import annotations

import pytest

from support import SPEECH


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """No test touches the user's real recordings folder or model choice."""
    monkeypatch.setenv("VOICEMOCK_RECORDINGS", str(tmp_path / "recordings"))
    monkeypatch.delenv("VOICEMOCK_MODEL", raising=False)


@pytest.fixture
def speech_dir():
    """../shared/data/speech, or a skip with the reason when this clone has no ../shared beside it."""
    if not SPEECH.is_dir():
        pytest.skip(f"real-speech folder {SPEECH} is absent (it sits beside the repository in CI)")
    return SPEECH
