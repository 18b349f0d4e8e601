"""``arabench compare``: per-type F1 differences of two models with paired significance tests."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from arabench.annotations.errors import BenchmarkError
from arabench.benchmark.commands.options import add_grid, add_seed

HELP = "compare two models (two results, or two models of one results file) with paired bootstrap and randomization"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arabench compare``."""
    parser.add_argument("results_a", metavar="RESULTS_A", help="results directory or results.json of model A")
    parser.add_argument(
        "results_b",
        metavar="RESULTS_B",
        nargs="?",
        help="results of model B (default: RESULTS_A, comparing --model-a and --model-b within it)",
    )
    parser.add_argument("--model-a", metavar="NAME", help="model A (needed when RESULTS_A holds several)")
    parser.add_argument("--model-b", metavar="NAME", help="model B (needed when RESULTS_B holds several)")
    from arabench.benchmark.commands.options import add_view_option

    add_view_option(
        parser,
        "--view",
        metavar="VIEW",
        before="view to compare in: any view both models were scored in (results.json), e.g. ",
    )
    add_grid(parser, repeatable=False)
    parser.add_argument(
        "--resamples", type=int, default=10_000, metavar="N", help="bootstrap resamples (default 10000)"
    )
    add_seed(parser)
    parser.add_argument("--markdown", metavar="FILE", help="also write the comparison as Markdown to FILE")


def main(args: argparse.Namespace) -> int:
    """Compare and print the table."""
    from arabench.annotations.files import atomic_write_text, refuse_output_onto_inputs
    from arabench.benchmark.compare import compare

    if args.markdown:
        _check_writable(Path(args.markdown))
        inputs = {}
        for name, given in (("RESULTS_A", args.results_a), ("RESULTS_B", args.results_b)):
            if given is not None:
                inputs[name] = Path(given) / "results.json" if Path(given).is_dir() else Path(given)
        refuse_output_onto_inputs(args.markdown, inputs, field="--markdown")
    result = compare(
        args.results_a,
        args.results_b,
        model_a=args.model_a,
        model_b=args.model_b,
        view=args.view,
        mode=args.mode,
        boundary=args.boundary,
        layer=args.layer,
        n_resamples=args.resamples,
        seed=args.seed,
    )
    print(result.to_text(), end="")
    if args.markdown:
        try:
            atomic_write_text(args.markdown, result.to_markdown())
        except OSError as exc:
            raise BenchmarkError(
                f"cannot write the Markdown file: {exc.strerror or exc}",
                file=args.markdown,
                field="--markdown",
                fix="give a writable file path",
            ) from None
        print(f"markdown written to {args.markdown}")
    return 0


def _check_writable(path: Path) -> None:
    """Refuse a ``--markdown`` path that cannot be written, before the (long) comparison runs."""
    parent = path.parent if str(path.parent) else Path(".")
    problem = None
    if path.is_dir():
        problem = "it is a directory"
    elif not parent.is_dir():
        problem = f"its directory {parent} does not exist"
    elif not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        problem = "it is not writable"
    if problem:
        raise BenchmarkError(
            f"cannot write the Markdown file: {problem}",
            file=path,
            field="--markdown",
            fix="give a writable file path in an existing directory",
        )
