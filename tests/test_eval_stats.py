from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arabench.annotations.errors import ScoringError
from arabench.eval import stats
from arabench.eval.counts import Counts, macro_average, weighted_average

# --------------------------------------------------------------------------- helpers: a slow, obvious reference


def reference_figures(total: np.ndarray) -> dict[str, list[float | None] | float | None]:
    """All figures of one (n_types, 3) total, through eval.counts only."""
    per_type = {str(k): Counts(*map(float, row)) for k, row in enumerate(total)}
    out: dict = {m: [getattr(c, m) for c in per_type.values()] for m in stats.MEASURES}
    micro = Counts.total(per_type.values())
    for average, value in (
        ("micro", micro),
        ("macro", macro_average(per_type)),
        ("weighted", weighted_average(per_type)),
    ):
        for m in stats.MEASURES:
            out[f"{average}_{m}"] = getattr(value, m)
    return out


def pick(figs: dict, metric: str, k: int | None) -> float | None:
    return figs[metric] if k is None else figs[metric][k]


def percentile(values: list[float | None], confidence: float) -> tuple[float | None, float | None, int]:
    defined = [v for v in values if v is not None]
    if not defined:
        return None, None, len(values)
    low, high = np.quantile(defined, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high), len(values) - len(defined)


def all_figures(result: stats.BootstrapResult):
    for name in stats.OVERALL:
        yield name, None, result.overall[name]
    for k, type_name in enumerate(result.types):
        for m in stats.MEASURES:
            yield m, k, result.per_type[type_name][m]


