"""The options several subcommands share: one name, one help string, one list of choices each.

Every help string here is generated from the module that owns the vocabulary:
the scoring grid from :mod:`arabench.eval.modes`, tagging schemes from
:mod:`arabench.annotations.tags`, formats from :mod:`arabench.annotations.formats` and model
names from :mod:`arabench.models.registry` (read when the help is built, so a model
registered later, ``crf`` or a plugin, is listed). A subcommand declares a
shared option only through the ``add_*`` functions below, so ``arabench X
--help`` says the same thing for the same option in every X
(``tests/test_cli_options.py`` checks it).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from arabench.eval.modes import BOUNDARIES, HEADLINE, LAYERS, MODES, MatchMode

__all__ = [
    "SHARED_OPTIONS",
    "add_format",
    "add_grid",
    "add_model",
    "add_no_type_check",
    "add_scheme",
    "add_seed",
    "format_help",
    "grid_help",
    "model_help",
    "scheme_help",
]

#: The options declared here (the CLI test compares their help across subcommands).
SHARED_OPTIONS: tuple[str, ...] = (
    "--mode",
    "--boundary",
    "--layer",
    "--seed",
    "--scheme",
    "--format",
    "--model",
    "--no-type-check",
)

#: What each boundary convention and layer of :mod:`arabench.eval.modes` means (checked against it below).
_BOUNDARY_TEXT = {"char": "raw character offsets", "word": "spans widened to whole words"}
_LAYER_TEXT = {"flat": "outermost spans only", "nested": "every span"}
if set(_BOUNDARY_TEXT) != set(BOUNDARIES) or set(_LAYER_TEXT) != set(LAYERS):  # pragma: no cover - a new grid value
    raise RuntimeError("arabench.benchmark.commands.options: describe every boundary and layer of eval.modes")


def _mode_text(mode: MatchMode) -> str:
    span = "exact range" if mode.boundary_rule == "exact" else "any overlap"
    types = "type must agree" if mode.type_rule else "type ignored"
    credit = f", {mode.partial_credit:g} credit for an overlap" if mode.partial_credit != 1.0 else ""
    return f"{mode.name} ({span}, {types}{credit})"


def grid_help() -> dict[str, str]:
    """Help of ``--mode``, ``--boundary`` and ``--layer``, from :mod:`arabench.eval.modes`."""
    return {
        "--mode": "match mode: " + "; ".join(_mode_text(m) for m in MODES.values()) + f" (default: {HEADLINE.mode})",
        "--boundary": "span boundaries: "
        + "; ".join(f"{b} ({_BOUNDARY_TEXT[b]})" for b in BOUNDARIES)
        + f" (default: {HEADLINE.boundary})",
        "--layer": "span layer: "
        + "; ".join(f"{x} ({_LAYER_TEXT[x]})" for x in LAYERS)
        + f" (default: {HEADLINE.layer})",
    }


def add_grid(parser: argparse.ArgumentParser, *, repeatable: bool) -> None:
    """Add ``--mode``, ``--boundary``, ``--layer`` in a group saying whether they repeat.

    Args:
        parser: The subcommand's parser.
        repeatable: Each option may repeat or be ``all`` (default ``None``:
            the headline); otherwise one value each, default the headline.
    """
    helps = grid_help()
    if repeatable:
        group = parser.add_argument_group(
            "scoring grid (each option repeatable, or all; every setting is scored from one read)"
        )
        for option, values in (("--mode", list(MODES)), ("--boundary", BOUNDARIES), ("--layer", LAYERS)):
            group.add_argument(option, action="append", choices=[*values, "all"], help=helps[option])
        return
    group = parser.add_argument_group("scoring setting (one value each)")
    group.add_argument("--mode", default=HEADLINE.mode, choices=list(MODES), help=helps["--mode"])
    group.add_argument("--boundary", default=HEADLINE.boundary, choices=BOUNDARIES, help=helps["--boundary"])
    group.add_argument("--layer", default=HEADLINE.layer, choices=LAYERS, help=helps["--layer"])


SEED_HELP = (
    "seed of the resampling: run's bootstrap intervals, the paired tests of compare and leaderboard (default: 0)"
)


def add_seed(parser: argparse.ArgumentParser, *, default: int | None = 0) -> None:
    """Add ``--seed`` (default 0; ``None`` where a configuration file may give it, and 0 is applied later)."""
    parser.add_argument("--seed", type=int, default=default, help=SEED_HELP)


def scheme_choices() -> tuple[str, ...]:
    """The values ``--scheme`` accepts: the schemes of :data:`arabench.annotations.tags.SCHEMES` and their aliases.

    ``ANY`` (every prefix of every scheme) is the adapters' reading of a model's label set, not a file scheme:
    on a file it would read any prefix as a tag.
    """
    from arabench.annotations.tags import SCHEME_ALIASES, SCHEMES

    return (*(n for n in SCHEMES if n != "ANY"), *SCHEME_ALIASES)


def scheme_help() -> str:
    """Help of ``--scheme``, from :data:`arabench.annotations.tags.SCHEMES` and its aliases."""
    from arabench.annotations.tags import SCHEME_ALIASES, SCHEMES

    names = [f"{n} (bare types)" if n == "IO" else n for n in SCHEMES if n != "ANY"]
    aliases = ", ".join(f"{a}={n}" for a, n in SCHEME_ALIASES.items())
    return f"tagging scheme of CoNLL tags: {', '.join(names)}; aliases {aliases} (default: BIO2)"


def add_scheme(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, default: str | None) -> None:
    """Add ``--scheme`` (``default``: ``"BIO2"``, or ``None`` where the format decides)."""
    parser.add_argument("--scheme", metavar="SCHEME", default=default, choices=scheme_choices(), help=scheme_help())


def format_help() -> str:
    """Help of ``--format``, from :data:`arabench.annotations.formats.FORMATS`."""
    from arabench.annotations.formats import FORMATS

    return (
        f"annotation format: {', '.join(FORMATS)} "
        "(default: inferred from each path and its content, by the same rules in every command)"
    )


def add_format(parser: argparse.ArgumentParser) -> None:
    """Add ``--format FMT``."""
    from arabench.annotations.formats import FORMATS

    parser.add_argument("--format", choices=list(FORMATS), default=None, metavar="FMT", help=format_help())


def _prefix_form(prefix: str, description: str) -> str:
    found = re.search(rf"{re.escape(prefix)}:<[^>]*>(\[[^\]]*\])?", description)
    return found.group(0) if found else f"{prefix}:<argument>"


def model_help() -> str:
    """Help of ``--model``, from the registry's ``NAMES`` and ``PREFIXES``."""
    from arabench.models.registry import NAMES, PREFIXES

    forms = [_prefix_form(p, e.description) + (f" (or {p}: alone)" if e.bare else "") for p, e in PREFIXES.items()]
    return (
        f"a model to run (repeatable): {', '.join(NAMES)}, {', '.join(forms)}, or a model card name "
        "(`arabench models` lists them all and whether each runs here; default: the default suite)"
    )


