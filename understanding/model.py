"""The learned classifier at run time: reads the exported weights (data/classifier.json.gz, written by
bench/train_classifier.py with scikit-learn) and scores feature lists in plain Python — no numpy or scikit-learn
needed to run the bot. A multinomial logistic regression: score = bias + Σ weights of present features (each
feature counts 1/√n, as in training), probabilities = softmax(scores / temperature); a "resolved" reading needs the
fitted resolved_threshold (Model.kind_of).
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "classifier.json.gz"


class ModelError(ValueError):
    """The model file is missing or not one this code can read (one line, says which file)."""


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    temperature: float
    meta: dict
    resolved_threshold: float = 0.0  # below it, a "resolved" reading yields to the likeliest open kind

    def kind_of(self, probabilities: dict[str, float]) -> str:
        """The kind the text reads as: the likeliest, except that a close needs ``resolved_threshold`` (fitted in
        training on out-of-fold predictions): a weaker "resolved" reads as the likeliest still-open kind, since a
        false close is the worst error the bot can make."""
        kind = max(probabilities, key=probabilities.__getitem__)
        if kind == "resolved" and probabilities[kind] < self.resolved_threshold:
            open_kinds = [k for k in ("acknowledged", "update", "recovering") if k in probabilities]
            if open_kinds:
                kind = max(open_kinds, key=probabilities.__getitem__)
        return kind

    def probabilities(self, feats: list[str]) -> dict[str, float]:
        """Calibrated probability of each class for one statement's features."""
        weights = self.weights
        known = list(filter(None, map(weights.get, feats)))  # a row is a non-empty tuple: None (unknown) drops
        scale = 1.0 / math.sqrt(len(feats)) if feats else 1.0
        if known:  # column sums in C (zip/sum), not a Python loop per feature and class
            scores = [b + total * scale for b, total in zip(self.intercept, map(sum, zip(*known, strict=True)), strict=True)]
        else:
            scores = list(self.intercept)
        top = max(scores)
        exps = [math.exp((s - top) / self.temperature) for s in scores]
        total = sum(exps)
        return {cls: e / total for cls, e in zip(self.classes, exps, strict=True)}


def parse_model(data: dict, where: str = "model") -> Model:
    """A Model from the exported dict; ModelError naming ``where`` if a part is missing or malformed."""
    try:
        classes = tuple(str(c) for c in data["classes"])
        intercept = tuple(float(v) for v in data["intercept"])
        weights = {str(k): tuple(float(v) for v in vals) for k, vals in data["weights"].items()}
        temperature = float(data.get("temperature", 1.0))
        resolved_threshold = float(data.get("resolved_threshold", 0.0))
    except (KeyError, TypeError, ValueError) as err:
        raise ModelError(f"{where}: not a pushti classifier file ({err})") from None
    if len(intercept) != len(classes) or any(len(w) != len(classes) for w in weights.values()):
        raise ModelError(f"{where}: weight rows do not match the {len(classes)} classes")
    if not (0.05 <= temperature <= 20.0):
        raise ModelError(f"{where}: temperature {temperature} out of range")
    if not (0.0 <= resolved_threshold <= 0.95):
        raise ModelError(f"{where}: resolved_threshold {resolved_threshold} out of range")
    return Model(classes, intercept, weights, temperature, dict(data.get("meta", {})), resolved_threshold)


def check_model_file(path: str | None = None) -> None:
    """ModelError when the classifier file is missing or not gzip, without reading it: for commands that may
    classify nothing (a cron poll whose sources all answer 304 never loads the weights). A file that passes may
    still turn out malformed when ``load_model`` reads it (ModelError then)."""
    where = Path(path) if path else MODEL_PATH
    try:
        with open(where, "rb") as fh:
            magic = fh.read(2)
    except FileNotFoundError:
        raise ModelError(f"{where}: classifier file missing (run bench/train_classifier.py)") from None
    except OSError as err:
        raise ModelError(f"{where}: unreadable classifier file ({err})") from None
    if magic != b"\x1f\x8b":
        raise ModelError(f"{where}: unreadable classifier file (not gzip)")


@lru_cache(maxsize=2)
def load_model(path: str | None = None) -> Model:
    """Load (once) the classifier file."""
    where = Path(path) if path else MODEL_PATH
    try:
        with gzip.open(where, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise ModelError(f"{where}: classifier file missing (run bench/train_classifier.py)") from None
    except (OSError, ValueError) as err:
        raise ModelError(f"{where}: unreadable classifier file ({err})") from None
    return parse_model(data, str(where))
