"""``arabench run``: score models on the gold and write a results directory."""

from __future__ import annotations

import argparse
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from arabench.eval.modes import HEADLINE, RELATION_LEVELS

if TYPE_CHECKING:
    from arabench.benchmark.config import RunConfig
    from arabench.benchmark.results import Results

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

files written to --out: results.json, summary.md, per_type.csv, errors.jsonl.gz,
report.html (and predictions/ with --save-predictions), as a unit (a temporary sibling directory renamed into place; a
second run into a busy --out waits 5 s, then refuses). Predictions, the CRF's
trained model and LLM answers are cached under one root, --cache-dir (default
$ARABENCH_CACHE, else ~/.cache/arabench); a second run re-scores from the cache
without loading models; --no-cache reads none of them.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arabench run``."""
    from arabench.benchmark.commands.options import add_model, add_seed

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    add_model(parser)
    parser.add_argument(
        "--model-option",
        nargs=2,
        action="append",
        default=[],
        metavar=("MODEL", "KEY=VALUE"),
        help="an option of one model (repeatable), typed by its adapter's declaration, e.g. "
        "--model-option file:preds.conll view=anercorp. Keys: " + _option_keys() + " "
        "(types, defaults and ranges: arabench models NAME)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="a run configuration (YAML; see docs/cli.md), or a results.json to repeat its run; flags override it",
    )
    parser.add_argument(
        "--corpus",
        action="append",
        metavar="PATH",
        help="gold corpus (repeatable: one results directory per corpus under --out): a BRAT directory, a .ann, "
        ".jsonl, CoNLL or Label Studio file, a datasets directory or .parquet file, or "
        "hf-dataset:<id>[:config][@split] (default: the packaged gold)",
    )
    parser.add_argument(
        "--corpus-view",
        metavar="VIEW",
        help="the view of the corpus's tags (default: --view if the tags fit it, else inferred from the tags)",
    )
    from arabench.benchmark.commands.options import add_view_option

    parser.add_argument(
        "--units",
        choices=("file", "split"),
        default=None,
        help="scoring units of a CoNLL or token-table corpus: its own sentences and tokens (file, the default), "
        "or re-split by arabench's sentence rule and words (split)",
    )
    add_view_option(
        parser,
        "--view",
        metavar="VIEW",
        before="the leaderboard view: ",
        after=" (default: native when every model predicts schema types, else the first view all share)",
    )
    parser.add_argument("--views", metavar="FILE", help="a YAML file of user label views (see docs/views.md)")
    parser.add_argument(
        "--cards",
        metavar="DIR",
        help="a directory of user model cards, next to the packaged ones (also $ARABENCH_CARDS)",
    )
    parser.add_argument("--out", default=None, metavar="DIR", help="output directory (default: ./results)")
    add_seed(parser, default=None)
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=None,
        metavar="N",
        help="bootstrap resamples per figure (default: 1000; 0 disables intervals)",
    )
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_const",
        const=False,
        default=None,
        help="read nothing from any cache (predictions, the CRF's trained model, LLM answers); "
        "overwrite the entries recomputed",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the one cache root of the run: predictions, the CRF's trained model, LLM answers "
        "(default: $ARABENCH_CACHE, else ~/.cache/arabench)",
    )
    parser.add_argument(
        "--save-predictions",
        action="store_true",
        help="also write each scored model's predictions into OUT/predictions/ (JSONL in the model's view, "
        "index.json naming the files); score them again with -m file:OUT/predictions/NAME.jsonl",
    )
    parser.add_argument(
        "--relation-level",
        choices=RELATION_LEVELS,
        default=None,
        help="score relations between entities (clusters of coreferent mentions: the headline) or between "
        f"mentions (default: {RELATION_LEVELS[0]})",
    )
    parser.add_argument(
        "--llm-base-url",
        metavar="URL",
        help="base URL of the OpenAI-compatible chat API for llm:<model> models, e.g. http://127.0.0.1:8000/v1 "
        "(default: $ARABENCH_LLM_BASE_URL; the API key is read from $OPENAI_API_KEY)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="send nothing and write nothing: print, per LLM model, the windows, the requests (cached answers "
        "left out) and the estimated prompt tokens (and input cost when price_input is given)",
    )
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument(
        "--quiet", "-q", action="store_const", const=True, default=None, help="no progress bars, no summary on stdout"
    )
    noise.add_argument(
        "--verbose", "-v", action="store_const", const=True, default=None, help="log per-step timings on stderr"
    )


def _option_keys() -> str:
    """Every adapter's user option keys, from the declarations (:func:`arabench.models.registry.model_options`)."""
    from arabench.annotations.errors import BenchmarkError
    from arabench.models.registry import NAMES, PREFIXES, model_options

    parts = []
    for name in [*NAMES, *(f"{p}:x" for p in PREFIXES)]:
        try:
            keys = [o.name for o in model_options(name) if o.user]
        except BenchmarkError:  # e.g. an invalid user card: the command itself reports it
            return "see arabench models NAME"
        parts.append(f"{name.removesuffix('x')} {', '.join(keys) or '(none)'}")
    return "; ".join(parts)


