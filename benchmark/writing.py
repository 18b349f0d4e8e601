"""Write a run's files: ``results.json``, ``summary.md``, ``per_type.csv``, ``errors.jsonl.gz``, ``report.html``.

The one module that knows both :class:`~benchmark.results.Results` and the
report writers (:mod:`arabench.benchmark.report_text`, :mod:`arabench.benchmark.report_html`),
so that imports point one way: writers read ``Results``, ``Results`` knows no
writer.

The directory is written as a unit (:mod:`arabench.benchmark.outdir`): every file goes
into a temporary sibling directory, which then replaces ``out``, under the
lock of ``out``; a reader never sees files of two runs side by side.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from arabench.annotations.files import atomic_write_text
from arabench.benchmark.atomic import dump_json
from arabench.benchmark.outdir import OutputLock, check_output_dir, write_results_directory
from arabench.benchmark.report_html import write_html
from arabench.benchmark.report_text import write_errors, write_per_type, write_summary
from arabench.benchmark.results import Results

__all__ = ["write_results"]


def write_results(
    results: Results, out: str | Path, *, lock: OutputLock | None = None, save_predictions: bool = False
) -> dict[str, Path]:
    """Write every results file into the directory ``out``, as a unit (see the module docstring).

    Args:
        results: What to write.
        out: The results directory (replaced as a whole).
        lock: The lock of ``out`` when the caller already holds it (:func:`arabench.benchmark.runner.run`
            takes it before any model runs); otherwise it is taken here.
        save_predictions: Also write ``predictions/<model>.jsonl`` per scored model (its spans and relations
            in its own view, one document per gold document; ``predictions/index.json`` maps model names to
            files and views); read one back with ``file:`` or ``arabench score --pred``.

    Returns:
        File kind to path: ``results``, ``summary``, ``per_type``, ``errors``, ``report``.

    Raises:
        BenchmarkError: For an ``out`` that cannot be written (:func:`arabench.benchmark.outdir.check_output_dir`),
            one another run is writing, or a write that failed (``out`` is then left as it was).
    """
    out = check_output_dir(out)

    def fill(tmp: Path) -> dict[str, Path]:
        # errors.jsonl.gz is written by a second thread meanwhile: zlib compresses without holding the
        # interpreter lock, so on a free core the compression costs no time of the others' writing.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="arabench-errors") as pool:
            errors = pool.submit(write_errors, results, tmp / "errors.jsonl.gz")
            written = {
                "results": atomic_write_text(tmp / "results.json", dump_json(results.to_json())),
                "summary": write_summary(results, tmp / "summary.md"),
                "per_type": write_per_type(results, tmp / "per_type.csv"),
            }
            report = write_html(results, tmp / "report.html")
            written["errors"] = errors.result()
            written["report"] = report
        if save_predictions:
            written["predictions"] = _write_predictions(results, tmp / "predictions")
        return written

    return write_results_directory(out, fill, lock=lock)


def _write_predictions(results: Results, directory: Path) -> Path:
    """Each scored model's predictions as JSONL beside the results, and an index of the files."""
    from arabench.annotations.jsonl import write_jsonl
    from arabench.benchmark.predicted import prediction_documents, prediction_file_name

    directory.mkdir()
    taken: set[str] = set()
    index = []
    views = {m.name: m.view for m in results.models}
    for name, predictions in results.predictions.items():
        documents, _ = prediction_documents(results.documents, predictions)
        file = prediction_file_name(name, taken) + ".jsonl"
        write_jsonl(documents, directory / file)
        index.append({"model": name, "file": file, "view": views.get(name)})
    return atomic_write_text(directory / "index.json", dump_json({"predictions": index}))
