"""The review page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Opened from disk like a coach would: no console errors, no request outside the file, words seek
the audio, the spoken word is highlighted, evidence is highlighted, corrections export as JSON
that `voicemock label --from` accepts, and a hostile transcript stays text. Screenshots are saved
(one also to /work/review-screenshot.png when /work exists) so a person can look at them.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_review import _hostile_inputs, review_session

from voicemock.present.review import build_review_html, load_session, write_review

CHROMIUM = Path("/usr/bin/chromium")
SHOT_COPY = Path("/work/review-screenshot.png")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--autoplay-policy=no-user-gesture-required"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    folder = review_session(tmp_path_factory.mktemp("browser") / "take-1")
    write_review(load_session(folder), folder / "review.html")
    return folder


def wait_until(page, expression: str, timeout_s: float = 10.0):
    """Poll an expression with page.evaluate (CDP, which the page's CSP allows) until it is truthy.

    Playwright's wait_for_function evaluates its predicate with eval(), which the page's CSP
    (rightly) refuses.
    """
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(50)


class Watched:
    """A page with every console error, page error, dialog and request recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file://", "data:"))]


@pytest.fixture
def opened(browser, session):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    w = Watched(context)
    w.page.goto((session / "review.html").as_uri())
    # Metadata loaded means the relative audio link resolved and the CSP let it through.
    wait_until(w.page, "document.getElementById('audio').readyState >= 1")
    yield w
    context.close()


def test_loads_with_no_errors_and_no_network(opened, session):
    assert opened.errors == []
    assert opened.outside() == []
    assert any(u.endswith("/answer.wav") for u in opened.requests), opened.requests
    duration = opened.page.evaluate("document.getElementById('audio').duration")
    transcript = json.loads((session / "transcript.json").read_text())
    assert duration == pytest.approx(transcript["duration_s"], abs=0.1)


def test_clicking_a_word_seeks_the_audio_and_highlights_it(opened):
    page = opened.page
    word = page.locator("#transcript .w", has_text="golden").first
    start = float(word.get_attribute("data-start"))
    word.click()
    assert page.evaluate("document.getElementById('audio').currentTime") == pytest.approx(start, abs=0.01)
    assert page.locator("#transcript .w.now").count() == 1
    assert "golden" in page.locator("#transcript .w.now").inner_text()
    later = page.locator("#transcript .w", has_text="latency").first
    later.click()
    assert page.evaluate("document.getElementById('audio').currentTime") == pytest.approx(float(later.get_attribute("data-start")), abs=0.01)
    assert page.locator("#transcript .w.now").inner_text().strip() == later.inner_text().strip()
    assert opened.errors == [] and opened.outside() == []


def test_current_word_follows_playback(opened):
    page = opened.page
    page.locator("#transcript .w", has_text="golden").first.click()
    page.evaluate("document.getElementById('audio').play()")
    wait_until(page, "document.getElementById('audio').currentTime > 2.4", 15.0)
    page.evaluate("document.getElementById('audio').pause()")
    t = page.evaluate("document.getElementById('audio').currentTime")
    lit = page.locator("#transcript .w.now")
    if lit.count():  # between words (a pause) nothing is lit; otherwise the lit word spans now
        start, end = float(lit.get_attribute("data-start")), float(lit.get_attribute("data-end"))
        assert start <= t + 0.01 and t <= end + 0.3
    # the word lit is never one that has not been spoken yet, and the playhead moved
    left = page.evaluate("parseFloat(document.getElementById('playhead').style.left)")
    assert left > 5.0
    assert opened.errors == []


def test_evidence_highlights_are_present_and_coloured(opened):
    page = opened.page
    spans = page.locator("#transcript .s.ev")
    assert spans.count() == 3
    backgrounds = {spans.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(3)}
    assert len(backgrounds) == 3 and "rgba(0, 0, 0, 0)" not in backgrounds
    assert page.locator("#transcript .s.ev.pol-weak .badge").inner_text() == "\u2212conceptual"
    assert page.locator(".timeline .mk-ev").count() == 3
    assert page.locator(".timeline .mk-pause.long").count() >= 1


def test_timeline_marker_seeks(opened):
    page = opened.page
    marker = page.locator(".timeline .mk-pause.long").first
    marker.click()
    assert page.evaluate("document.getElementById('audio').currentTime") == pytest.approx(float(marker.get_attribute("data-seek")), abs=0.01)


def test_coach_corrections_export_and_merge(opened, session, tmp_path):
    from click.testing import CliRunner

    from voicemock.store import corrections as corr
    from voicemock.cli import main
    from voicemock.commands.label import label

    page = opened.page
    page.fill("#coach-name", "Dana")
    page.locator("#transcript .w", has_text="basically").first.click()
    assert page.locator("#relabel-form").is_visible()
    assert "weak conceptual" in page.locator("#relabel-original").inner_text()
    page.select_option("#relabel-polarity", "neutral")
    assert page.input_value("#relabel-dimension") == "none"
    page.click("#relabel-apply")
    page.fill('input[data-override="applied"]', "4.5")
    page.dispatch_event('input[data-override="applied"]', "change")
    page.fill("#note-text", "Lead with the metric. <b>not bold</b>")
    page.click("#note-add")
    assert page.locator("#coach-list li").count() == 3
    assert "<b>not bold</b>" in page.locator("#coach-list").inner_text()  # a note is text, not markup

    with page.expect_download() as info:
        page.click("#export")
    exported = tmp_path / "corrections.json"
    info.value.save_as(exported)
    doc = corr.load_file(exported)
    assert doc["coach"] == "Dana" and doc["session"] == "take-1" and doc["competency"] == "evals"
    (relabel,) = doc["relabels"]
    assert (relabel["dimension"], relabel["polarity"]) == ("none", "neutral")
    assert (relabel["original_dimension"], relabel["original_polarity"]) == ("conceptual", "weak")
    assert "basically" in relabel["text"]
    assert doc["score_overrides"][0]["score"] == 4.5 and doc["score_overrides"][0]["original_score"] == 3.9
    assert opened.errors == [] and opened.outside() == []

    if "label" not in main.commands:
        main.add_command(label)
    copy = tmp_path / "take-1"
    shutil.copytree(session, copy)
    result = CliRunner().invoke(main, ["label", str(copy), "--from", str(exported)])
    assert result.exit_code == 0, result.output
    saved = corr.load(copy)
    assert saved["relabels"][0]["text"] == relabel["text"] and saved["notes"][0]["text"].startswith("Lead with the metric.")


def test_embedded_audio_plays_from_a_lone_page(browser, session, tmp_path):
    """A page written outside the session carries its audio: still no request but the file itself."""
    lone = write_review(load_session(session), tmp_path / "sent-by-mail.html")
    context = browser.new_context()
    w = Watched(context)
    w.page.goto(lone.as_uri())
    wait_until(w.page, "document.getElementById('audio').readyState >= 1")
    assert w.page.evaluate("document.getElementById('audio').src").startswith("data:audio/wav;base64,")
    w.page.locator("#transcript .w", has_text="latency").first.click()
    assert w.page.evaluate("document.getElementById('audio').currentTime") > 5.0
    assert w.errors == [] and w.outside() == []
    context.close()


def test_hostile_transcript_renders_as_text(browser, tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(build_review_html(_hostile_inputs(), None), encoding="utf-8")
    context = browser.new_context()
    w = Watched(context)
    w.page.goto(path.as_uri())
    w.page.wait_for_timeout(300)
    assert w.dialogs == []
    assert "</script><script>alert(1)</script>" in w.page.locator("#transcript").inner_text()
    assert w.page.locator("img").count() == 0
    assert w.page.evaluate("document.querySelectorAll('#coach-list li').length") == 1
    assert w.errors == [] and w.outside() == []
    context.close()


def test_screenshots_desktop_phone_print(browser, session, tmp_path):
    """Saved for a person to look at; the assertions only check the layout does not overflow."""
    shots = {}
    for name, viewport, media in (("desktop", {"width": 1280, "height": 900}, "screen"),
                                  ("phone", {"width": 390, "height": 844}, "screen"),
                                  ("print", {"width": 800, "height": 1100}, "print")):
        context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=name == "phone")
        w = Watched(context)
        w.page.emulate_media(media=media)
        w.page.goto((session / "review.html").as_uri())
        wait_until(w.page, "document.getElementById('audio').readyState >= 1")
        if name != "print":
            w.page.locator("#transcript .w", has_text="golden").first.click()
            w.page.mouse.move(0, 0)  # no hover over the lit word
            w.page.evaluate("window.scrollTo(0, 0)")  # the sticky player sits at the top in the shot
        # Nothing wider than the screen: a phone must not scroll sideways.
        overflow = w.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than the viewport"
        shots[name] = tmp_path / f"review-{name}.png"
        w.page.screenshot(path=str(shots[name]), full_page=True)
        assert w.errors == [] and w.outside() == []
        context.close()
    for shot in shots.values():
        assert shot.stat().st_size > 10_000
    keep = os.environ.get("VOICEMOCK_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots.values():
            shutil.copy(shot, Path(keep) / shot.name)
    if SHOT_COPY.parent.is_dir() and os.access(SHOT_COPY.parent, os.W_OK):
        shutil.copy(shots["desktop"], SHOT_COPY)