def resolve_config(args: argparse.Namespace) -> RunConfig:
    """The run's configuration: ``--config``'s file, the flags given over it, user views and cards registered."""
    from arabench.annotations.schema import register_views_file
    from arabench.benchmark.config import RunConfig, load_config, merge_flags
    from arabench.models.cards import add_cards_dir

    config = load_config(args.config) if args.config else RunConfig()
    flags = {
        "models": args.models,
        "corpus": args.corpus,
        "corpus_view": args.corpus_view,
        "units": args.units,
        "view": args.view,
        "views": None if args.views is None else str(Path(args.views).resolve()),
        "cards": None if args.cards is None else str(Path(args.cards).resolve()),
        "out": args.out,
        "seed": args.seed,
        "bootstrap": args.bootstrap,
        "cache": args.cache,
        "cache_dir": None if args.cache_dir is None else str(Path(args.cache_dir).expanduser().resolve()),
        "llm_base_url": args.llm_base_url,
        "relation_level": args.relation_level,
        "quiet": args.quiet,
        "verbose": args.verbose,
    }
    if args.models is not None and config.models != args.models:
        config.model_options = {}  # the file's options were for the file's models
    config = merge_flags(config, flags, [tuple(pair) for pair in args.model_option])
    if args.config and args.out is None:
        _refuse_overwriting_the_source(Path(args.config), config)
    if config.views:
        register_views_file(config.views)
    if config.cards:
        add_cards_dir(config.cards)
    return config


def _refuse_overwriting_the_source(source: Path, config: RunConfig) -> None:
    """A run repeated from a ``results.json`` never replaces the results it came from unless ``--out`` says so."""
    from arabench.annotations.errors import BenchmarkError

    given = source.expanduser().resolve()
    if given.is_dir():
        given = given / "results.json"
    outs = (
        [Path(config.out)] if len(config.corpus) <= 1 else [Path(config.out) / _corpus_name(c) for c in config.corpus]
    )
    for out in outs:
        if (out.expanduser().resolve() / "results.json") == given:
            raise BenchmarkError(
                "repeating this run would write over the results it is repeated from",
                file=str(source),
                field="--out",
                value=str(out),
                fix="pass --out DIR for the new run (or --out with that same directory to replace it)",
            )


def main(args: argparse.Namespace) -> int:
    """Run the benchmark and print the leaderboard."""
    import logging
    import sys

    from arabench.benchmark.corpus_io import load_corpus
    from arabench.benchmark.runner import DEFAULT_BOOTSTRAP, run

    config = resolve_config(args)
    if config.quiet:  # also silence the progress bars of huggingface_hub and transformers
        import os

        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.basicConfig(
        level=logging.INFO if config.verbose else (logging.ERROR if config.quiet else logging.WARNING),
        format="arabench: %(message)s",
        stream=sys.stderr,
    )
    if config.view is not None:
        from arabench.annotations.schema import default_schema

        default_schema().view(config.view)  # an unknown view: the schema's error before any corpus is read
    if config.bootstrap is None:
        config.bootstrap = DEFAULT_BOOTSTRAP
    corpora: list[str | None] = list(config.corpus) or [None]
    # Every corpus is read before any model runs: a bad path or tag set costs no run.
    names = [_corpus_name(c) for c in corpora]
    if len(set(names)) != len(names):
        from arabench.annotations.errors import BenchmarkError

        twice = next(n for n in names if names.count(n) > 1)
        raise BenchmarkError(
            "two corpora would write the same results directory",
            field="--corpus",
            value=twice,
            fix="give the corpora different file names, or run them one at a time with their own --out",
        )
    _refuse_inputs_inside_out(config, corpora)
    golds = [load_corpus(c, view=config.corpus_view, prefer=config.view, units=config.units) for c in corpora]
    if getattr(args, "dry_run", False):
        from arabench.benchmark.dryrun import plan_run
        from arabench.benchmark.runner import run_values, with_run_values
        from arabench.models.registry import default_suite

        models = config.models or default_suite()
        for gold in golds:
            values = run_values(gold, cache=config.cache, cache_dir=config.cache_dir, llm_base_url=config.llm_base_url)
            options = {m: with_run_values(m, dict(config.model_options.get(m, {})), values) for m in models}
            plan = plan_run(models, corpus=gold, model_options=options)
            print(plan.table())
        return 0
    status = 0
    outs = []
    for corpus_path, gold in zip(corpora, golds, strict=True):
        out = config.out if len(corpora) == 1 else str(Path(config.out) / _corpus_name(corpus_path))
        outs.append(out)
        recorded = replace(config, corpus=[] if corpus_path is None else [corpus_path], out=out)
        results = run(
            config.models,
            corpus=gold,
            view=config.view,
            out=out,
            seed=config.seed,
            cache=config.cache,
            cache_dir=config.cache_dir,
            bootstrap=config.bootstrap,
            progress=not config.quiet,
            verbose=config.verbose,
            model_options=config.model_options,
            llm_base_url=config.llm_base_url,
            configuration=recorded.as_json(),
            relation_level=config.relation_level,
            save_predictions=getattr(args, "save_predictions", False),
        )
        if not config.quiet:
            _print_leaderboard(results, out, corpus=corpus_path if len(corpora) > 1 else None)
        for m in results.models:
            if m.explicit and m.status != "scored":
                print(f"arabench run: model {m.name!r} {m.status}: {m.reason}", file=sys.stderr)
        status = max(status, results.exit_status)
    if len(corpora) > 1 and not config.quiet:  # the combined table, from the results directories just written
        from arabench.benchmark.leaderboard import leaderboard

        print(f"\ncombined leaderboard (arabench leaderboard {' '.join(outs)}):")
        print(leaderboard(outs, view=config.view, seed=config.seed).to_text(), end="")
    return status


