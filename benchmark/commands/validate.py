"""``arabench validate [PATH]``: check annotations and list every problem."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from benchmark.cli import EXIT_OK, EXIT_PROBLEMS
from benchmark.commands.options import add_no_type_check

HELP = "check annotations (BRAT, JSONL, CoNLL, Label Studio, datasets; default: the gold) and list every problem"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``validate`` options."""
    add_path_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_no_type_check(parser)


def add_path_arguments(parser: argparse.ArgumentParser) -> None:
    """The corpus path and ``--format`` (shared by ``validate`` and ``stats``)."""
    from benchmark.commands.options import add_format

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


def main(args: argparse.Namespace) -> int:
    """Validate and print each problem, then a summary; exit 1 if there is an error."""
    from annotations.corpus import default_gold_path
    from annotations.formats import check_path, infer_format

    path = Path(args.path) if args.path is not None else display_path(default_gold_path())
    fmt = args.format or (infer_format(path, option="--format") if path.exists() else None)
    report = check_path(path, format=fmt, check_types=not args.no_type_check)
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
