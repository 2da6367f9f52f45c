"""The committed model is what bench/train_classifier.py makes from the real corpus with this code: training is
deterministic, and a change to the features without retraining fails here (not silently in production)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from understanding.model import load_model

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/data")


@pytest.mark.skipif(not (SHARED / "training" / "updates.jsonl").is_file(), reason="shared/data not on this machine")
@pytest.mark.timeout(300)
def test_training_reproduces_the_committed_model(tmp_path) -> None:
    out = tmp_path / "model.json.gz"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "train_classifier.py"), "--data", str(SHARED),
                           "--out", str(out)], capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr
    fresh, shipped = load_model(str(out)), load_model()
    assert fresh.classes == shipped.classes
    assert abs(fresh.temperature - shipped.temperature) < 0.01
    strong = {f for f, w in shipped.weights.items() if max(abs(v) for v in w) > 0.01}
    assert strong <= set(fresh.weights), "features changed: retrain (bench/train_classifier.py) and commit the model"
    worst = max(max(abs(a - b) for a, b in zip(fresh.weights[f], shipped.weights[f], strict=True)) for f in strong)
    assert worst < 0.01
