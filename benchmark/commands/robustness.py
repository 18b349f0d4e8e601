"""``arabench robustness``: score models on the clean corpus and on every perturbation of a suite."""

from __future__ import annotations

import argparse

HELP = "score models under perturbations of Arabic spelling (tashkeel, tatweel, hamza, digits, typos...)"

EPILOG = """\
exit status:
  0  every model ran and every threshold of the suite (max_drop, min_invariance) holds
  1  a threshold is broken (each is named on stderr: model, perturbation, value and threshold),
     or a model failed; the results are written all the same
  2  bad usage or bad input (an unknown perturbation, a rate outside [0, 1], an unreadable suite
     or corpus); nothing is run

files written to --out: results.json, summary.md, report.html (see docs/robustness.md).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arabench robustness``."""
    from arabench.benchmark.commands.options import add_model, add_seed

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    add_model(parser)
    parser.add_argument(
        "--suite",
        metavar="FILE",
        help="a suite YAML file (default: the packaged default suite: every perturbation once at a 20%% rate)",
    )
    parser.add_argument(
        "--corpus",
        metavar="PATH",
        help="gold corpus in any format arabench reads (default: the packaged gold)",
    )
    parser.add_argument("--corpus-view", metavar="VIEW", help="the view of the corpus's tags (default: inferred)")
    parser.add_argument(
        "--model-option",
        nargs=2,
        action="append",
        default=[],
        metavar=("MODEL", "KEY=VALUE"),
        help="an option of one model (repeatable), checked by its adapter",
    )
    parser.add_argument("--out", default="robustness", metavar="DIR", help="output directory (default: ./robustness)")
    add_seed(parser)
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="paired-bootstrap resamples per perturbation (default: 1000; 0 disables intervals)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors and broken thresholds")


def main(args: argparse.Namespace) -> int:
    """Run the suite, write the results and report broken thresholds."""
    import sys

    from arabench.benchmark.config import RunConfig, merge_flags
    from arabench.benchmark.corpus_io import load_corpus
    from arabench.benchmark.robustness import default_suite_path, load_suite, robustness, write_robustness

    suite = load_suite(args.suite or default_suite_path())
    corpus = load_corpus(args.corpus, view=args.corpus_view)
    models = args.models or ["rules", "crf"]
    config = merge_flags(RunConfig(), {"models": models}, [tuple(pair) for pair in args.model_option])
    result = robustness(
        models,
        corpus=corpus,
        suite=suite,
        n_resamples=args.bootstrap,
        seed=args.seed,
        model_options=config.model_options,
    )
    written = write_robustness(result, args.out)
    if not args.quiet:
        for m in result.models:
            if m.status != "scored":
                continue
            print(f"{m.model} (view {m.view}): clean F1 {m.clean_f1:.4f}" if m.clean_f1 is not None else m.model)
            for p in m.perturbations:
                change = "n/a" if p.change is None else f"{p.change:+.4f}"
                ci = "" if p.ci is None or None in p.ci else f" [{p.ci[0]:+.4f}, {p.ci[1]:+.4f}]"
                inv = "n/a" if p.invariance is None else f"{p.invariance:.3f} ({p.invariant_units}/{p.units_perturbed})"
                f1 = "n/a" if p.f1 is None else f"{p.f1:.4f}"
                print(f"  {p.name:<24} F1 {f1}  change {change}{ci}  invariance {inv}")
        print(f"results written to {written['results'].parent}/ (results.json, summary.md, report.html)")
    for failure in result.failures:
        print(f"arabench robustness: {failure}", file=sys.stderr)
    return result.exit_status
