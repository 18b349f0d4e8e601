"""``arabench run``: score models on the gold and write a results directory."""

from __future__ import annotations

import argparse

from eval.modes import HEADLINE, RELATION_LEVELS

HELP = "run models on the gold corpus, score them and write results (JSON, Markdown, CSV, HTML)"

EPILOG = """\
exit status:
  0  every model named with --model was scored (without --model: the default
     suite ran; models that cannot run here are listed as skipped)
  1  a model named with --model could not be loaded or failed, or is partial
     (some of its windows got no answer; it is scored and marked partial with
     the share of failed windows); the results of the others are written
  2  bad usage or bad input (an unknown or repeated model name, an unknown
     view, an unreadable corpus, a negative --seed, an --out that is a file,
     read-only or busy with another run); nothing is run

files written to --out: results.json, summary.md, per_type.csv, errors.jsonl,
report.html, as a unit (a temporary sibling directory renamed into place; a
second run into a busy --out waits 5 s, then refuses). Predictions are cached
in $ARABENCH_CACHE (default ~/.cache/arabench); a second run re-scores from the
cache without loading models.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arabench run``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "--model",
        "-m",
        dest="models",
        action="append",
        metavar="M",
        help="a model to run (repeatable): rules, oracle, empty, hf:<id or dir>[@rev], file:<predictions>, "
        "a model card name ... (default: the default suite, see `arabench models`)",
    )
    parser.add_argument(
        "--corpus",
        metavar="DIR|FILE",
        help="gold corpus: a BRAT directory, a .ann, .jsonl or CoNLL file (default: the packaged gold)",
    )
    parser.add_argument(
        "--view",
        choices=("native", "conll4", "anercorp"),
        help="the leaderboard view (default: native when every model predicts schema types, else conll4); "
        "for a CoNLL corpus also the view of its tags (default: inferred from the tags)",
    )
    parser.add_argument("--out", default="results", metavar="DIR", help="output directory (default: ./results)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=None,
        metavar="N",
        help="bootstrap resamples per figure (default: 1000; 0 disables intervals)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="read no cached prediction or LLM answer; overwrite the ones recomputed"
    )
    parser.add_argument(
        "--relation-level",
        choices=RELATION_LEVELS,
        default=RELATION_LEVELS[0],
        help="score relations between entities (clusters of coreferent mentions: the headline) or between "
        f"mentions (default: {RELATION_LEVELS[0]})",
    )
    parser.add_argument(
        "--llm-base-url",
        metavar="URL",
        help="base URL of the OpenAI-compatible chat API for llm:<model> models, e.g. http://127.0.0.1:8000/v1 "
        "(default: $ARABENCH_LLM_BASE_URL; the API key is read from $OPENAI_API_KEY)",
    )
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("--quiet", "-q", action="store_true", help="no progress bars, no summary on stdout")
    noise.add_argument("--verbose", "-v", action="store_true", help="log per-step timings on stderr")


def main(args: argparse.Namespace) -> int:
    """Run the benchmark and print the leaderboard."""
    import logging
    import sys

    from benchmark.report_text import fmt, fmt_ci, status_text
    from benchmark.results import SCORED_STATUSES
    from benchmark.runner import DEFAULT_BOOTSTRAP, run

    if args.quiet:  # also silence the progress bars of huggingface_hub and transformers
        import os

        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.basicConfig(
        level=logging.INFO if args.verbose else (logging.ERROR if args.quiet else logging.WARNING),
        format="arabench: %(message)s",
        stream=sys.stderr,
    )
    results = run(
        args.models,
        corpus=args.corpus,
        view=args.view,
        corpus_view=args.view,
        out=args.out,
        seed=args.seed,
        cache=not args.no_cache,
        bootstrap=DEFAULT_BOOTSTRAP if args.bootstrap is None else args.bootstrap,
        progress=not args.quiet,
        verbose=args.verbose,
        model_options=_llm_options(args),
        relation_level=args.relation_level,
    )
    if not args.quiet:
        head = HEADLINE
        print(
            f"leaderboard (view {results.leaderboard_view}; "
            f"{head.mode}, {head.boundary} boundaries, {head.layer} layer, micro F1):"
        )
        for row in results.leaderboard():
            if row.status in SCORED_STATUSES:
                flag = " (flagged: not scorable in the leaderboard view)" if row.flagged else ""
                if row.status == "partial":
                    flag += f" {status_text(row.status, row.failed_fraction).upper()}"
                print(
                    f"  {row.model:<40} {row.view:<9} F1 {fmt(row.f1)} {fmt_ci(row.f1_ci)}"
                    f"  char F1 {fmt(row.char_f1)}{flag}"
                )
            else:
                reason = row.reason or ""
                if len(reason) > 110:  # the full reason is in summary.md and results.json
                    reason = reason[:109] + "…"
                print(f"  {row.model:<40} {row.status}: {reason}")
        print(f"results written to {args.out}/ (results.json, summary.md, per_type.csv, errors.jsonl, report.html)")
    for m in results.models:
        if m.explicit and m.status != "scored":
            print(f"arabench run: model {m.name!r} {m.status}: {m.reason}", file=sys.stderr)
    return results.exit_status


def _llm_options(args: argparse.Namespace) -> dict[str, dict[str, object]]:
    """``base_url`` for every ``llm:`` model named (explicit, so that it is part of the cache's name key).

    With ``--no-cache``, also ``cache="refresh"`` for ``llm:`` and ``llm-hf:`` models: their response cache
    is then not read, and the answers received overwrite the stored ones.
    """
    import os

    url = getattr(args, "llm_base_url", None) or os.environ.get("ARABENCH_LLM_BASE_URL")
    refresh = {"cache": "refresh"} if getattr(args, "no_cache", False) else {}
    found: dict[str, dict[str, object]] = {}
    for m in args.models or ():
        options = {**({"base_url": url} if url and m.startswith("llm:") else {}), **refresh}
        if m.startswith(("llm:", "llm-hf:")) and options:
            found[m] = options
    return found
