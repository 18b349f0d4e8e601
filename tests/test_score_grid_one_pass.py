"""The scoring grid from one pass equals scoring each setting on its own, on random inputs (Hypothesis).

:func:`arabench.eval.spans.score_span_grid` shares the scope, snapping, sorting, flat layer
and unit rows between settings; :func:`arabench.eval.tokens.score_token_views` projects once
for every scheme; :func:`arabench.eval.stats.bootstrap_many` draws the resamples once for
many arrays. Each must give exactly the numbers (and error records) of the per-setting call.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabench.annotations.errors import ScoringError
from arabench.annotations.spans import Span
from arabench.eval.modes import span_grid
from arabench.eval.spans import score_span_grid, score_spans
from arabench.eval.stats import bootstrap, bootstrap_many
from arabench.eval.tokens import TOKEN_SCHEMES, score_token_view, score_token_views

ALPHABET = "وبالقاهرة سمير "
LABELS = ("A", "B", "C")


@st.composite
def corpora(draw):
    """Documents with random (nested, crossing, duplicate) spans and sentence units covering each text."""
    n_docs = draw(st.integers(1, 4))
    texts, gold, pred, units = [], [], [], []
    for _ in range(n_docs):
        text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
        n = len(text)
        span = st.builds(
            lambda a, length, label, n=n: Span(a, min(n, a + length), label),
            st.integers(0, n - 1),
            st.integers(1, 8),
            st.sampled_from(LABELS),
        )
        cuts = sorted(set(draw(st.lists(st.integers(1, n - 1), max_size=3)))) if n > 1 else []
        bounds = [0, *cuts, n]
        texts.append(text)
        gold.append(draw(st.lists(span, max_size=8)))
        pred.append(draw(st.lists(span, max_size=8)))
        units.append(list(pairwise(bounds)))
    return texts, gold, pred, units


def _same(a, b) -> None:
    assert a.types == b.types
    assert a.unit_docs == b.unit_docs
    assert np.array_equal(a.unit_counts, b.unit_counts)
    assert (a.mode, a.boundary, a.layer) == (b.mode, b.boundary, b.layer)
    assert dict(a.out_of_scope) == dict(b.out_of_scope) and dict(a.notes) == dict(b.notes)
    assert a.errors == b.errors


@settings(max_examples=80, deadline=None)
@given(corpora(), st.booleans(), st.booleans(), st.sampled_from([None, ("A", "B"), ("C",)]))
def test_grid_equals_each_setting_alone(corpus, with_units, with_errors, labels) -> None:
    texts, gold, pred, units = corpus
    grid = list(span_grid())
    errors = grid if with_errors else [s for s in grid if s[:2] == ("strict", "word")]
    scored = score_span_grid(
        gold, pred, grid, texts=texts, units=units if with_units else None, labels=labels, errors=errors
    )
    assert list(scored) == grid
    for mode, boundary, layer in grid:
        alone = score_spans(
            gold,
            pred,
            mode=mode,
            boundary=boundary,
            layer=layer,
            texts=texts,
            units=units if with_units else None,
            labels=labels,
            errors=(mode, boundary, layer) in errors,
        )
        _same(scored[mode, boundary, layer], alone)


@settings(max_examples=60, deadline=None)
@given(corpora(), st.booleans())
def test_token_views_equal_each_scheme_alone(corpus, with_units) -> None:
    texts, gold, pred, units = corpus
    both = score_token_views(gold, pred, texts=texts, units=units if with_units else None, labels=("A", "B"))
    for scheme in TOKEN_SCHEMES:
        alone = score_token_view(
            gold, pred, texts=texts, scheme=scheme, units=units if with_units else None, labels=("A", "B")
        )
        assert both[scheme].types == alone.types and both[scheme].unit_docs == alone.unit_docs
        assert np.array_equal(both[scheme].unit_counts, alone.unit_counts)
        assert dict(both[scheme].notes) == dict(alone.notes)
        assert dict(both[scheme].out_of_scope) == dict(alone.out_of_scope)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 30), st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(0, 3), st.booleans())
def test_bootstrap_many_equals_one_by_one(n_units, type_counts, seed, halves) -> None:
    rng = np.random.default_rng(seed)
    tables = []
    for n_types in type_counts:
        counts = rng.integers(0, 4, size=(n_units, n_types, 3)).astype(np.float64)
        tables.append((counts / 2 if halves else counts, [f"T{k}" for k in range(n_types)]))
    tables.append((rng.integers(0, 3, size=(n_units + 1, 2, 3)).astype(np.float64), ["X", "Y"]))  # other units
    many = bootstrap_many(tables, n_resamples=200, seed=seed)
    for (counts, types), got in zip(tables, many, strict=True):
        assert got == bootstrap(counts, n_resamples=200, seed=seed, types=types)


def test_grid_checks_its_settings() -> None:
    with pytest.raises(ScoringError, match="word boundaries need the document texts"):
        score_span_grid([[]], [[]], [("strict", "word", "flat")])
    with pytest.raises(ScoringError):
        score_span_grid([[]], [[]], [("strict", "sideways", "flat")])
