"""Structure moves recognised by meaning: a sentence makes a move (a tradeoff, a fallback, a summary ...)
when a small linear model on its meaning vector says so.

Each move has a logistic-regression head (a weight per vector dimension and a bias), fitted by
`voicemock train` (flows/moves_fit.py) on prototype sentences written for the move
(models/data/source/moves.toml) against the other moves' prototypes and sentences that make no move. The
heads are plain number arrays in models/structure-moves.npz, checked against the sha256 in the model card
before loading (numpy, never pickle). Nearest-prototype similarity was tried first and mostly measured
topic, not the move (AUC 0.47-0.72 against same-topic sentences that make no move).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from voicemock.errors import ClassifierError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["MOVES_FILE", "MoveMatcher", "load_moves"]

MOVES_FILE = "structure-moves.npz"


@dataclass(frozen=True)
class MoveMatcher:
    weights: dict[str, np.ndarray]  # move -> (dim,) logistic-regression weights
    biases: dict[str, float]
    threshold: float = 0.5  # probability at or above which a sentence makes the move

    def probabilities(self, vectors: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """move -> each sentence's probability of making it."""
        import numpy as np

        if not len(vectors):
            return {move: np.zeros(0, dtype=np.float32) for move in self.weights}
        matrix = np.stack(list(vectors)).astype(np.float64)
        return {move: 1.0 / (1.0 + np.exp(-(matrix @ w + self.biases[move]))) for move, w in self.weights.items()}

    def match(self, vectors: Sequence[np.ndarray]) -> dict[str, dict[int, float]]:
        """move -> {position of a sentence in `vectors`: its probability}, for the sentences that make it."""
        found: dict[str, dict[int, float]] = {}
        for move, probs in self.probabilities(vectors).items():
            hits = {i: round(float(p), 3) for i, p in enumerate(probs) if p >= self.threshold}
            if hits:
                found[move] = hits
        return found


def load_moves(folder: Path, card: dict[str, Any]) -> MoveMatcher | None:
    """The matcher `voicemock train` wrote beside the classifier, or None for a card that has none."""
    import hashlib

    import numpy as np

    entry = card.get("moves")
    if not entry:
        return None
    path = Path(folder) / MOVES_FILE
    redo = "run `voicemock train` to rebuild it"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ClassifierError(f"{path}: cannot read the structure-move prototypes ({exc.strerror}); {redo}") from None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ClassifierError(f"{path} does not match the sha256 in its model card; refusing to load it; {redo}")
    import io

    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        weights = {move: arrays[f"{move}__w"].astype(np.float64) for move in entry["moves"]}
        biases = {move: float(arrays[f"{move}__b"][0]) for move in entry["moves"]}
    return MoveMatcher(weights=weights, biases=biases, threshold=float(entry["threshold"]))
