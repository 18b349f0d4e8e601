"""``arabench validate [PATH]``: check annotations and list every problem."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arabench.benchmark.cli import EXIT_OK, EXIT_PROBLEMS
from arabench.benchmark.commands.options import add_no_type_check

if TYPE_CHECKING:
    from arabench.annotations.problems import Problem
    from arabench.annotations.validate import ValidationReport

HELP = "check annotations (BRAT, JSONL, CoNLL, Label Studio, datasets; default: the gold) and list every problem"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``validate`` options."""
    add_path_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_no_type_check(parser)
    add_annotation_choice(parser)


def add_annotation_choice(parser: argparse.ArgumentParser, *, suffix: str = "", what: str = "") -> None:
    """``--annotator`` and ``--annotation-index``: which annotation of a Label Studio task is read."""
    parser.add_argument(
        f"--annotator{suffix}",
        metavar="WHO",
        help=f"Label Studio export{what}: read the annotation of this annotator (completed_by: user id or e-mail)",
    )
    parser.add_argument(
        f"--annotation-index{suffix}",
        type=int,
        metavar="N",
        help=f"Label Studio export{what}: read each task's annotation at this position (they follow creation "
        "time, so prefer --annotator)",
    )


def annotation_options(annotator: str | None, index: int | None) -> dict[str, Any]:
    """The reader options of :func:`add_annotation_choice`'s flags, those given only."""
    chosen = {"annotator": annotator, "annotation_index": index}
    return {k: v for k, v in chosen.items() if v is not None}


def add_path_arguments(parser: argparse.ArgumentParser) -> None:
    """The corpus path and ``--format`` (shared by ``validate`` and ``stats``)."""
    from arabench.benchmark.commands.options import add_format

    parser.add_argument(
        "path",
        nargs="?",
        default=None,
        help="BRAT directory or .txt/.ann pair, .jsonl, CoNLL file, Label Studio .json, datasets directory "
        "(default: the gold)",
    )
    add_format(parser)


def display_path(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it, else as given."""
    try:
        return Path(os.path.relpath(path)) if path.resolve().is_relative_to(Path.cwd().resolve()) else path
    except (OSError, ValueError):
        return path


def is_dataset_source(path: str) -> bool:
    """True for a corpus read through ``datasets`` only (``hf-dataset:<id>``, a ``.parquet`` file)."""
    return path.startswith("hf-dataset:") or path.lower().endswith(".parquet")


def report_warnings(path: Path, fmt: str | None) -> list[str]:
    """The warnings the checks of ``path`` find (errors are raised by the reader that follows)."""
    from arabench.annotations.formats import check_path

    if not path.exists():
        return []
    report = check_path(path, format=fmt, check_types=False)
    return [str(p) for p in [*report.problems, *nfc_warnings(report, path, fmt)] if not p.is_error]


def nfc_warnings(report: ValidationReport, path: Path, fmt: str | None) -> list[Problem]:
    """Texts rebuilt from tokens (CoNLL, datasets) not in NFC: a warning with the position, nothing normalized.

    Formats that store the raw text get this check (and the BOM and CRLF ones) from the validator itself.
    """
    from arabench.annotations.formats import get_format, infer_format
    from arabench.annotations.validate import check_text

    if not path.exists() or get_format(fmt or infer_format(path, option=None)).raw_text:
        return []
    found = []
    for document in report.documents:
        for problem in check_text(document.text, file=str(path), field=f"{document.id}.text"):
            if problem.message.startswith("text is not in Unicode NFC"):
                found.append(problem)
    return found


def main(args: argparse.Namespace) -> int:
    """Validate and print each problem, then a summary; exit 1 if there is an error."""
    from arabench.annotations.corpus import default_gold_path
    from arabench.annotations.formats import check_path, get_format, infer_format

    if args.path is not None and is_dataset_source(args.path):
        return _validate_dataset(args)
    path = Path(args.path) if args.path is not None else display_path(default_gold_path())
    fmt = args.format or (infer_format(path, option="--format") if path.exists() else None)
    native = fmt is None or get_format(fmt).native_labels
    # A tag-set format (CoNLL, Label Studio, datasets) holds the labels of some view: checked against the views.
    chosen = annotation_options(args.annotator, args.annotation_index)
    report = check_path(path, format=fmt, check_types=not args.no_type_check and native, **chosen)
    if not native and not args.no_type_check and report.ok:
        report.problems += _view_problems(path, report.documents)
    report.problems += nfc_warnings(report, path, fmt)
    if args.json:
        data = {
            "path": report.path,
            "format": fmt,
            "ok": report.ok,
            "documents": report.document_count,
            "valid_documents": len(report.documents),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "problems": [p.to_dict() for p in report.problems],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            print(problem)
        print(report.summary())
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _view_problems(path: Path, documents: list) -> list:
    from arabench.annotations.errors import SchemaError
    from arabench.annotations.problems import Problem
    from arabench.benchmark.corpus_io import infer_view

    labels = {s.label for d in documents for s in d.entities.values()}
    try:
        infer_view(labels)
    except SchemaError as exc:
        return [Problem(str(path), None, "labels", exc.message, exc.fix, exc.value)]
    return []


def _validate_dataset(args: argparse.Namespace) -> int:
    from arabench.annotations.errors import BenchmarkError
    from arabench.benchmark.corpus_io import load_corpus

    try:
        corpus = load_corpus(args.path)
    except BenchmarkError as exc:
        if args.json:
            print(json.dumps({"path": args.path, "ok": False, "errors": 1, "problems": [str(exc)]}, ensure_ascii=False))
        else:
            print(exc)
            print(f"{args.path}: 1 error(s)")
        return EXIT_PROBLEMS
    summary = f"{args.path}: {len(corpus.documents)} document(s), labels of view {corpus.view.name}; 0 error(s)"
    if args.json:
        print(json.dumps({"path": args.path, "ok": True, "documents": len(corpus.documents), "errors": 0}))
    else:
        print(summary)
    return EXIT_OK
