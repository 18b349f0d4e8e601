"""Every adapter the harness runs without optional extras meets :class:`arabench.models.base.NERModel`.

The harness reads a model only through the Protocol: ``view`` is a view *name*
that :func:`arabench.models.cards.resolve_view` (the one resolving function) turns into
a :class:`~annotations.schema.View`, and every label the model can emit is a
label of that view.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arabench.annotations.corpus import read_corpus
from arabench.annotations.errors import SchemaError
from arabench.annotations.jsonl import write_jsonl
from arabench.annotations.schema import default_schema
from arabench.models.base import NERModel
from arabench.models.cards import resolve_view
from arabench.models.registry import create_model

GOLD = Path(__file__).resolve().parent.parent / "annotations" / "gold"


def _options(name: str, tmp_path: Path) -> tuple[str, dict[str, object]]:
    docs = read_corpus(GOLD)
    if name == "file":
        return f"file:{write_jsonl(docs, tmp_path / 'p.jsonl')}", {"view": "native"}
    if name == "oracle":
        return name, {"gold": docs, "view": "conll4"}
    if name == "empty":
        return name, {"view": "anercorp"}
    return name, {}


@pytest.mark.parametrize("name", ["rules", "oracle", "empty", "file"])
def test_adapter_meets_the_protocol(name: str, tmp_path: Path) -> None:
    spec, options = _options(name, tmp_path)
    model = create_model(spec, **options)
    assert isinstance(model, NERModel)
    assert isinstance(model.view, str)
    view = resolve_view(model.view)
    assert view.name == model.view and model.labels <= view.labels
    assert model.provenance()["view"] == model.view


def test_resolve_view_reads_the_given_schema_first() -> None:
    schema = default_schema()
    assert resolve_view("conll4", schema=schema) is schema.views["conll4"]
    with pytest.raises(SchemaError, match=r"unknown label view \(got 'conll5'\); fix: did you mean 'conll4'\?"):
        resolve_view("conll5")
