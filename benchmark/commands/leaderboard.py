"""``arabench leaderboard RESULTS...``: one table of many models on many corpora, with Holm-corrected ranks."""

from __future__ import annotations

import argparse
from pathlib import Path

from arabench.annotations.errors import BenchmarkError
from arabench.benchmark.commands.options import add_grid, add_seed

HELP = "merge results directories into one leaderboard: models x corpora, intervals, ranks from corrected paired tests"

#: ``--as`` values and the method of :class:`arabench.benchmark.leaderboard.Leaderboard` that writes each.
OUTPUTS = {
    "text": "to_text",
    "markdown": "to_markdown",
    "csv": "to_csv",
    "latex": "to_latex",
    "json": "to_json",
    "html": "to_html",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arabench leaderboard``."""
    from arabench.benchmark.leaderboard import DEFAULT_ALPHA, DEFAULT_RESAMPLES, TESTS

    parser.add_argument(
        "results", nargs="+", metavar="RESULTS", help="results directories (or results.json files) of any corpora"
    )
    parser.add_argument("--view", metavar="VIEW", help="the view of every corpus (default: chosen per corpus)")
    parser.add_argument(
        "--test",
        choices=TESTS,
        default=TESTS[0],
        help="paired test on micro F1: approximate randomization (two-sided) or paired bootstrap "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--resamples",
        type=int,
        default=DEFAULT_RESAMPLES,
        metavar="N",
        help=f"trials of the randomization test or resamples of the bootstrap (default {DEFAULT_RESAMPLES})",
    )
    add_seed(parser)
    parser.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help=f"family-wise significance level of each corpus's Holm-corrected tests (default {DEFAULT_ALPHA})",
    )
    add_grid(parser, repeatable=False)
    parser.add_argument("--per-type", action="store_true", help="add a column per entity type (text, Markdown, LaTeX)")
    parser.add_argument(
        "--as", dest="output_format", choices=tuple(OUTPUTS), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of stdout (never onto one of the RESULTS)"
    )


def main(args: argparse.Namespace) -> int:
    """Build the leaderboard and print or write it."""
    from arabench.benchmark.leaderboard import leaderboard

    target = None if args.output is None else Path(args.output)
    if target is not None:
        _check_target(target, args.results)
    board = leaderboard(
        args.results,
        view=args.view,
        test=args.test,
        n_resamples=args.resamples,
        seed=args.seed,
        alpha=args.alpha,
        mode=args.mode,
        boundary=args.boundary,
        layer=args.layer,
    )
    method = getattr(board, OUTPUTS[args.output_format])
    text = method(per_type=args.per_type) if args.output_format in ("text", "markdown", "latex") else method()
    if target is None:
        print(text, end="")
        return 0
    from arabench.annotations.files import atomic_write_text

    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise BenchmarkError(
            f"cannot write the leaderboard: {exc.strerror or exc}",
            file=target,
            field="--output",
            fix="give a writable file path in an existing directory",
        ) from None
    print(f"leaderboard written to {target}")
    return 0


def _check_target(target: Path, results: list[str]) -> None:
    """Refuse an ``--output`` that is a directory or one of the inputs (or a file inside an input directory)."""
    resolved = target.expanduser().resolve()
    if resolved.is_dir():
        raise BenchmarkError("--output is a directory", file=target, field="--output", fix="give a file path")
    for given in results:
        source = Path(given).expanduser().resolve()
        inputs = {source, source / "results.json"} if source.is_dir() else {source}
        if resolved in inputs:
            raise BenchmarkError(
                "--output would overwrite one of the results it reads",
                file=target,
                field="--output",
                value=given,
                fix="write the leaderboard to another file",
            )
