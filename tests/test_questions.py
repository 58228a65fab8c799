from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from voicemock.audio.files import load_audio
from voicemock.cli import main
from voicemock.commands.questions import questions
from voicemock.errors import QuestionBankError
from voicemock.bank.questions import default_bank_path, load_bank
from voicemock.resources import rubrics_dir
from voicemock.audio.speak import MANIFEST_NAME, question_audio, text_digest

# Until the lead registers the command, attach it here so errors go through the CLI's one mapping.
if "questions" not in main.commands:
    main.add_command(questions)

SLUGS = ["product-sense", "evals", "cost-latency-routing", "strategy", "execution", "estimation", "behavioral", "technical-depth"]
BANK = default_bank_path().read_text(encoding="utf-8")


def test_shipped_bank_covers_every_competency(bank):
    assert len(bank) >= 40
    assert list(bank.competencies) == SLUGS
    counts = Counter(q.competency for q in bank)
    for slug in SLUGS:
        assert counts[slug] >= 5, slug
        numbers = [q.id.removeprefix(f"{slug}-") for q in bank.filter(slug)]
        assert numbers == [f"{n:02d}" for n in range(1, len(numbers) + 1)], slug
        comp = bank.competencies[slug]
        assert comp.name and comp.description and comp.strong and comp.common_failure


def test_shipped_questions_are_complete(bank):
    for q in bank:
        assert 60 <= q.target_seconds <= 180, q.id
        assert 2 <= len(q.follow_ups) <= 3, q.id
        assert 4 <= len(q.points) <= 6, q.id
        assert len({p.text for p in q.points}) == len(q.points), q.id
        assert 4 <= len(q.keywords) <= 8, q.id
        assert q.text.endswith(("?", ".")), q.id
        assert q.audio_path == rubrics_dir().resolve() / "audio" / f"{q.id}.ogg"
    assert len({q.text for q in bank}) == len(bank)