def _refuse_inputs_inside_out(config: RunConfig, corpora: list[str | None]) -> None:
    """Refuse an ``--out`` that holds an input of the run (it is replaced as a whole).

    The inputs: corpus, views, cards, a ``file:`` model's predictions. A ``--config`` results.json inside it is read
    before anything runs, so repeating a run into its own directory stays possible.
    """
    from arabench.annotations.files import refuse_output_onto_inputs

    inputs: dict[str, str | None] = {"--views": config.views, "--cards": config.cards}
    for model in config.models or ():
        if model.startswith("file:"):
            inputs[f"the predictions of -m {model}"] = model[len("file:") :]
    for corpus in corpora:
        if corpus is not None and not corpus.startswith("hf-dataset:"):
            inputs[f"--corpus {corpus}"] = corpus
    for corpus in corpora:
        out = config.out if len(corpora) == 1 else str(Path(config.out) / _corpus_name(corpus))
        refuse_output_onto_inputs(out, inputs, field="--out", whole=True)


def _corpus_name(path: str | None) -> str:
    if path is None:
        return "gold"
    name = path.rstrip("/").replace("hf-dataset:", "").replace("/", "_").replace(":", "_").replace("@", "_")
    return Path(name).stem or "corpus"


def _print_leaderboard(results: Results, out: str, *, corpus: str | None) -> None:
    from arabench.benchmark.report_text import fmt, fmt_ci, status_text
    from arabench.benchmark.results import SCORED_STATUSES

    head = HEADLINE
    fixes: dict[str, list[str]] = {}
    where = f"corpus {corpus}, " if corpus else ""
    print(
        f"leaderboard ({where}view {results.leaderboard_view}; "
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
        elif row.status == "skipped":  # one line each; the fix they share is said once, below
            what, fix = split_reason(row.reason or "")
            print(f"  {row.model:<40} skipped: {what}")
            if fix:
                fixes.setdefault(fix, []).append(row.model)
        else:
            # The reason ends with its fix: wrapped, never cut (also: `arabench models NAME`).
            lines = textwrap.wrap(f"{row.status}: {row.reason or ''}", width=78) or [row.status]
            print(f"  {row.model:<40} {lines[0]}")
            for line in lines[1:]:
                print(f"  {'':<40} {line}")
    for fix, models in fixes.items():
        who = f"the {len(models)} skipped models" if len(models) > 1 else models[0]
        lines = textwrap.wrap(f"fix for {who}: {fix}", width=118)
        print("\n".join(f"  {line}" for line in lines))
    print(f"results written to {out}/ (results.json, summary.md, per_type.csv, errors.jsonl.gz, report.html)")


_HEX = re.compile(r"\b[0-9a-f]{40}\b")
_HF_COMMAND = re.compile(r"`hf download \S+ --revision \S+`")


def split_reason(reason: str) -> tuple[str, str | None]:
    """A skip reason as (what happened, in one line; its fix, with model-specific ids made placeholders).

    The fix starts after the first ``": "`` outside parentheses and backticks; a model's hub command becomes
    ``hf download REPO --revision REVISION`` (``arabench models NAME`` prints each model's), so the models
    skipped for one cause share one fix. A full revision hash in what happened is shortened to 12 characters.
    """
    text = reason.removeprefix("not available here: ")
    depth, quoted, cut = 0, False, None
    for i, ch in enumerate(text):
        if ch == "`":
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth = max(0, depth - 1)
        elif not quoted and depth == 0 and text.startswith(": ", i):
            cut = i
            break
    what, fix = (text, None) if cut is None else (text[:cut], text[cut + 2 :])
    what = _HEX.sub(lambda m: m.group(0)[:12] + "…", what)
    if fix is not None:
        fix = _HF_COMMAND.sub("`hf download REPO --revision REVISION`, see `arabench models NAME`", fix)
        fix = _HEX.sub("REVISION", fix)
    return what, fix