def sample_counts(seed: int, n_units: int = 12, n_types: int = 4) -> np.ndarray:
    """Counts with a rare type (present in one unit only) and a type never predicted."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 4, size=(n_units, n_types, 3))
    counts[:, 1] = 0
    counts[3, 1] = (1, 1, 2)  # rare type: absent from many resamples
    counts[:, 2, :2] = 0  # never predicted: precision undefined
    counts[:, 2, 2] = rng.integers(0, 2, size=n_units)
    counts[0, 2, 2] = 1
    return counts


def approx(value: float | None):
    return None if value is None else pytest.approx(value, rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("tp", "fp", "fn"),
    [(0, 0, 0), (0, 3, 0), (0, 0, 3), (0, 2, 5), (3, 0, 0), (3, 1, 2), (1.5, 0.5, 2.5), (7, 0, 1)],
)
def test_figures_follow_counts_zero_division_convention(tp, fp, fn):
    figs = stats.figures(np.array([[tp, fp, fn]]))
    c = Counts(tp, fp, fn)
    for m in stats.MEASURES:
        expected = getattr(c, m)
        value = float(figs[m][0])
        if expected is None:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(expected, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 6), st.just(3)), elements=st.integers(0, 6)))
def test_figures_match_counts_oracle(total):
    figs = stats.figures(total)
    expected = reference_figures(total)
    for name in (*stats.MEASURES, *stats.OVERALL):
        got = np.atleast_1d(figs[name]).tolist()
        want = np.atleast_1d(np.array(expected[name], dtype=object)).tolist()
        for g, w in zip(got, want, strict=True):
            assert (math.isnan(g) and w is None) or g == pytest.approx(w, rel=1e-12, abs=1e-15)


def test_figures_vectorise_over_leading_axes():
    batch = np.stack([sample_counts(s).sum(0) for s in range(5)])
    figs = stats.figures(batch)
    for i in range(5):
        assert figs["macro_f1"][i] == pytest.approx(stats.figures(batch[i])["macro_f1"], rel=1e-15)


# --------------------------------------------------------------------------- bootstrap


def test_point_estimates_equal_direct_computation_exactly():
    counts = sample_counts(0)
    result = stats.bootstrap(counts, n_resamples=50, types=["A", "B", "C", "D"])
    expected = reference_figures(counts.sum(0))
    assert result.types == ("A", "B", "C", "D")
    for name in stats.OVERALL:
        assert result.overall[name].estimate == expected[name]
    for k, type_name in enumerate(result.types):
        for m in stats.MEASURES:
            assert result.get(m, type_name).estimate == expected[m][k]
    assert result.get("precision", "C").estimate is None  # never predicted: undefined, not 0


@pytest.mark.parametrize("method", stats.METHODS)
def test_intervals_contain_the_point_estimate(method):
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 5, size=(40, 3, 3))
    result = stats.bootstrap(counts, n_resamples=2000, method=method)
    for _, _, interval in all_figures(result):
        assert interval.low <= interval.estimate <= interval.high
        assert interval.low < interval.high
        assert interval.n_undefined == 0


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_bootstrap_equals_reference_loop_on_the_same_indices(monkeypatch, confidence):
    monkeypatch.setattr(stats, "_CHUNK_CELLS", 20)  # several chunks: exercises the chunked path
    counts = sample_counts(1)
    n_resamples = 301
    indices = np.concatenate(list(stats.resample_indices(len(counts), n_resamples=n_resamples, seed=3)))
    assert indices.shape == (n_resamples, len(counts))
    replicates = [reference_figures(counts[row].sum(0)) for row in indices]
    result = stats.bootstrap(counts, n_resamples=n_resamples, seed=3, confidence=confidence)
    assert result.n_resamples == n_resamples and result.n_units == len(counts)
    undefined_somewhere = False
    for metric, k, interval in all_figures(result):
        low, high, n_undefined = percentile([pick(r, metric, k) for r in replicates], confidence)
        assert interval.n_undefined == n_undefined
        assert interval.low == approx(low)
        assert interval.high == approx(high)
        undefined_somewhere |= n_undefined > 0
    assert undefined_somewhere  # the rare type is absent from some resamples, and that is counted


def test_resample_indices_do_not_depend_on_chunking(monkeypatch):
    whole = np.concatenate(list(stats.resample_indices(9, n_resamples=50, seed=11)))
    monkeypatch.setattr(stats, "_CHUNK_CELLS", 9 * 7)
    chunks = list(stats.resample_indices(9, n_resamples=50, seed=11))
    assert len(chunks) > 1
    # chunked draws follow the generator stream, so a prefix of the draws agrees
    assert np.array_equal(chunks[0], whole[: len(chunks[0])])


def test_same_seed_same_result_other_seed_different():
    counts = sample_counts(2)
    first = stats.bootstrap(counts, n_resamples=500, seed=7)
    assert stats.bootstrap(counts, n_resamples=500, seed=7) == first
    other = stats.bootstrap(counts, n_resamples=500, seed=8)
    assert other.overall["micro_f1"].estimate == first.overall["micro_f1"].estimate
    assert other.overall != first.overall


def test_bca_agrees_with_scipy_on_a_skewed_ratio():
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(2)
    n = 15
    counts = np.zeros((n, 1, 3), dtype=np.int64)
    counts[:, 0, 0] = rng.integers(0, 8, size=n)  # tp
    counts[:, 0, 2] = rng.integers(0, 4, size=n) * (rng.random(n) < 0.5) * 3  # fn, skewed
    # micro recall = sum tp / sum (tp + fn): a ratio whose bootstrap distribution is skewed
    ours = stats.bootstrap(counts, n_resamples=40_000, method="bca").overall["micro_recall"]
    theirs = scipy_stats.bootstrap(
        (counts[:, 0, 0], counts[:, 0, 2]),
        lambda tp, fn, axis=-1: tp.sum(axis) / (tp.sum(axis) + fn.sum(axis)),
        paired=True,
        vectorized=True,
        n_resamples=40_000,
        method="BCa",
        rng=np.random.default_rng(1),
    ).confidence_interval
    # Monte Carlo and tie handling differ; without the acceleration both bounds would be ~0.015 off
    assert ours.low == pytest.approx(theirs.low, abs=5e-3)
    assert ours.high == pytest.approx(theirs.high, abs=5e-3)
    plain = stats.bootstrap(counts, n_resamples=40_000).overall["micro_recall"]
    assert ours.low < plain.low - 0.01  # BCa moves the interval, here downwards


def test_constant_units_give_a_degenerate_interval():
    counts = np.tile(np.array([[[2, 1, 1]]]), (10, 1, 1))
    for method in stats.METHODS:
        interval = stats.bootstrap(counts, n_resamples=200, method=method).overall["micro_f1"]
        assert interval.low == interval.high == pytest.approx(interval.estimate)


def test_half_counts_from_partial_mode_are_accepted():
    counts = np.array([[[1.5, 0.5, 0.5]], [[1.0, 0.0, 1.0]], [[0.5, 1.5, 0.5]]])
    result = stats.bootstrap(counts, n_resamples=100)
    assert result.overall["micro_precision"].estimate == Counts(3.0, 2.0, 2.0).precision


@settings(max_examples=25, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(1, 8), st.integers(1, 4), st.just(3)), elements=st.integers(0, 5)),
    st.sampled_from(stats.METHODS),
    st.integers(0, 2**32 - 1),
)
def test_intervals_are_ordered_and_within_unit_range(counts, method, seed):
    result = stats.bootstrap(counts, n_resamples=64, seed=seed, method=method)
    for _, _, interval in all_figures(result):
        assert 0 <= interval.n_undefined <= 64
        if interval.low is None:
            assert interval.high is None and interval.n_undefined == 64
            continue
        assert 0.0 <= interval.low <= interval.high <= 1.0
        if interval.estimate is not None:
            assert 0.0 <= interval.estimate <= 1.0


# --------------------------------------------------------------------------- paired tests


def better_everywhere(seed: int, n_units: int = 30) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = np.zeros((n_units, 2, 3), dtype=np.int64)
    gold = rng.integers(2, 6, size=(n_units, 2))
    a[..., 0] = gold // 2
    a[..., 2] = gold - gold // 2
    a[..., 1] = rng.integers(0, 3, size=(n_units, 2))
    b = a.copy()
    b[:, 0, 0] += 1  # B finds one more gold mention of type 0 in every unit
    b[:, 0, 2] -= 1
    return a, b


@pytest.mark.parametrize("test", [stats.paired_bootstrap, stats.approximate_randomization])
def test_identical_systems_give_zero_difference_and_p_one(test):
    a = sample_counts(4)
    result = test(a, a.copy(), metric="macro_f1", seed=1)
    assert result.diff == 0.0 and result.a == result.b
    assert result.p_value == 1.0
    if test is stats.paired_bootstrap:
        assert result.ci_low == result.ci_high == 0.0


@pytest.mark.parametrize("metric", ["micro_f1", "macro_f1", "weighted_recall"])
def test_strictly_better_system_gives_small_p(metric):
    a, b = better_everywhere(0)
    boot = stats.paired_bootstrap(a, b, metric=metric, n_resamples=2000)
    ar = stats.approximate_randomization(a, b, metric=metric, n_trials=2000)
    assert boot.diff > 0 and boot.diff == ar.diff
    assert boot.ci_low > 0
    assert boot.p_value < 0.01
    assert ar.p_value == 1 / 2001  # no random swap reaches the observed difference
    # the other direction: B worse than A, so no evidence that B is better; AR is two-sided
    assert stats.paired_bootstrap(b, a, metric=metric, n_resamples=2000).p_value > 0.9
    assert stats.approximate_randomization(b, a, metric=metric, n_trials=2000).p_value == ar.p_value


def test_per_type_comparison_by_name_and_index():
    a, b = better_everywhere(1)
    by_name = stats.paired_bootstrap(a, b, metric="recall", type="PERS", types=["PERS", "ORG"], n_resamples=300)
    by_index = stats.paired_bootstrap(a, b, metric="recall", type=0, n_resamples=300)
    assert by_name.diff == by_index.diff > 0 and by_name.p_value == by_index.p_value
    assert by_name.type == "PERS"
    unchanged = stats.approximate_randomization(a, b, metric="f1", type=1, n_trials=300)
    assert unchanged.diff == 0.0 and unchanged.p_value == 1.0


def test_paired_bootstrap_equals_reference_loop():
    a, b = sample_counts(5), sample_counts(6)
    n_resamples, seed, k = 400, 9, 1
    indices = np.concatenate(list(stats.resample_indices(len(a), n_resamples=n_resamples, seed=seed)))
    for metric, type_index in (("macro_f1", None), ("micro_precision", None), ("recall", k)):
        observed = pick(reference_figures(b.sum(0)), metric, type_index) - pick(
            reference_figures(a.sum(0)), metric, type_index
        )
        deltas = []
        for row in indices:
            fa = pick(reference_figures(a[row].sum(0)), metric, type_index)
            fb = pick(reference_figures(b[row].sum(0)), metric, type_index)
            deltas.append(None if fa is None or fb is None else fb - fa)
        low, high, n_undefined = percentile(deltas, 0.95)
        defined = [d for d in deltas if d is not None]
        p = sum(d >= 2 * observed - 1e-12 * abs(observed) for d in defined) / len(defined)
        result = stats.paired_bootstrap(a, b, metric=metric, type=type_index, n_resamples=n_resamples, seed=seed)
        assert result.diff == observed
        assert (result.ci_low, result.ci_high) == (approx(low), approx(high))
        assert result.n_undefined == n_undefined
        assert result.p_value == p
    assert n_undefined > 0  # type 1 is absent from some resamples: its recall is undefined there


def test_approximate_randomization_equals_reference_loop():
    a, b = sample_counts(7, n_units=10), sample_counts(8, n_units=10)
    n_trials, seed = 500, 4
    swaps = np.random.Generator(np.random.PCG64(seed)).integers(0, 2, size=(n_trials, len(a)))
    for metric in ("micro_f1", "macro_recall", "weighted_f1"):
        observed = reference_figures(b.sum(0))[metric] - reference_figures(a.sum(0))[metric]
        extreme = 0
        for row in swaps:
            swapped = row.astype(bool)[:, None, None]
            new_a, new_b = np.where(swapped, b, a), np.where(swapped, a, b)
            delta = reference_figures(new_b.sum(0))[metric] - reference_figures(new_a.sum(0))[metric]
            extreme += abs(delta) >= abs(observed) * (1 - 1e-12)
        result = stats.approximate_randomization(a, b, metric=metric, n_trials=n_trials, seed=seed)
        assert result.diff == observed
        assert result.p_value == (extreme + 1) / (n_trials + 1)
        assert result.ci_low is None and result.ci_high is None
        assert result.method == "approximate_randomization" and result.n_resamples == n_trials


@pytest.mark.parametrize("test", [stats.paired_bootstrap, stats.approximate_randomization])
def test_paired_tests_are_seeded(test):
    a, b = sample_counts(9, n_units=40), sample_counts(10, n_units=40)
    n = {"n_resamples" if test is stats.paired_bootstrap else "n_trials": 999}
    first = test(a, b, seed=1, **n)
    assert test(a, b, seed=1, **n) == first
    assert test(a, b, seed=2, **n) != first


# --------------------------------------------------------------------------- errors


def test_mismatched_shapes_name_both_shapes_and_the_fix():
    a = np.zeros((5, 3, 3), dtype=int)
    b = np.zeros((6, 3, 3), dtype=int)
    for test in (stats.paired_bootstrap, stats.approximate_randomization):
        with pytest.raises(ScoringError) as err:
            test(a, b)
        message = str(err.value)
        assert "(5, 3, 3)" in message and "(6, 3, 3)" in message
        assert "fix: score both systems against the same gold" in message


@pytest.mark.parametrize(
    ("counts", "options", "fragment"),
    [
        (np.zeros((4, 3)), {}, "shape (n_units >= 1, n_types, 3)"),
        (np.zeros((0, 2, 3)), {}, "(got (0, 2, 3))"),
        (np.full((2, 1, 3), -1), {}, "non-negative"),
        (np.full((2, 1, 3), np.nan), {}, "finite numbers"),
        (np.ones((2, 1, 3)), {"method": "BCa"}, "unknown interval method"),
        (np.ones((2, 1, 3)), {"confidence": 1.0}, "strictly between 0 and 1"),
        (np.ones((2, 1, 3)), {"n_resamples": 0}, "field 'n_resamples'"),
        (np.ones((2, 2, 3)), {"types": ["PERS"]}, "name each of the 2 types once"),
    ],
)
def test_bootstrap_rejects_bad_input(counts, options, fragment):
    with pytest.raises(ScoringError, match="fix: ") as err:
        stats.bootstrap(counts, **options)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"metric": "f1"}, "unknown overall metric (got 'f1'); fix: use one of micro_precision"),
        ({"metric": "micro_f1", "type": 0}, "a per-type metric must be a measure"),
        ({"metric": "f1", "type": 5}, "integer in range (got 5); fix: use 0..1"),
        (
            {"metric": "f1", "type": "LOC", "types": ["PERS", "ORG"]},
            "unknown type (got 'LOC'); fix: use one of PERS, ORG",
        ),
        ({"metric": "precision", "type": 1}, "undefined for system A"),
    ],
)
def test_paired_tests_reject_bad_metrics(options, fragment):
    a = np.zeros((3, 2, 3), dtype=int)
    a[:, 0] = (1, 1, 1)
    a[:, 1] = (0, 0, 1)  # type 1: nothing predicted, so its precision is undefined
    for test in (stats.paired_bootstrap, stats.approximate_randomization):
        with pytest.raises(ScoringError) as err:
            test(a, a, **options)
        assert fragment in str(err.value)


# --------------------------------------------------------------------------- on real score tables


def score_tables():
    from arabench.annotations.spans import Span
    from arabench.eval.spans import score_spans

    # three "sentences" of 10 characters each; spans are (start, end, label)
    gold = [[Span(0, 3, "PERS"), Span(12, 15, "LOC"), Span(21, 25, "ORG"), Span(26, 28, "PERS")]]
    system_a = [[Span(0, 3, "PERS"), Span(12, 15, "ORG"), Span(21, 24, "ORG")]]
    system_b = [[Span(0, 3, "PERS"), Span(12, 15, "LOC"), Span(21, 25, "ORG"), Span(5, 7, "DATE")]]
    units = [[(0, 10), (10, 20), (20, 30)]]
    return score_spans(gold, system_a, units=units), score_spans(gold, system_b, units=units)


def test_score_tables_are_read_and_aligned_on_the_union_of_types():
    a, b = score_tables()
    assert a.types != b.types  # B predicted DATE, A did not
    result = stats.bootstrap(b, n_resamples=200)
    assert result.types == b.types
    assert result.overall["micro_f1"].estimate == b.micro.f1
    assert result.overall["macro_f1"].estimate == b.macro.f1
    assert result.overall["weighted_precision"].estimate == b.weighted.precision
    assert result.get("precision", "DATE").estimate == b.per_type["DATE"].precision == 0.0
    for metric in ("micro_f1", "macro_f1", "weighted_f1"):
        average, measure = metric.split("_")
        paired = stats.paired_bootstrap(a, b, metric=metric, n_resamples=200)
        expected_a = getattr(a.micro if average == "micro" else getattr(a, average), measure)
        expected_b = getattr(b.micro if average == "micro" else getattr(b, average), measure)
        assert (paired.a, paired.b, paired.diff) == (expected_a, expected_b, expected_b - expected_a)
    by_type = stats.approximate_randomization(a, b, metric="recall", type="LOC", n_trials=100)
    assert (by_type.a, by_type.b) == (0.0, 1.0)


def test_score_tables_with_other_units_are_rejected():
    from arabench.annotations.spans import Span
    from arabench.eval.spans import score_spans

    a, _ = score_tables()
    other = score_spans([[Span(0, 3, "PERS")]], [[Span(0, 3, "PERS")]])
    with pytest.raises(ScoringError, match="different scoring units: a has 3, b has 1"):
        stats.approximate_randomization(a, other)
    with pytest.raises(ScoringError, match="not one of each"):
        stats.paired_bootstrap(a, a.unit_counts)
