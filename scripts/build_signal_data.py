"""Build voicemock's labeled signal data from hand-written sources, deterministically.

Reads:
  models/data/source/sentences/<competency>.txt   hand-written base sentences, one per line
  models/data/source/sentences/_neutral.txt       competency-free filler/context sentences
  models/data/source/test-split.txt               the base sentences held out as the test split
  models/data/source/fresh/<competency>.txt       a second held-out set, written later by another writer
  models/data/source/answers.toml                 hand-written whole answers with target scores
Writes (atomically, so a concurrent reader never sees half a file):
  models/data/signals.jsonl   base sentences plus spoken and ASR-like variants, split by group
  models/data/answers.jsonl   whole answers

Sentence line format:   CODE signal-name | sentence text
  CODE is C+ C- A+ A- P+ P- M+ M- (conceptual/applied/production/communication, strong/weak)
  or N (neutral). Lines starting with '#' and blank lines are ignored, except that a line
  `#: batch NAME` marks the lines after it as written in batch NAME (default `v1`).

Usage:
  python scripts/build_signal_data.py            # build both files and print the checks
  python scripts/build_signal_data.py --check    # only check the existing output files
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from voicemock.fsutil import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "models" / "data"
SOURCE_DIR = DATA_DIR / "source"
SENTENCE_DIR = SOURCE_DIR / "sentences"
FRESH_DIR = SOURCE_DIR / "fresh"
TEST_SPLIT = SOURCE_DIR / "test-split.txt"
ANSWERS_SOURCE = SOURCE_DIR / "answers.toml"
QUESTION_BANK = ROOT / "rubrics" / "questions.toml"
SIGNALS_OUT = DATA_DIR / "signals.jsonl"
ANSWERS_OUT = DATA_DIR / "answers.jsonl"

SEED = 20261122

COMPETENCIES = (
    "product-sense",
    "evals",
    "cost-latency-routing",
    "strategy",
    "execution",
    "estimation",
    "behavioral",
    "technical-depth",
)
DIMENSIONS = ("conceptual", "applied", "production", "communication")
CODES = {
    "C+": ("conceptual", "strong"),
    "C-": ("conceptual", "weak"),
    "A+": ("applied", "strong"),
    "A-": ("applied", "weak"),
    "P+": ("production", "strong"),
    "P-": ("production", "weak"),
    "M+": ("communication", "strong"),
    "M-": ("communication", "weak"),
    "N": ("none", "neutral"),
}
QUALITIES = ("strong", "mixed", "weak", "textbook", "offtopic", "stuffed", "short")
# Whole answers must be 120-450 words, except the deliberately very short ones.
ANSWER_WORDS = (120, 450)
SHORT_ANSWER_MAX_WORDS = 80


@dataclass(frozen=True)
class BaseSentence:
    text: str
    dimension: str
    polarity: str
    competency: str
    signal: str
    source: str  # file:line, for error messages
    batch: str = "v1"  # who wrote it when: set by a `#: batch NAME` line in the source file


class SourceError(ValueError):
    """A hand-written source line is malformed; the message names file and line."""


# ---------------------------------------------------------------- reading sources

_LINE = re.compile(r"^(C\+|C-|A\+|A-|P\+|P-|M\+|M-|N)\s+([a-z0-9][a-z0-9-]*)\s*\|\s*(.+)$")


def read_base_sentences(folder: Path = SENTENCE_DIR, default_batch: str = "v1") -> list[BaseSentence]:
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise SourceError(f"no sentence sources in {folder}")
    bases: list[BaseSentence] = []
    neutral_index = 0
    for path in files:
        competency = path.stem
        generic = competency == "_neutral"
        if not generic and competency not in COMPETENCIES:
            raise SourceError(f"{path.name}: file name must be a competency slug or _neutral")
        batch = default_batch
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if line.startswith("#: batch "):
                batch = line.removeprefix("#: batch ").strip()
                continue
            if not line or line.startswith("#"):
                continue
            match = _LINE.match(line)
            if not match:
                raise SourceError(f"{path.name}:{number}: expected 'CODE signal | text', got {line!r}")
            code, signal, text = match.groups()
            dimension, polarity = CODES[code]
            if generic:
                if code != "N":
                    raise SourceError(f"{path.name}:{number}: only N lines belong in _neutral.txt")
                # Filler carries no competency signal; spread it evenly so every competency
                # has neutral examples and competency cannot predict neutrality.
                line_competency = COMPETENCIES[neutral_index % len(COMPETENCIES)]
                neutral_index += 1
            else:
                line_competency = competency
            bases.append(
                BaseSentence(text.strip(), dimension, polarity, line_competency, signal, f"{path.name}:{number}", batch)
            )
    seen: dict[str, str] = {}
    for base in bases:
        key = normalize(base.text)
        if key in seen:
            raise SourceError(f"{base.source}: duplicate of {seen[key]}: {base.text!r}")
        seen[key] = base.source
    return bases


def normalize(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# ---------------------------------------------------------------- spoken variants

# Negations first, so "I would not" becomes "I wouldn't" rather than "I'd not".
CONTRACTIONS = [
    (r"\bdo not\b", "don't"), (r"\bdoes not\b", "doesn't"), (r"\bdid not\b", "didn't"),
    (r"\bis not\b", "isn't"), (r"\bare not\b", "aren't"), (r"\bcannot\b", "can't"),
    (r"\bwould not\b", "wouldn't"), (r"\bwill not\b", "won't"), (r"\bshould not\b", "shouldn't"),
    (r"\bwas not\b", "wasn't"),
    (r"\bI would\b", "I'd"), (r"\bI will\b", "I'll"), (r"\bI am\b", "I'm"),
    (r"\bwe would\b", "we'd"), (r"\bwe will\b", "we'll"), (r"\bwe are\b", "we're"),
    (r"\bit is\b", "it's"), (r"\bthat is\b", "that's"), (r"\bthere is\b", "there's"),
    (r"\bthey are\b", "they're"), (r"\byou are\b", "you're"), (r"\blet us\b", "let's"),
    (r"\bwhat is\b", "what's"), (r"\bthat would\b", "that'd"),
]
OPENERS = ["so", "um", "uh", "so um", "yeah so", "okay so", "I mean", "well", "right so", "so basically"]
PHRASE_STARTS = {"the", "a", "we", "i", "i'd", "it", "that", "because", "and", "our", "this", "which", "if",
                 "then", "so", "but", "or", "to", "they", "users", "people"}
MID_FILLERS = ["um", "uh", "like", "you know", "I mean", "kind of", "sort of"]
NUMBER_WORDS = {
    0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen",
    16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen", 20: "twenty", 30: "thirty",
    40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety",
}
# Plausible speech-recognition confusions for this domain's vocabulary.
MISHEARINGS = [
    ("evals", "evils"), ("eval", "evil"), ("latency", "latent see"), ("precision", "precisian"),
    ("recall", "re call"), ("rollback", "roll back"), ("rollout", "roll out"), ("LLM", "l l m"),
    ("RAG", "rag"), ("fine-tune", "fine tune"), ("fine-tuning", "find tuning"), ("drift", "drifts"),
    ("p95", "p ninety five"), ("F1", "f one"), ("tokens", "tokes"), ("routing", "rooting"),
    ("inference", "in France"), ("hallucination", "hallucinations"), ("their", "there"),
    ("cohort", "co hort"), ("classifier", "classify her"), ("dashboard", "dash board"),
    ("guardrails", "guard rails"), ("thresholds", "threshold"), ("calibrated", "calibrate it"),
    ("retrieval", "retrievable"), ("embedding", "embedded"), ("queue", "cue"), ("metrics", "metric"),
    ("accuracy", "a curacy"), ("churn", "church"), ("moat", "mode"), ("stakeholders", "stake holders"),
]


def number_to_words(n: int) -> str:
    if n in NUMBER_WORDS:
        return NUMBER_WORDS[n]
    if n < 100:
        return f"{NUMBER_WORDS[n - n % 10]} {NUMBER_WORDS[n % 10]}"
    if n < 1000:
        rest = n % 100
        head = f"{NUMBER_WORDS[n // 100]} hundred"
        return head if rest == 0 else f"{head} {number_to_words(rest)}"
    for size, name in ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand")):
        if n >= size:
            rest = n % size
            head = f"{number_to_words(n // size)} {name}"
            return head if rest == 0 else f"{head} {number_to_words(rest)}"
    return str(n)


def _spell_number(match: re.Match[str]) -> str:
    raw = match.group(0).replace(",", "")
    if "." in raw:
        whole, frac = raw.split(".", 1)
        return f"{number_to_words(int(whole))} point {' '.join(NUMBER_WORDS[int(d)] for d in frac)}"
    return number_to_words(int(raw))


def spell_numbers(text: str) -> str:
    text = re.sub(r"\$(\d[\d,]*(?:\.\d+)?)", lambda m: _spell_number(re.match(r".+", m.group(1))) + " dollars", text)
    text = re.sub(r"(\d[\d,]*(?:\.\d+)?)\s*%", lambda m: _spell_number(re.match(r".+", m.group(1))) + " percent", text)
    text = re.sub(r"\b([A-Za-z]+)-?(\d+)\b", lambda m: f"{m.group(1)} {number_to_words(int(m.group(2)))}", text)
    text = re.sub(r"(?<![A-Za-z0-9])\d[\d,]*(?:\.\d+)?", _spell_number, text)
    text = re.sub(r"\bms\b", "milliseconds", text)
    return text


def contract(text: str, rng: random.Random) -> str:
    for pattern, short in CONTRACTIONS:
        if rng.random() < 0.85:
            def keep_case(match: re.Match[str], short: str = short) -> str:
                if match.group(0)[0].isupper() and not short[0].isupper():
                    return short[0].upper() + short[1:]
                return short

            flags = 0 if pattern.startswith(r"\bI ") else re.IGNORECASE
            text = re.sub(pattern, keep_case, text, flags=flags)
    return text


def spoken_variant(text: str, rng: random.Random) -> str:
    """Disfluent, contracted speech: an opener, a filler, a restarted word, sometimes a tag question."""
    text = contract(text, rng)
    words = text.split()
    if rng.random() < 0.8:
        first = words[0]
        # Keep "I" and acronyms ("AI", "RAG", "GPT-5") capitalized after the opener.
        if not (first.startswith(("I'", "I,")) or first == "I" or (len(first) > 1 and first[1].isupper())):
            words[0] = first[0].lower() + first[1:]
        opener = rng.choice(OPENERS)
        words = [w for w in (opener[0].upper() + opener[1:]).split()] + words
        words[len(opener.split()) - 1] += ","
    if len(words) > 4:
        # Restart on a short function word, the way people do ("the, the main thing").
        candidates = [i for i, w in enumerate(words[1:-1], start=1)
                      if w.lower() in {"the", "i", "we", "a", "that", "it", "to", "is", "and", "i'd"}]
        if candidates and rng.random() < 0.7:
            i = rng.choice(candidates)
            words.insert(i, words[i] + ",")
        # Fillers land at phrase starts, where speakers actually hesitate.
        starts = [i for i in range(2, len(words)) if words[i].lower() in PHRASE_STARTS]
        if starts and rng.random() < 0.6:
            i = rng.choice(starts)
            filler = rng.choice(MID_FILLERS)
            if not words[i - 1].endswith((",", ":", ";", ".", "?")):
                words[i - 1] += ","
            words.insert(i, filler + ",")
    out = " ".join(words)
    if rng.random() < 0.2:
        out = out.rstrip(".!?") + ", right?"
    return out


def asr_variant(text: str, rng: random.Random) -> str:
    """What a small speech recognizer writes: lowercase, no punctuation, numbers as words, a misheard term."""
    text = contract(text, rng) if rng.random() < 0.5 else text
    text = spell_numbers(text)
    hits = [(a, b) for a, b in MISHEARINGS if re.search(rf"\b{re.escape(a)}\b", text)]
    rng.shuffle(hits)
    for wrong_from, wrong_to in hits[: rng.choice((1, 1, 2))]:
        text = re.sub(rf"\b{re.escape(wrong_from)}\b", wrong_to, text, count=1)
    text = text.lower()
    text = re.sub(r"[^\w\s'-]", " ", text)  # ASR output drops most punctuation
    text = re.sub(r"(?<!\w)-|-(?!\w)", " ", text)
    words = text.split()
    if len(words) > 6 and rng.random() < 0.5:
        i = rng.randrange(1, len(words))
        words.insert(i, rng.choice(["um", "uh", "so"]))
    return " ".join(words)


# ---------------------------------------------------------------- split and assembly


def stable_hash(*parts: str) -> int:
    return int(hashlib.sha256("\x1f".join((str(SEED), *parts)).encode()).hexdigest()[:16], 16)


def read_test_split(path: Path = TEST_SPLIT) -> set[str]:
    """The normalized base texts frozen into the test split."""
    if not path.is_file():
        raise SourceError(f"{path.name} is missing: it lists the held-out base sentences")
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return {line for line in lines if line and not line.startswith("#")}


def choose_test_groups(bases: list[BaseSentence], frozen: set[str]) -> set[int]:
    """The groups whose base sentence is listed in test-split.txt.

    The list was frozen from a hash-chosen split (about 20% of groups per label, interleaved by
    competency) before the labels were revised, so a relabeled sentence keeps its split and the test
    split was never picked with the revised labels in view. A base sentence not listed is training
    data; hold a new one out by adding its normalized text to the list.
    """
    by_text = {normalize(base.text): index for index, base in enumerate(bases)}
    stale = sorted(frozen - by_text.keys())
    if stale:
        raise SourceError(f"{TEST_SPLIT.name}: {len(stale)} listed sentence(s) match no base sentence, e.g. {stale[0]!r}; "
                          "a held-out sentence's text was edited or removed")
    return {by_text[text] for text in frozen}


def _words(text: str) -> set[str]:
    return set(normalize(text).split())


def check_held_out_is_new(bases: list[BaseSentence], test_groups: set[int], fresh: list[BaseSentence], limit: float = 0.5) -> None:
    """Refuse a near-paraphrase across the train / held-out line (word-set Jaccard >= `limit`):
    a training sentence close to a test or fresh one, or a fresh sentence close to a test one.
    Otherwise the held-out figures would measure memory, not generalization."""
    train = [b for i, b in enumerate(bases) if i not in test_groups]
    test = [b for i, b in enumerate(bases) if i in test_groups]
    comparisons = [(train, test + list(fresh)), (list(fresh), test)]
    problems = []
    for sentences, held_out in comparisons:
        held_words = [(h, _words(h.text)) for h in held_out]
        for sentence in sentences:
            words = _words(sentence.text)
            for other, other_words in held_words:
                overlap = len(words & other_words) / max(1, len(words | other_words))
                if overlap >= limit:
                    problems.append(f"{sentence.source} ~ {other.source} ({overlap:.2f} word overlap): {sentence.text!r}")
    if problems:
        raise SourceError(f"{len(problems)} near-paraphrase(s) across the held-out line, e.g. {problems[0]}; "
                          "remove the training (or fresh) copy")


def build_signals(bases: list[BaseSentence], fresh: list[BaseSentence] = ()) -> list[dict]:
    test_groups = choose_test_groups(bases, read_test_split())
    check_held_out_is_new(bases, test_groups, fresh)
    records: list[dict] = []
    seen: set[str] = set()
    sources = [(f"g{i + 1:04d}", b, "test" if i in test_groups else "train") for i, b in enumerate(bases)]
    sources += [(f"f{i + 1:04d}", b, "fresh") for i, b in enumerate(fresh)]
    for group, base, split in sources:
        rng = random.Random(stable_hash("variants", base.text))
        texts = [("written", base.text)]
        for variant, make in (("spoken", spoken_variant), ("asr", asr_variant)):
            for _attempt in range(5):
                candidate = make(base.text, rng)
                if candidate not in seen and candidate != base.text:
                    texts.append((variant, candidate))
                    break
        for variant, text in texts:
            if text in seen:
                continue
            seen.add(text)
            records.append(
                {
                    "id": f"s{len(records) + 1:05d}",
                    "group": group,
                    "text": text,
                    "dimension": base.dimension,
                    "polarity": base.polarity,
                    "competency": base.competency,
                    "signal": base.signal,
                    "variant": variant,
                    "batch": base.batch,
                    "split": split,
                }
            )
    return records


def read_bank_questions() -> dict[str, str]:
    """Question texts from the shipped bank, so each answer quotes the question it answers."""
    if not QUESTION_BANK.exists():
        return {}
    bank = tomllib.loads(QUESTION_BANK.read_text(encoding="utf-8"))
    return {q["id"]: " ".join(q["text"].split()) for q in bank.get("questions", [])}


def read_answers() -> list[dict]:
    if not ANSWERS_SOURCE.exists():
        return []
    data = tomllib.loads(ANSWERS_SOURCE.read_text(encoding="utf-8"))
    bank = read_bank_questions()
    answers: list[dict] = []
    for number, entry in enumerate(data.get("answers", []), start=1):
        where = f"{ANSWERS_SOURCE.name} answer #{number}"
        question_id = entry["question_id"]
        competency = question_id.rsplit("-", 1)[0]
        if competency not in COMPETENCIES or not re.fullmatch(r".+-0[1-5]", question_id):
            raise SourceError(f"{where}: bad question_id {question_id!r}")
        question = bank.get(question_id) or entry.get("question")
        if not question:
            raise SourceError(f"{where}: {question_id} is not in {QUESTION_BANK.name}; give its text as question")
        quality = entry["quality"]
        if quality not in QUALITIES:
            raise SourceError(f"{where}: quality must be one of {QUALITIES}")
        scores = {key: int(entry["scores"][key]) for key in DIMENSIONS}
        if any(not 1 <= s <= 5 for s in scores.values()):
            raise SourceError(f"{where}: scores must be 1-5")
        text = " ".join(entry["text"].split())
        words = len(text.split())
        if quality == "short":
            if words > SHORT_ANSWER_MAX_WORDS:
                raise SourceError(f"{where}: a short answer has at most {SHORT_ANSWER_MAX_WORDS} words, got {words}")
        elif not ANSWER_WORDS[0] <= words <= ANSWER_WORDS[1]:
            raise SourceError(f"{where}: {words} words, want {ANSWER_WORDS[0]}-{ANSWER_WORDS[1]}")
        answers.append(
            {
                "id": f"a{number:03d}",
                "question_id": question_id,
                "competency": competency,
                "question": " ".join(question.split()),
                "text": text,
                "quality": quality,
                "scores": scores,
                "notes": " ".join(entry["notes"].split()),
            }
        )
    return answers


def write_jsonl(path: Path, records: list[dict]) -> None:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    path.chmod(0o644)  # the temp file is created private (0600); these are shared data files


# ---------------------------------------------------------------- checks


def check(signals_path: Path = SIGNALS_OUT, answers_path: Path = ANSWERS_OUT) -> list[str]:
    """Print the datasheet counts; return a list of problems (empty when the data is sound)."""
    problems: list[str] = []
    rows = [json.loads(line) for line in signals_path.read_text(encoding="utf-8").splitlines()]
    print(f"signals.jsonl: {len(rows)} sentences, {len({r['group'] for r in rows})} groups")
    texts = Counter(r["text"] for r in rows)
    dupes = [t for t, c in texts.items() if c > 1]
    if dupes:
        problems.append(f"{len(dupes)} duplicate texts, e.g. {dupes[0]!r}")
    ids = Counter(r["id"] for r in rows)
    if any(c > 1 for c in ids.values()):
        problems.append("duplicate ids")
    labels: dict[str, set] = defaultdict(set)
    for r in rows:
        labels[r["group"]].add((r["dimension"], r["polarity"], r["competency"], r["signal"], r["split"]))
        if (r["dimension"] == "none") != (r["polarity"] == "neutral"):
            problems.append(f"{r['id']}: neutral iff dimension none")
    bad_groups = [g for g, s in labels.items() if len(s) > 1]
    if bad_groups:
        problems.append(f"groups with mixed labels/splits: {bad_groups[:5]}")

    def table(title: str, key) -> None:
        counts = Counter(key(r) for r in rows)
        print(f"\n{title}")
        for k in sorted(counts):
            print(f"  {k!s:<45} {counts[k]:>5}")

    table("by dimension/polarity", lambda r: f"{r['dimension']}/{r['polarity']}")
    table("by competency", lambda r: r["competency"])
    table("by variant", lambda r: r["variant"])
    table("by split (sentences)", lambda r: r["split"])
    table("by batch and split (sentences)", lambda r: f"{r.get('batch', 'v1')}/{r['split']}")
    group_rows = {r["group"]: r for r in rows}
    counts = Counter(f"{r['dimension']}/{r['polarity']}/{r['split']}" for r in group_rows.values())
    print("\nby dimension/polarity/split (groups)")
    for k in sorted(counts):
        print(f"  {k:<45} {counts[k]:>5}")
    comp_dim = Counter((r["competency"], f"{r['dimension'][:4]}{'+' if r['polarity']=='strong' else '-' if r['polarity']=='weak' else ''}") for r in group_rows.values())
    cols = sorted({c for _, c in comp_dim})
    print("\nbase sentences (groups) by competency x dimension/polarity")
    print("  " + " " * 22 + " ".join(f"{c:>6}" for c in cols))
    for comp in COMPETENCIES:
        print(f"  {comp:<22}" + " ".join(f"{comp_dim[(comp, c)]:>6}" for c in cols))
    for comp in COMPETENCIES:
        for dim in (*DIMENSIONS, "none"):
            if not any(r["competency"] == comp and r["dimension"] == dim for r in rows):
                problems.append(f"no {dim} sentences for {comp}")
    lengths = [len(r["text"].split()) for r in rows]
    print(f"\nwords per sentence: min {min(lengths)}, max {max(lengths)}, mean {sum(lengths)/len(lengths):.1f}")
    short = [r["text"] for r in rows if len(r["text"].split()) < 2 and r["polarity"] != "neutral"]
    if short:
        problems.append(f"one-word sentences: {short[:3]}")

    if answers_path.exists():
        answers = [json.loads(line) for line in answers_path.read_text(encoding="utf-8").splitlines()]
        print(f"\nanswers.jsonl: {len(answers)} answers")
        print("  by quality:   ", dict(sorted(Counter(a["quality"] for a in answers).items())))
        print("  by competency:", dict(sorted(Counter(a["competency"] for a in answers).items())))
        words = [len(a["text"].split()) for a in answers]
        print(f"  words: min {min(words)}, max {max(words)}, mean {sum(words)/len(words):.0f}")
        for dim in DIMENSIONS:
            dist = Counter(a["scores"][dim] for a in answers)
            print(f"  {dim:<14} scores 1-5: {[dist[s] for s in range(1, 6)]}")
        print("  mean scores by quality:")
        by_quality: dict[str, list[dict]] = defaultdict(list)
        for a in answers:
            by_quality[a["quality"]].append(a)
        for quality, group in sorted(by_quality.items()):
            means = {d[:4]: round(sum(a["scores"][d] for a in group) / len(group), 1) for d in DIMENSIONS}
            print(f"    {quality:<9} n={len(group):<3} {means}")
        if len({a["text"] for a in answers}) != len(answers):
            problems.append("duplicate answer texts")
    print("\nproblems:", problems or "none")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the existing output files")
    args = parser.parse_args(argv)
    if not args.check:
        # Read and validate every source before writing anything.
        try:
            fresh = read_base_sentences(FRESH_DIR, default_batch="fresh") if FRESH_DIR.is_dir() else []
            signals = build_signals(read_base_sentences(), fresh)
            answers = read_answers()
        except (SourceError, KeyError, tomllib.TOMLDecodeError) as exc:
            print(f"error in the hand-written sources: {exc}", file=sys.stderr)
            return 2
        write_jsonl(SIGNALS_OUT, signals)
        if answers:
            write_jsonl(ANSWERS_OUT, answers)
    return 1 if check() else 0


if __name__ == "__main__":
    sys.exit(main())
