"""Train the statement classifier on the real labelled corpus (bench/corpus.py) and write data/classifier.json.gz.

A multinomial logistic regression (scikit-learn, lbfgs: deterministic) over binary features scaled 1/√n
(understanding/features.py), each page weighted equally (a page's examples weigh 1/its size, so OpenAI's 1,225
updates do not teach every page OpenAI's house style). Probabilities are calibrated by one temperature fitted on
out-of-fold predictions (5 folds by page/account). Only the run-time weights are exported (features whose weights
are all ~0 are dropped); the bot reads them with understanding/model.py, without numpy or scikit-learn.

Hyperparameters (C = 10, page weight 1/size) were chosen by the leave-one-page-out mean of bench/classify_eval.py
over 8 settings (C 3/10/30, page-weight power 0/0.25/0.5/1, class weights on/off, lexicon/rule features scaled
apart or not) — a mild selection on the evaluation folds, said here and in the README.

Run: .venv/bin/python bench/train_classifier.py [--data DIR] [--out data/classifier.json.gz]   (needs
requirements-dev.txt: scikit-learn)
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

from understanding.features import Context, featurize  # noqa: E402
from understanding.model import MODEL_PATH, Model, parse_model  # noqa: E402

C = 10.0
PAGE_WEIGHT_POWER = 1.0
PRUNE = 1e-4
RESOLVED_BETA = 1.0  # the resolved threshold maximises F1 of resolved vs open on out-of-fold predictions
RESOLVED_GRID = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
CLASS_WEIGHT = None  # or "balanced"


def _design(feature_lists: list[list[str]], vectorizer: DictVectorizer | None = None):
    rows = [{f: 1.0 / math.sqrt(len(fs)) for f in fs} for fs in feature_lists]
    if vectorizer is None:
        vectorizer = DictVectorizer()
        return vectorizer.fit_transform(rows), vectorizer
    return vectorizer.transform(rows), vectorizer


def _weights(groups: list[str]) -> np.ndarray:
    size = Counter(groups)
    w = np.array([1.0 / size[g] ** PAGE_WEIGHT_POWER for g in groups])
    return w / w.mean()


def _without_context(example: corpus.Example) -> corpus.Example:
    return replace(example, context=Context(is_reply=example.context.is_reply,
                                            is_self_reply=example.context.is_self_reply))


def fit(examples: list[corpus.Example], feature_lists: list[list[str]] | None = None):
    """(LogisticRegression, DictVectorizer) fitted on the examples, each seen twice: in its context and with the
    context unknown (source, position, gap dropped), so that a statement of unknown origin is read by its words."""
    feature_lists = feature_lists or [featurize(e.text, e.context) for e in examples]
    bare = [_without_context(e) for e in examples]
    x, vectorizer = _design(feature_lists + [featurize(e.text, e.context) for e in bare])
    y = np.array([e.gold for e in examples] * 2)
    weights = _weights([e.group for e in examples])
    model = LogisticRegression(C=C, max_iter=5000, class_weight=CLASS_WEIGHT)
    model.fit(x, y, sample_weight=np.concatenate([weights, weights * 0.5]))
    return model, vectorizer


def export(model: LogisticRegression, vectorizer: DictVectorizer, temperature: float, meta: dict) -> dict:
    """The run-time form: classes, intercept, {feature: weights per class} (near-zero rows dropped)."""
    coef = model.coef_.T  # features × classes
    names = vectorizer.get_feature_names_out()
    weights = {
        str(name): [round(float(v), 5) for v in row]
        for name, row in zip(names, coef, strict=True)
        if float(np.abs(row).max()) > PRUNE
    }
    return {
        "classes": [str(c) for c in model.classes_],
        "intercept": [round(float(v), 5) for v in model.intercept_],
        "weights": weights,
        "temperature": round(temperature, 4),
        "meta": meta,
    }


def out_of_fold_logits(examples: list[corpus.Example], feature_lists: list[list[str]]) -> tuple[np.ndarray, list[str]]:
    """Scores of every example by a model trained without its page/account (5 folds by group): (logits, classes)."""
    groups = [e.group for e in examples]
    y = np.array([e.gold for e in examples])
    logits = np.zeros((len(examples), len(corpus.KINDS)))
    classes = sorted(set(y))
    for train_idx, test_idx in GroupKFold(n_splits=5).split(np.zeros(len(y)), y, groups):
        sub = [examples[i] for i in train_idx]
        model, vectorizer = fit(sub, [feature_lists[i] for i in train_idx])
        x, _ = _design([feature_lists[i] for i in test_idx], vectorizer)
        scores = model.decision_function(x)
        for j, cls in enumerate(model.classes_):
            logits[test_idx, classes.index(cls)] = scores[:, j]
    return logits, classes


def fit_temperature(examples: list[corpus.Example], logits: np.ndarray, classes: list[str]) -> float:
    """One temperature for all classes, minimising the log-loss of out-of-fold scores."""
    gold = np.array([classes.index(e.gold) for e in examples])

    def loss(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(gold)), gold].mean())

    return float(minimize_scalar(loss, bounds=(0.2, 5.0), method="bounded").x)


def fit_resolved_threshold(examples: list[corpus.Example], logits: np.ndarray, classes: list[str],
                           temperature: float) -> float:
    """The least probability a "resolved" reading needs (Model.kind_of), chosen on out-of-fold predictions of the
    training pages only: the threshold of the grid that maximises resolved-vs-open F-beta (RESOLVED_BETA), each page
    weighted equally as in training. A reading below it yields to the likeliest open kind."""
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    prob = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    weights = _weights(examples)
    closed = classes.index("resolved")
    rows = [i for i, e in enumerate(examples) if e.gold == "resolved" or e.gold in ("acknowledged", "update", "recovering")]
    gold = np.array([examples[i].gold == "resolved" for i in rows])
    p, w = prob[rows], weights[rows]
    argmax_resolved = p.argmax(axis=1) == closed
    best, best_score = 0.0, -1.0
    for tau in RESOLVED_GRID:
        said = argmax_resolved & (p[:, closed] >= tau)  # (tau 0: every resolved reading; a probability is >= 0)
        tp, fp, fn = (w * (said & gold)).sum(), (w * (said & ~gold)).sum(), (w * (~said & gold)).sum()
        b2 = RESOLVED_BETA ** 2
        score = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
        if score > best_score + 1e-9:
            best, best_score = float(tau), score
    return best


def train_model(examples: list[corpus.Example], *, calibrate: bool = True, meta: dict | None = None) -> tuple[Model, dict]:
    """Fit, calibrate and export: (the run-time Model, its exported dict). ``calibrate``: fit the temperature and the
    resolved threshold on out-of-fold predictions (5 more fits; without it both stay neutral)."""
    feature_lists = [featurize(e.text, e.context) for e in examples]
    model, vectorizer = fit(examples, feature_lists)
    temperature, threshold = 1.0, 0.0
    if calibrate:
        logits, classes = out_of_fold_logits(examples, feature_lists)
        temperature = fit_temperature(examples, logits, classes)
        threshold = fit_resolved_threshold(examples, logits, classes, temperature)
    data = export(model, vectorizer, temperature, meta or {})
    data["resolved_threshold"] = round(threshold, 3)
    return parse_model(data, "trained model"), data


def training_examples(data: Path) -> list[corpus.Example]:
    """Everything labelled: status pages, official social posts, support accounts, general accounts."""
    return corpus.status_examples(data) + corpus.social_examples(data) + corpus.general_accounts(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=corpus.DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    if not (args.data / "training" / "updates.jsonl").is_file():
        print(f"no training data at {args.data} (use --data DIR)", file=sys.stderr)
        return 2
    started = time.process_time()
    examples = training_examples(args.data)
    counts = Counter(e.gold for e in examples)
    meta = {
        "examples": len(examples),
        "groups": len({e.group for e in examples}),
        "labels": dict(sorted(counts.items())),
        "C": C,
        "page_weight_power": PAGE_WEIGHT_POWER,
        "trainer": "scikit-learn LogisticRegression (lbfgs, multinomial)",
    }
    model, data = train_model(examples, meta=meta)
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(payload)  # mtime=0, no name: the same data gives the same bytes
    print(
        f"trained on {len(examples)} statements of {meta['groups']} pages/accounts {dict(counts)}; "
        f"{len(model.weights)} features kept; temperature {model.temperature:.3f}; resolved threshold "
        f"{model.resolved_threshold:.2f}; "
        f"{time.process_time() - started:.1f} s CPU; wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
