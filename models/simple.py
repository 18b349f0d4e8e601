"""Two reference models that bound every score: ``oracle`` (the gold itself) and ``empty`` (nothing).

``oracle`` echoes the gold spans of the documents it was given, so a scorer
run against it must report F1 = 1.0 in every scored type; ``empty`` predicts no
span at all, so it must report recall 0 and no false positives. Both exist to
check the harness end to end, and as the floor and ceiling of a results table.

Neither model reads anything but its options; neither needs a download. The
oracle's provenance carries a digest of the gold content it echoes (spans and
relations, not only document ids), so its cached predictions follow the gold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from arabench.annotations.errors import ModelError
from arabench.annotations.files import canonical_sha256, text_sha256
from arabench.annotations.schema import default_schema
from arabench.annotations.spans import Document, Span
from arabench.models.base import Option, Prediction, parse_options

__all__ = ["OracleModel", "EmptyModel", "ADAPTER_VERSION"]

#: Bumped whenever these adapters change what they predict.
ADAPTER_VERSION = "1"

_LAYERS = ("nested", "flat")


def _check_view(view: str) -> str:
    default_schema().view(view)  # raises SchemaError (a BenchmarkError) with a suggestion
    return view


class OracleModel:
    """Echo the gold spans of known texts: the ceiling of every score.

    Args:
        gold: The gold documents. A text is recognised when it is *identical*
            to a gold document's text (no normalization).
        layer: ``"nested"`` (default) echoes every gold span, nested ones
            included; ``"flat"`` echoes only the outermost spans.
        view: The label view to predict in (default ``"native"``); gold spans
            are projected into it, types the view ignores are left out.
        gold_view: The view the gold labels are in (default ``"native"``: the
            schema's types). A corpus read from a CoNLL file labelled
            ``PERS/LOC/ORG/MISC`` is already in the ``anercorp`` view: pass
            ``gold_view="anercorp"`` (and the same ``view``) and its spans are
            echoed as they are.
        relations: Echo the gold relations too (default ``True``). Relations
            whose arguments are not echoed (e.g. a nested argument under
            ``layer="flat"``) are left out and counted as
            ``dropped_relations`` in the diagnostics.

    Raises:
        ModelError: If two gold documents have the same text with different
            annotations, or an option is invalid.
    """

    name = "oracle"
    OPTIONS = (
        Option("gold", "object", help="the gold documents (given by the run)", from_run="gold", user=False),
        Option("layer", "text", "nested", "echo every gold span (nested) or the outermost (flat)", choices=_LAYERS),
        Option("view", "text", "native", "the view to predict in (default: the corpus's)", from_run="corpus_view"),
        Option("gold_view", "text", "native", "the view the gold is labelled in", from_run="corpus_view"),
        Option("relations", "bool", True, "echo the gold relations too"),
    )

    def __init__(
        self,
        *,
        gold: Sequence[Document],
        layer: str = "nested",
        view: str = "native",
        gold_view: str = "native",
        relations: bool = True,
    ) -> None:
        if layer not in _LAYERS:
            raise ModelError("unknown layer", field="layer", value=layer, fix=f"use one of {', '.join(_LAYERS)}")
        if isinstance(gold, Document):
            gold = [gold]
        self.view = _check_view(view)
        self.gold_view = _check_view(gold_view)
        if self.gold_view not in ("native", self.view):
            raise ModelError(
                f"the oracle cannot relabel gold in view {gold_view!r} into view {view!r}",
                field="view",
                value=view,
                fix=f"pass view={gold_view!r}, the view the gold is labelled in",
            )
        self.layer = layer
        self.relations = bool(relations)
        self.labels = frozenset(default_schema().view(view).labels)
        self._by_text: dict[str, Document] = {}
        for doc in gold:
            if not isinstance(doc, Document):
                raise ModelError(
                    "the oracle's gold must be Document objects",
                    field="gold",
                    value=type(doc).__name__,
                    fix="pass the documents read with annotations.corpus (or Document instances)",
                )
            known = self._by_text.get(doc.text)
            if known is not None and (sorted(known.entities.values()) != sorted(doc.entities.values())):
                raise ModelError(
                    f"gold documents {known.id!r} and {doc.id!r} have the same text but different entities",
                    field="gold",
                    value=doc.id,
                    fix="pass each text once",
                )
            self._by_text.setdefault(doc.text, doc)

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> OracleModel:
        """Create from the registry name ``oracle`` (``arg`` must be ``None``).

        Raises:
            ModelError: On an argument after the name, a missing ``gold`` or an unknown option.
        """
        if arg:
            raise ModelError("the oracle takes no argument", field="name", value=f"oracle:{arg}", fix="use 'oracle'")
        options = parse_options(cls.OPTIONS, options, model="oracle")
        if "gold" not in options:
            raise ModelError(
                "the oracle needs the gold documents",
                field="gold",
                fix="pass gold=[Document, ...] (e.g. create_model('oracle', gold=docs))",
            )
        return cls(**options)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return the gold spans (and relations) of each text.

        Raises:
            ModelError: For a text that is not identical to a gold text.
        """
        view = default_schema().view(self.view)
        result = []
        for i, text in enumerate(texts):
            doc = self._by_text.get(text)
            if doc is None:
                preview = text[:40] + ("…" if len(text) > 40 else "")
                raise ModelError(
                    f"the oracle does not know text #{i}",
                    field="texts",
                    value=preview,
                    fix="predict only texts identical to a gold document's text (ids: "
                    + ", ".join(d.id for d in self._by_text.values())
                    + ")",
                )
            spans = doc.flat_spans if self.layer == "flat" else doc.spans
            if self.gold_view == self.view:
                projected = {s: s for s in spans}
            else:
                projected = {s: p for s, p in zip(spans, _project_each(view, spans), strict=True) if p is not None}
            relations = []
            dropped = 0
            if self.relations:
                for rel in doc.relations.values():
                    a1, a2 = projected.get(rel.arg1), projected.get(rel.arg2)
                    if a1 is None or a2 is None:
                        dropped += 1
                        continue
                    relations.append(type(rel)(rel.label, a1, a2))
            diagnostics = {"dropped_relations": dropped} if dropped else {}
            clusters = []  # the gold entity layer, over the mentions predicted
            for group in doc.clusters:
                members = tuple(dict.fromkeys(projected[m] for i in group if (m := doc.entities[i]) in projected))
                if len(members) > 1:
                    clusters.append(members)
            result.append(
                Prediction(
                    spans=tuple(dict.fromkeys(projected.values())),
                    relations=relations,
                    diagnostics=diagnostics,
                    clusters=tuple(clusters),
                )
            )
        return result

    def gold_sha256(self) -> str:
        """sha256 of everything the oracle echoes: each gold document's id, text, spans and relations.

        Part of :meth:`provenance`, so the predictions cache (keyed by it)
        never serves the oracle of a gold that has since been corrected, nor of
        another corpus that shares a document id and text.
        """
        return canonical_sha256(
            [
                {
                    "id": doc.id,
                    "text": text_sha256(doc.text),
                    "spans": sorted([s.start, s.end, s.label] for s in doc.spans),
                    "flat": sorted([s.start, s.end, s.label] for s in doc.flat_spans),
                    "relations": sorted(
                        [r.label, [r.arg1.start, r.arg1.end, r.arg1.label], [r.arg2.start, r.arg2.end, r.arg2.label]]
                        for r in doc.relations.values()
                    ),
                }
                for doc in sorted(self._by_text.values(), key=lambda d: (d.id, text_sha256(d.text)))
            ]
        )

    def provenance(self) -> dict[str, object]:
        """Identify the oracle: its gold (ids and a content digest), layer and view."""
        return {
            "id": self.name,
            "adapter": "arabench.models.simple:OracleModel",
            "adapter_version": ADAPTER_VERSION,
            "revision": None,
            "view": self.view,
            "gold_view": self.gold_view,
            "label_map": None,
            "layer": self.layer,
            "relations": self.relations,
            "gold_ids": sorted(d.id for d in self._by_text.values()),
            "gold_sha256": self.gold_sha256(),
        }


def _project_each(view: Any, spans: Sequence[Span]) -> list[Span | None]:
    out: list[Span | None] = []
    for span in spans:
        label = view.label_of(span.label)
        out.append(None if label is None else span.with_label(label))
    return out


class EmptyModel:
    """Predict nothing: the floor of every score (recall 0, no false positives).

    Args:
        view: The label view (default ``"native"``).
        labels: The labels it claims to cover (default: every label of the
            view). The harness counts gold mentions of covered labels as the
            model's misses, so the default makes ``empty`` score 0 recall on
            every type; pass a subset to compare with a model that covers only
            those types.

    Raises:
        ModelError: If a label is not a label of the view.
    """

    name = "empty"
    OPTIONS = (
        Option("view", "text", "native", "the view it predicts (nothing) in"),
        Option("labels", "list", help="the view labels it claims to emit (default: every label of the view)"),
    )

    def __init__(self, *, view: str = "native", labels: Iterable[str] | None = None) -> None:
        self.view = _check_view(view)
        view_labels = default_schema().view(view).labels
        if labels is None:
            self.labels = frozenset(view_labels)
        else:
            chosen = frozenset(labels)
            unknown = sorted(chosen - view_labels)
            if unknown:
                raise ModelError(
                    f"labels not in view {view!r}",
                    field="labels",
                    value=unknown,
                    fix=f"use labels among {', '.join(sorted(view_labels))}",
                )
            self.labels = chosen

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> EmptyModel:
        """Create from the registry name ``empty`` (``arg`` must be ``None``).

        Raises:
            ModelError: On an argument after the name or an unknown option.
        """
        if arg:
            raise ModelError("the empty model takes no argument", field="name", value=f"empty:{arg}", fix="use 'empty'")
        return cls(**parse_options(cls.OPTIONS, options, model="empty"))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one empty prediction per text."""
        return [Prediction() for _ in texts]

    def provenance(self) -> dict[str, object]:
        """Identify the empty model: its view and labels."""
        return {
            "id": self.name,
            "adapter": "arabench.models.simple:EmptyModel",
            "adapter_version": ADAPTER_VERSION,
            "revision": None,
            "view": self.view,
            "label_map": None,
            "labels": sorted(self.labels),
        }
