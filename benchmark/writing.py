"""Write a run's files: ``results.json``, ``summary.md``, ``per_type.csv``, ``errors.jsonl``, ``report.html``.

The one module that knows both :class:`~benchmark.results.Results` and the
report writers (:mod:`benchmark.report_text`, :mod:`benchmark.report_html`),
so that imports point one way: writers read ``Results``, ``Results`` knows no
writer.
"""

from __future__ import annotations

from pathlib import Path

from benchmark.atomic import atomic_write_text, dump_json
from benchmark.report_html import write_html
from benchmark.report_text import write_errors, write_per_type, write_summary
from benchmark.results import Results

__all__ = ["write_results"]


def write_results(results: Results, out: str | Path) -> dict[str, Path]:
    """Write every results file into the directory ``out`` (each file atomically).

    Returns:
        File kind to path: ``results``, ``summary``, ``per_type``, ``errors``, ``report``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return {
        "results": atomic_write_text(out / "results.json", dump_json(results.to_json())),
        "summary": write_summary(results, out / "summary.md"),
        "per_type": write_per_type(results, out / "per_type.csv"),
        "errors": write_errors(results, out / "errors.jsonl"),
        "report": write_html(results, out / "report.html"),
    }
