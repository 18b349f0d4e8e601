"""``rules``: the adapter (:class:`RuleModel`) behind the registry name ``rules``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import babel

from arabench.annotations.errors import ModelError
from arabench.annotations.spans import Span
from arabench.models.base import Option, Prediction, parse_options
from arabench.models.rules.base import Cand
from arabench.models.rules.catalog import ADAPTER_VERSION, BELOW_BAR, RULES
from arabench.models.rules.gazetteers import data, use_cache
from arabench.models.rules.matcher import Matcher
from arabench.models.rules.resolve import resolve
from arabench.models.rules.spelling import canonical_text

__all__ = ["RuleModel"]


class RuleModel:
    """The offline rule baseline (view ``native``); see :mod:`arabench.models.rules` and :data:`RULES`.

    Args:
        exclude: Rule names or labels to switch off (e.g. ``["NORP",
            "pers.given_name"]``).
        include: Rules below the precision bar (:data:`~models.rules.catalog.BELOW_BAR`, off by
            default) to switch on.

    Raises:
        ModelError: If ``exclude`` names an unknown rule or label, or ``include`` a rule that is not
            below the bar.
    """

    name = "rules"
    view = "native"
    OPTIONS = (
        Option("exclude", "list", help="rule names or labels to switch off (e.g. NORP,pers.given_name)"),
        Option("include", "list", help="rules below the precision bar to switch on"),
        Option("cache_dir", "text", help="the cache root of the built gazetteers (the run's)", from_run="cache_dir"),
        Option(
            "cache",
            "bool",
            True,
            "read the built gazetteers from the cache (false or refresh: build again, overwrite them)",
            choices=("refresh",),
            from_run="cache",
        ),
    )

    def __init__(
        self,
        *,
        exclude: Iterable[str] = (),
        include: Iterable[str] = (),
        cache_dir: str | None = None,
        cache: bool | str = True,
    ) -> None:
        use_cache(cache_dir, read=cache is True)
        excluded = set(exclude) if not isinstance(exclude, str) else {exclude}
        included = set(include) if not isinstance(include, str) else {include}
        if included - set(BELOW_BAR):
            raise ModelError(
                "only rules below the precision bar can be included (the others are on by default)",
                field="include",
                value=sorted(included - set(BELOW_BAR)),
                fix=f"use one of: {', '.join(BELOW_BAR)}",
            )
        labels = {label for label, _ in RULES.values()}
        known = set(RULES) | labels
        unknown = sorted(excluded - known)
        if unknown:
            raise ModelError(
                "unknown rule or label to exclude",
                field="exclude",
                value=unknown,
                fix=f"use rule names ({', '.join(RULES)}) or labels ({', '.join(sorted(labels))})",
            )
        self.exclude = frozenset(excluded)
        self.include = frozenset(included)
        off = (set(BELOW_BAR) - included) | excluded
        self.enabled = frozenset(r for r, (label, _) in RULES.items() if r not in off and label not in excluded)
        self.labels = frozenset(RULES[r][0] for r in self.enabled)

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> RuleModel:
        """Create from the registry name ``rules`` (``arg`` must be ``None``).

        Raises:
            ModelError: On an argument after the name or an unknown option.
        """
        if arg:
            raise ModelError("the rules model takes no argument", field="name", value=f"rules:{arg}", fix="use 'rules'")
        return cls(**parse_options(cls.OPTIONS, options, model="rules"))

    def _run(self, text: str) -> tuple[list[tuple[Span, str]], int, int]:
        """The kept spans (raw offsets) with their rules, and the counts of crossing and same-range drops.

        The matcher reads the text with the spelling variants of :mod:`arabench.models.rules.spelling`
        undone; its spans map back to the raw text through the exact offset map.
        """
        offsets = canonical_text(text)
        kept, dropped, relabelled = resolve(_within_lines(offsets.new, Matcher(offsets.new, self.enabled).run()))
        out = []
        for c in kept:
            span = (
                Span(c.start, c.end, c.label)
                if not len(offsets)
                else offsets.span_to_old(Span(c.start, c.end, c.label))
            )
            if span is not None:
                out.append((span, c.rule))
        return out, dropped, relabelled

    def explain(self, text: str) -> list[tuple[Span, str]]:
        """Return every predicted span with the name of the rule that made it, in text order."""
        return self._run(text)[0]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Apply the rules to each text."""
        out = []
        for text in texts:
            kept, dropped, relabelled = self._run(text)
            diagnostics = {"crossing_dropped": dropped} if dropped else {}
            if relabelled:
                diagnostics["same_range_dropped"] = relabelled
            out.append(Prediction(spans=tuple(span for span, _ in kept), diagnostics=diagnostics))
        return out

    def provenance(self) -> dict[str, object]:
        """Identify the rules: adapter version, Babel/CLDR version, a digest of the looked-up data, rules on."""
        return {
            "id": self.name,
            "adapter": "arabench.models.rules.adapter:RuleModel",
            "adapter_version": ADAPTER_VERSION,
            "revision": f"babel-{babel.__version__}+{data().digest}",
            "view": self.view,
            "label_map": None,
            "rules": sorted(self.enabled),
        }


def _within_lines(text: str, candidates: list[Cand]) -> list[Cand]:
    """The candidates that cross no line break.

    A line break ends a sentence (of a CoNLL file, and of :func:`arabench.annotations.tokenize.sentence_ranges`),
    and no span crosses a sentence boundary.
    """
    if "\n" not in text:
        return candidates
    return [c for c in candidates if "\n" not in text[c.start : c.end]]