def test_shipped_audio_decodes_and_matches_the_text(bank):
    manifest = json.loads((rubrics_dir() / "audio" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert set(manifest["questions"]) == set(bank.ids)
    total_bytes = 0
    for q in bank:
        entry = manifest["questions"][q.id]
        # Up to date: the file was rendered from the text in the bank today.
        assert entry["text_sha256"] == text_digest(q.text), f"{q.id}: run scripts/render_question_audio.py"
        assert question_audio(q) == q.audio_path
        decoded = load_audio(q.audio_path)
        assert not decoded.is_silent
        assert decoded.duration_s == pytest.approx(entry["seconds"], abs=0.15), q.id
        total_bytes += q.audio_path.stat().st_size
    assert total_bytes < 3_000_000


def test_stale_or_missing_audio_is_not_used(tmp_path):
    (tmp_path / "audio").mkdir()
    evals_01 = load_bank().get("evals-01")
    (tmp_path / "audio" / "evals-01.ogg").write_bytes(evals_01.audio_path.read_bytes())
    (tmp_path / "audio" / MANIFEST_NAME).write_text(
        json.dumps({"questions": {"evals-01": {"text_sha256": text_digest(evals_01.text)}}}), encoding="utf-8"
    )
    bank_path = tmp_path / "bank.toml"
    bank_path.write_text(BANK, encoding="utf-8")
    mine = load_bank(bank_path)
    assert question_audio(mine.get("evals-01")) == tmp_path / "audio" / "evals-01.ogg"
    assert question_audio(mine.get("evals-02")) is None  # declared, never rendered
    bank_path.write_text(BANK.replace("Before launch, how would", "Before a launch, how would"), encoding="utf-8")
    assert question_audio(load_bank(bank_path).get("evals-01")) is None  # reworded since rendering


def test_get_and_filter_suggest_close_names(bank):
    assert bank.get("evals-03").competency == "evals"
    with pytest.raises(QuestionBankError) as info:
        bank.get("eval-03")
    assert str(info.value) == "rubrics/questions.toml: no question with id 'eval-03'; did you mean evals-03, evals-05, evals-04?"
    with pytest.raises(QuestionBankError) as info:
        bank.get("zzz")
    assert str(info.value) == "rubrics/questions.toml: no question with id 'zzz'; list them with `voicemock questions`"
    with pytest.raises(QuestionBankError, match=r"no competency 'stratgy'; did you mean 'strategy'\? use one of product-sense, "):
        bank.filter("stratgy")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('id = "evals-02"', 'id = "evals-2"', "questions[6].id: 'evals-2' should be '<competency>-<two digits>', e.g. 'evals-01'"),
        ('id = "evals-02"', 'id = "evals-01"', "questions[6].id: 'evals-01' is used by an earlier question; give each question its own id"),
        (
            'competency = "evals"\ntext = "Your offline', 'competency = "eval"\ntext = "Your offline',
            "questions[6].competency: 'eval' has no [competencies.eval] table (did you mean 'evals'?); use one of "
            + ", ".join(SLUGS) + " or add the table",
        ),
        ("target_seconds = 90", "target_seconds = 9", "questions[9].target_seconds: 9 is outside 15-900 seconds; a spoken answer is one to three minutes"),
        ("target_seconds = 90", 'target_seconds = "90"', "questions[9].target_seconds: should be a whole number of seconds, not '90'"),
        ('keywords = ["triage"', 'keyword = ["triage"', "questions[1].keyword: unknown key (did you mean 'keywords'?); allowed keys are audio, competency, follow_ups, id, keywords, points, target_seconds, text"),
        ('follow_ups = [\n    "How do you tell', 'follow_ups = [\n    1, "How do you tell', "questions[1].follow_ups[0]: should be a non-empty string, not 1"),
        ('logs", weight = 3,', 'logs", weight = 4,', "questions[1].points[0].weight: should be a whole number from 1 to 3 (3: the answer fails without it), not 4"),
        ('{ text = "First reproduces', '{ txt = "First reproduces',
         "questions[1].points[0].txt: unknown key (did you mean 'text'?); allowed keys are ask, text, weight"),
        ('actually said and why?"', 'actually said and why."',
         "questions[1].points[0].ask: 'What is the very first thing you would look at to understand what the bot actually said and why.' "
         "should be the interviewer's question, ending with '?'"),
        ('{ text = "First reproduces the wrong answer from the conversation logs"', '{ text = " "', "questions[1].points[0].text: should be a non-empty string, not ' '"),
    ],
)
def test_validation_errors_name_file_and_key(tmp_path, old, new, message):
    assert old in BANK
    path = tmp_path / "bank.toml"
    path.write_text(BANK.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(QuestionBankError) as info:
        load_bank(path)
    assert str(info.value) == f"{path}: {message}"


def test_bad_toml_and_missing_file(tmp_path):
    path = tmp_path / "bank.toml"
    path.write_text('[[questions]]\nid = "evals-01\n', encoding="utf-8")
    with pytest.raises(QuestionBankError, match=r"not valid TOML: .*\(at line 2, column \d+\); fix the syntax there"):
        load_bank(path)
    with pytest.raises(QuestionBankError) as info:
        load_bank(tmp_path / "none.toml")
    assert str(info.value) == f"{tmp_path / 'none.toml'}: no such question bank file; check the path (or leave out --questions for the built-in bank)"


def test_questions_command_text_and_json():
    runner = CliRunner()
    result = runner.invoke(main, ["questions", "--competency", "evals"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Evals (evals)\n  evals-01  150 s  Before launch, how would you evaluate")
    assert "strategy-01" not in result.stdout
    result = runner.invoke(main, ["questions", "--format", "json"])
    items = json.loads(result.stdout)
    assert len(items) >= 40
    assert {"id", "text", "competency", "target_seconds", "follow_ups", "keywords", "points"} <= set(items[0])
    assert items[0]["points"][0] == {
        "text": "Defines the user as a tired nurse writing notes at the end of a shift", "weight": 3,
        "ask": "Tell me more about the nurse using this: when are they writing these notes, and what is getting in their way?",
    }


def test_questions_command_own_bank_and_errors(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[competencies.evals]\nname = "Evals"\n\n[[questions]]\nid = "evals-01"\ncompetency = "evals"\n'
        'text = "How do you test a chatbot?"\ntarget_seconds = 60\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(main, ["questions", "--questions", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"id": "evals-01", "competency": "evals", "text": "How do you test a chatbot?", "target_seconds": 60,
         "follow_ups": [], "keywords": [], "points": [], "audio": None}
    ]
    result = runner.invoke(main, ["questions", "--competency", "eval"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: rubrics/questions.toml: no competency 'eval'; did you mean 'evals'?")
    result = runner.invoke(main, ["questions", "--help"])
    assert "voicemock questions --competency evals" in result.output
