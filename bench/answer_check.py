"""How well the "is there an answer here" rule (voicemock.assess.answer_check) sorts real input.

Over all the speech in ../shared/data/speech (the 14 referenced English clips, the other English
clips, multilingual.mp3: English then German), the shipped sample answer, and input made here:
silence, noise, hum, a tone, English answers read by Piper and by espeak-ng, and the same answer read
by espeak-ng in eight other languages. Each has a truth (an English answer: accept; anything else:
reject); the bench prints each verdict with the figures behind it, then the counts against the truth.
It prints figures and asserts nothing.

    python bench/answer_check.py
    python bench/answer_check.py --no-generated   # only the recordings
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
SPEECH = REPO.parent / "shared" / "data" / "speech"
SAMPLE = REPO / "rubrics" / "samples" / "sample-answer.ogg"
RATE = 16000

ENGLISH = (
    "My short answer: I'd launch only after it passes a golden set built from real tickets. I'd pull five hundred "
    "recent tickets, stratified by product area and length, because long threads are where summaries break. "
    "Invented content is a hard gate, under one percent."
)
# The same answer in other languages, for espeak-ng (its voice names).
OTHER_LANGUAGES = {
    "de": "Ich würde das Modell erst dann einführen, wenn es auf einem sorgfältig ausgewählten Testdatensatz überzeugt. "
    "Dafür ziehe ich fünfhundert echte Anfragen, geschichtet nach Produktbereich und Länge, weil lange Gespräche die "
    "Zusammenfassungen am häufigsten brechen. Erfundene Inhalte sind ein hartes Kriterium.",
    "es": "Solo lanzaría el modelo después de que supere un conjunto de prueba construido con tickets reales. Tomaría "
    "quinientos tickets recientes, estratificados por área de producto y longitud, porque los hilos largos son donde "
    "fallan los resúmenes. El contenido inventado es un límite estricto.",
    "fr": "Je ne lancerais le modèle qu'après qu'il ait réussi un jeu de test construit à partir de vrais tickets. Je "
    "prendrais cinq cents tickets récents, répartis par domaine de produit et par longueur, parce que les longues "
    "conversations sont là où les résumés échouent.",
    "it": "Lancerei il modello solo dopo che ha superato un insieme di prova costruito con richieste reali. Prenderei "
    "cinquecento richieste recenti, suddivise per area di prodotto e lunghezza, perché le conversazioni lunghe sono "
    "dove i riassunti falliscono.",
    "nl": "Ik zou het model pas lanceren nadat het slaagt voor een testset die is opgebouwd uit echte tickets. Ik zou "
    "vijfhonderd recente tickets nemen, verdeeld naar productgebied en lengte, omdat lange gesprekken de plek zijn "
    "waar samenvattingen breken.",
    "pl": "Uruchomiłbym model dopiero wtedy, gdy przejdzie zestaw testowy zbudowany z prawdziwych zgłoszeń. Wziąłbym "
    "pięćset ostatnich zgłoszeń, podzielonych według obszaru produktu i długości, ponieważ długie wątki to miejsce, "
    "gdzie streszczenia zawodzą.",
    "ru": "Я бы запустил модель только после того, как она пройдёт тестовый набор, собранный из настоящих обращений. "
    "Я бы взял пятьсот недавних обращений, разделённых по продуктам и длине, потому что длинные переписки ломают "
    "пересказы чаще всего.",
    "hi": "मैं मॉडल को तभी लॉन्च करूंगा जब वह असली टिकटों से बने परीक्षण सेट को पास कर ले। मैं पांच सौ हाल के टिकट "
    "लूंगा, उत्पाद क्षेत्र और लंबाई के अनुसार बांटकर, क्योंकि लंबी बातचीत में ही सारांश सबसे ज्यादा टूटते हैं।",
}


def recordings() -> list[tuple[str, str, str | None, bool]]:
    """(group, path, channel, truth: an English answer) for every clip in ../shared/data/speech and the sample."""
    referenced = set()
    tsv = SPEECH / "references.tsv"
    for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            referenced.add(line.split("\t", 1)[0])
    out = []
    for path in sorted(p for p in SPEECH.rglob("*") if p.suffix.lower() in (".wav", ".flac", ".mp3", ".ogg")):
        rel = str(path.relative_to(SPEECH))
        channels = [None]
        if f"{rel}:L" in referenced:
            channels = ["L", "R"]
        for channel in channels:
            name = f"{rel}:{channel}" if channel else rel
            group = "referenced English" if name in referenced else "other recordings"
            out.append((group, str(path), channel, path.name != "multilingual.mp3"))
    out.append(("sample answer", str(SAMPLE), None, True))
    return out


def generated() -> list[tuple[str, str, np.ndarray, bool]]:
    """(group, name, 16 kHz samples, truth) made here: silence, noise, synthesized speech."""
    from support import synthesize

    rng = np.random.default_rng(0)
    n = 10 * RATE
    t = np.arange(n) / RATE
    made = [
        ("silence", "silence 0.2 s", np.zeros(int(0.2 * RATE), np.float32), False),
        ("silence", "silence 10 s", np.zeros(n, np.float32), False),
        ("silence", "near-silence 10 s (-70 dBFS noise)", (rng.standard_normal(n) * 3e-4).astype(np.float32), False),
    ]
    for level in (0.003, 0.01, 0.03, 0.1, 0.3):
        made.append(("noise", f"white noise, rms {level:g}", (rng.standard_normal(n) * level).astype(np.float32), False))
    brown = np.cumsum(rng.standard_normal(n))
    made.append(("noise", "brown noise", (brown / np.abs(brown).max() * 0.3).astype(np.float32), False))
    made.append(("noise", "50 Hz hum", (0.2 * np.sin(2 * np.pi * 50 * t)).astype(np.float32), False))
    made.append(("noise", "440 Hz tone", (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), False))
    for engine in ("piper", "espeak"):
        try:
            made.append(("synthesized English", f"English answer, {engine}", _speech(ENGLISH, engine, "en-us", synthesize), True))
        except RuntimeError as exc:
            print(f"skipped English by {engine}: {exc}", file=sys.stderr)
    if shutil.which("espeak-ng"):
        for lang, text in OTHER_LANGUAGES.items():
            made.append(("other languages", f"{lang} answer, espeak-ng", _speech(text, "espeak", lang, synthesize), False))
    return made


def _speech(text: str, engine: str, voice: str, synthesize) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    if engine == "piper":
        samples, rate = synthesize(text, "piper")
        import soundfile as sf

        buf = io.BytesIO()
        sf.write(buf, samples, rate, format="WAV")
        buf.seek(0)
        return decode_audio(buf, sampling_rate=RATE)
    wav = subprocess.run(["espeak-ng", "--stdout", "-v", voice, "-s", "140", text], check=True, capture_output=True).stdout
    return decode_audio(io.BytesIO(wav), sampling_rate=RATE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-generated", action="store_true", help="only the recordings, no silence, noise or synthesis")
    args = parser.parse_args()

    from voicemock.audio.files import DecodedAudio, load_audio
    from voicemock.flows.pipeline import check
    from voicemock.speech.transcribe import TranscribeOptions, transcribe_audio

    options = TranscribeOptions()
    inputs = [(g, Path(p).name + (f":{c}" if c else ""), load_audio(p, channel=c), truth) for g, p, c, truth in recordings()]
    if not args.no_generated:
        inputs += [(g, name, DecodedAudio(samples, name), truth) for g, name, samples, truth in generated()]

    tally: Counter[tuple[str, bool, bool]] = Counter()
    print(f"{'input':44s} {'truth':6s} {'verdict':12s} words  doubted  lowest stretch mean p")
    for group, name, audio, truth in inputs:
        transcript = transcribe_audio(audio, options)
        verdict = check(transcript, audio)
        stretches = verdict.stretches
        doubted = sum(s.words for s in stretches if s.doubted)
        lowest = min((s.mean_probability for s in stretches), default=None)
        words = len(transcript.words)
        mark = "" if verdict.ok == truth else "   <-- wrong"
        lowest_text = f"{lowest:.2f}" if lowest is not None else "-"
        shown = verdict.kind + ("*" if verdict.caveats else "")
        print(f"{name[:44]:44s} {'accept' if truth else 'reject':6s} {shown:12s} {words:5d} {doubted:8d}  {lowest_text:>6s}{mark}")
        tally[(group, truth, verdict.ok)] += 1

    print("\n(* accepted with a caveat naming the stretches the recognizer doubted)\n")
    print(f"{'group':22s} {'clips':>5s} {'accepted':>9s} {'rejected':>9s} {'right':>6s}")
    groups = list(dict.fromkeys(g for g, *_ in inputs))
    right_all = total_all = 0
    for group in groups:
        rows = {k: v for k, v in tally.items() if k[0] == group}
        clips = sum(rows.values())
        accepted = sum(v for (g, t, ok), v in rows.items() if ok)
        right = sum(v for (g, t, ok), v in rows.items() if ok == t)
        right_all, total_all = right_all + right, total_all + clips
        print(f"{group:22s} {clips:5d} {accepted:9d} {clips - accepted:9d} {right:6d}")
    false_accept = sum(v for (g, t, ok), v in tally.items() if ok and not t)
    false_reject = sum(v for (g, t, ok), v in tally.items() if t and not ok)
    print(f"\nall: {right_all} of {total_all} right; English answers rejected: {false_reject}; non-answers accepted: {false_accept}")


if __name__ == "__main__":
    main()