def add_model(parser: argparse.ArgumentParser) -> None:
    """Add ``--model M`` / ``-m M`` (repeatable, ``dest="models"``)."""
    parser.add_argument("--model", "-m", dest="models", action="append", metavar="M", help=model_help())


NO_TYPE_CHECK_HELP = "do not check entity and relation types against the schema (for annotations in another label view)"


def add_no_type_check(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-type-check``."""
    parser.add_argument("--no-type-check", action="store_true", help=NO_TYPE_CHECK_HELP)


def add_view_option(parser: argparse.ArgumentParser, *flags: str, before: str, after: str = "", **kwargs: Any) -> None:
    """Add a ``--view``-like option whose help is ``before + views_help() + after``, made when help is printed.

    Listing the registered views parses the packaged schema (YAML): every start of a command paid for it
    to build a help text that is mostly never printed. The option stores its value like any other.
    """

    class _View(argparse.Action):
        def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
            setattr(namespace, self.dest, values)

        @property
        def help(self) -> str:
            return before + views_help() + after

        @help.setter
        def help(self, value: str | None) -> None:  # argparse sets it; the text is made when read
            pass

    parser.add_argument(*flags, action=_View, **kwargs)


def views_help() -> str:
    """The registered views for every ``--view`` help (read from the one view registry).

    The model cards' views are named by reference, not listed: listing them means reading every card,
    which cost a quarter of a second at each start of every command (``arabench models`` lists them).
    """
    from arabench.annotations.schema import registered_views

    packaged = ", ".join(registered_views(("packaged",), provide=False))
    return f"{packaged}; a model card's view (see arabench models); or a view of a --views file"
