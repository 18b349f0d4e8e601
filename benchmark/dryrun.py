"""A dry run: what the LLMs of a run would send (windows, requests, estimated tokens and cost), sending nothing.

:func:`plan_run` builds each model (nothing is sent while building), asks an
adapter that can plan (the LLM adapters' ``plan``) what it would do with the
corpus's texts, and returns a :class:`RunPlan`. Answers already in the LLM
response cache are counted ``cached_windows`` and would not be sent.
``arabench run --dry-run`` prints it and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from arabench.annotations.errors import BenchmarkError
from arabench.benchmark.corpus_io import Corpus, load_corpus
from arabench.models.llm.accounting import parse_price

__all__ = ["ModelPlan", "RunPlan", "plan_run"]


@dataclass(frozen=True)
class ModelPlan:
    """What one model would send.

    Attributes:
        name: The model name.
        status: ``planned``, ``no requests`` (a model that sends none) or ``failed`` (it could not be built).
        reason: Why, for the last two.
        counts: ``windows``, ``cached_windows``, ``requests`` and ``prompt_tokens_estimated``.
        cost_input_estimated: The estimated input cost, when ``price_input`` was given.
    """

    name: str
    status: str
    reason: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    cost_input_estimated: float | None = None


@dataclass(frozen=True)
class RunPlan:
    """A dry run over one corpus."""

    corpus: str
    texts: int
    models: list[ModelPlan]

    def as_json(self) -> dict[str, object]:
        """The plan as JSON-able data."""
        return {"corpus": self.corpus, "texts": self.texts, "models": [asdict(m) for m in self.models]}

    def table(self) -> str:
        """A plain-text table of the plan."""
        lines = [f"dry run over {self.corpus} ({self.texts} texts): nothing was sent", ""]
        lines.append(f"{'model':<32} {'windows':>8} {'cached':>8} {'requests':>9} {'~prompt tokens':>15}  cost (in)")
        for m in self.models:
            if m.status == "no requests":
                lines.append(f"{m.name:<32} sends no request ({m.reason})")
                continue
            if m.status != "planned":
                lines.append(f"{m.name:<32} {m.status}: {m.reason}")
                continue
            c = m.counts
            cost = "–" if m.cost_input_estimated is None else f"~{m.cost_input_estimated:.4f}"
            lines.append(
                f"{m.name:<32} {c['windows']:>8} {c['cached_windows']:>8} {c['requests']:>9} "
                f"{c['prompt_tokens_estimated']:>15,}  {cost}"
            )
        lines += ["", "Tokens are estimated (characters / 4); answers' tokens are not known before they are sent."]
        return "\n".join(lines)


def plan_run(
    models: Sequence[str],
    *,
    corpus: str | Path | Corpus | None = None,
    model_options: Mapping[str, Mapping[str, object]] | None = None,
) -> RunPlan:
    """Count what every model of ``models`` would send for ``corpus``, sending nothing.

    Raises:
        BenchmarkError: For an unreadable corpus.
    """
    from arabench.models.registry import create_model, get_info, load_adapter

    gold = corpus if isinstance(corpus, Corpus) else load_corpus(corpus)
    plans = []
    for name in models:
        options = dict((model_options or {}).get(name, {}))
        try:  # an adapter that can plan its requests has a plan() method; the harness names no model
            plans_requests = hasattr(load_adapter(get_info(name).adapter), "plan")
        except BenchmarkError as exc:
            plans.append(ModelPlan(name, "failed", str(exc)))
            continue
        if not plans_requests:
            plans.append(ModelPlan(name, "no requests", "not an LLM adapter"))
            continue
        try:
            instance = create_model(name, **options)
            counts = instance.plan(gold.texts)  # type: ignore[attr-defined]
        except BenchmarkError as exc:
            plans.append(ModelPlan(name, "failed", str(exc)))
            continue
        price = parse_price(options.get("price_input"), "price_input")
        cost = None if price is None else round(counts["prompt_tokens_estimated"] * price / 1e6, 6)
        plans.append(ModelPlan(name, "planned", None, counts, cost))
    return RunPlan(str(gold.path), len(gold.texts), plans)
