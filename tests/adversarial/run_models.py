"""Test models and corpora for the adversarial harness tests (``test_cache_*``, ``test_run_*``).

Models of the tests' own, registered only while a test runs: one that fails
half-way, one whose windows partly failed, one that is slow (for the tests that
kill a run). :func:`cli` is ``arabench`` with these models registered and, when
``TRUST_WRITE_SLEEP`` is set, a pause before each results file is written, so
that a test can kill the process while it predicts or while it writes (the
pause is installed here, by the test's own driver, not by a production hook).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from arabench.annotations.spans import Span
from arabench.models.base import Prediction

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CITIES = ("القاهرة", "باريس", "الرياض", "الكويت")
TEXTS = [
    "زار الوزير القاهرة أمس.",
    "وصل الوفد إلى باريس اليوم.",
    "عاد السفير من الرياض.",
    "افتتح المعرض في الكويت.",
    "سافر الطلاب إلى القاهرة ثم باريس.",
    "انعقد المؤتمر في الرياض.",
    "غادر الرئيس الكويت مساء.",
    "تحدث الوزير عن الاقتصاد.",
    "وصلت البعثة إلى القاهرة.",
    "زار الفريق باريس والرياض.",
]
FILES = ("results.json", "summary.md", "per_type.csv", "errors.jsonl.gz", "report.html")


def write_corpus(path: Path, *, drop_last_entity: bool = False) -> Path:
    """A JSONL gold corpus of :data:`TEXTS` (ids ``d00``...), every city a GPE; return its path."""
    lines = []
    for i, text in enumerate(TEXTS):
        entities = [
            {"id": f"T{k}", "start": s.start, "end": s.end, "type": "GPE", "text": text[s.start : s.end]}
            for k, s in enumerate(cities(text))
        ]
        if drop_last_entity and i == 0:
            entities = entities[:-1]
        lines.append(json.dumps({"id": f"d{i:02d}", "text": text, "entities": entities}, ensure_ascii=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cities(text: str) -> list[Span]:
    """Every occurrence of a city of :data:`CITIES` as a GPE span."""
    spans = []
    for city in CITIES:
        start = text.find(city)
        while start >= 0:
            spans.append(Span(start, start + len(city), "GPE"))
            start = text.find(city, start + 1)
    return sorted(spans)


class _Base:
    view = "native"
    labels = frozenset({"GPE"})
    predicted = 0
    name = "base"

    @classmethod
    def from_spec(cls, arg: str | None, **options: object) -> _Base:
        return cls(**options)  # type: ignore[arg-type]

    def __init__(self, **options: object) -> None:
        self.options = dict(options)

    def provenance(self) -> dict[str, object]:
        return {"id": self.name, "adapter_version": "1", "revision": None, "label_map": None, **self.options}


class CityModel(_Base):
    """Finds the cities of :data:`CITIES`; with ``TRUST_PREDICT_SLEEP`` set, sleeps that long per text.

    Before its first text it creates ``$TRUST_MARKERS/predicting`` (when set), so a test knows it is predicting.
    """

    name = "trust-city"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        markers = os.environ.get("TRUST_MARKERS")
        if markers:
            (Path(markers) / "predicting").touch()
        pause = float(os.environ.get("TRUST_PREDICT_SLEEP", "0"))
        out = []
        for text in texts:
            type(self).predicted += 1
            time.sleep(pause)
            out.append(Prediction(spans=tuple(cities(text))))
        return out


class FailingModel(CityModel):
    """Predicts the first batch, then raises on the text that holds ``وصلت`` (the 9th)."""

    name = "trust-failing"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if any("وصلت" in t for t in texts):
            raise ConnectionError("the model's server went away")
        return super().predict(texts)


class PartialModel(CityModel):
    """Like :class:`CityModel`, but one window of each text holding ``باريس`` got no answer (2 windows there)."""

    name = "trust-partial"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text, found in zip(texts, super().predict(texts), strict=True):
            if "باريس" in text:
                kept = tuple(s for s in found.spans if text[s.start : s.end] != "باريس")
                out.append(Prediction(spans=kept, diagnostics={"windows": 2, "failed_windows": 1}))
            else:
                out.append(Prediction(spans=found.spans, diagnostics={"windows": 1}))
        return out


MODELS = {
    "trust-city": "run_models:CityModel",
    "trust-failing": "run_models:FailingModel",
    "trust-partial": "run_models:PartialModel",
}


@contextmanager
def registered() -> Iterator[None]:
    """Register :data:`MODELS` for the duration (and reset their counters)."""
    from arabench.models.registry import NAMES, register_model

    for name, target in MODELS.items():
        register_model(name, target, view="native", description="adversarial test model")
    for cls in (CityModel, FailingModel, PartialModel):
        cls.predicted = 0
    try:
        yield
    finally:
        for name in MODELS:
            NAMES.pop(name, None)


def cache_files(root: Path) -> list[Path]:
    """Every file under the predictions cache ``root``."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess ``arabench`` that finds this module and the worktree first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra)
    return env


def arabench(*args: str, cache: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``arabench ARGS`` (:func:`cli`) in a subprocess with the cache ``cache``, bounded by ``timeout`` seconds."""
    return subprocess.run(
        [sys.executable, "-m", "run_models", *args],
        env=subprocess_env(ARABENCH_CACHE=str(cache)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _slow_writers(pause: float, markers: str | None) -> None:
    import arabench.benchmark.writing as writing

    def slow(write):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            if markers:
                (Path(markers) / "writing").touch()
            time.sleep(pause)
            return write(*args, **kwargs)

        return wrapper

    for name in ("atomic_write_text", "write_summary", "write_per_type", "write_errors", "write_html"):
        setattr(writing, name, slow(getattr(writing, name)))


def cli(argv: Sequence[str] | None = None) -> int:
    """``arabench`` with the test models registered (and slow writers when ``TRUST_WRITE_SLEEP`` is set)."""
    from arabench.benchmark.cli import main

    pause = os.environ.get("TRUST_WRITE_SLEEP")
    if pause:
        _slow_writers(float(pause), os.environ.get("TRUST_MARKERS"))
    with registered():
        return main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(cli())
