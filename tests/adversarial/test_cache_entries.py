"""A hand-edited cache entry is validated like a predictions file, or discarded with a warning and recomputed.

The edits keep the entry's checksum right (as a careful hand would), so only
the validation can catch them: a label outside the model's view, a float
offset, an offset beyond the text, a diagnostic that is not a number.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from run_models import CityModel, registered, write_corpus

from arabench import benchmark
from arabench.annotations.files import canonical_sha256
from arabench.benchmark.cache import CacheWarning


def edit_entries(cache: Path, change: Callable[[dict[str, Any]], None]) -> list[Path]:
    """Apply ``change`` to the prediction of every entry holding a span, re-sealing its checksum."""
    edited = []
    for path in sorted((cache / "predictions").rglob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        prediction = entry["payload"]["prediction"]
        if not prediction["spans"]:
            continue
        change(prediction)
        entry["checksum"] = canonical_sha256(entry["payload"])
        path.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        edited.append(path)
    return edited


def bad_label(prediction: dict[str, Any]) -> None:
    prediction["spans"][0][2] = "CITY"


def float_offset(prediction: dict[str, Any]) -> None:
    prediction["spans"][0][0] = float(prediction["spans"][0][0])


def beyond_text(prediction: dict[str, Any]) -> None:
    prediction["spans"][0][1] = 10_000


def text_diagnostic(prediction: dict[str, Any]) -> None:
    prediction["diagnostics"] = {"windows": "many"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (bad_label, "holds a label outside the model's view ('CITY')"),
        (float_offset, "holds a malformed prediction (not a [start, end, label] span with integer offsets"),
        (beyond_text, "holds a span beyond the text of length"),
        (text_diagnostic, "holds a diagnostic that is not a number ('windows': 'many')"),
    ],
)
def test_a_hand_edited_entry_is_discarded_with_a_warning_and_recomputed(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    cache = tmp_path / "cache"
    with registered():
        clean = benchmark.run(["trust-city"], corpus=gold, cache_dir=cache, bootstrap=0)
        edited = edit_entries(cache, change)
        assert len(edited) == 9  # every text but the one without a city
        CityModel.predicted = 0
        with pytest.warns(CacheWarning) as caught:
            again = benchmark.run(["trust-city"], corpus=gold, cache_dir=cache, bootstrap=0)
        assert CityModel.predicted == 9  # the edited entries were recomputed, the sound one was not
        warned = "\n".join(str(w.message) for w in caught)
        assert message in warned and str(edited[0]) in warned
        assert again.to_json()["models"] == clean.to_json()["models"]
        CityModel.predicted = 0
        benchmark.run(["trust-city"], corpus=gold, cache_dir=cache, bootstrap=0)  # the fresh entries replaced them
        assert CityModel.predicted == 0
