"""Fuzzing the surfaces added since the first round: config, views and cards readers, results.json for compare, LLM
answers. Each property checks numbers where the answer is known, not only that nothing but BenchmarkError escapes.

(Token tables: the round trip of ``test_token_tables.py``.) Every example runs under an alarm: a hang fails.
"""

from __future__ import annotations

import json
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_compare_hostile import results_json as results_json

from arabench.annotations.errors import BenchmarkError
from arabench.annotations.schema import default_schema, load_views
from arabench.benchmark.compare import compare
from arabench.benchmark.config import load_config
from arabench.models.cards import CARDS_DIR, load_card
from arabench.models.llm.alignment import align_entities
from arabench.models.llm.cache import ResponseCache
from arabench.models.llm.parsing import parse_answer

SECONDS = 20
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CARDS = CARDS_DIR
WORDS = ["زار", "الوزير", "القاهرة", "أمس", "وصل", "الوفد", "باريس", "اليوم", "محمد", "علي", "مصر", "قال"]

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@contextmanager
def alarm(seconds: int = SECONDS) -> Iterator[None]:
    def stop(*_: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def hostile_yaml(draw: st.DrawFn) -> str:
    """YAML of random data, sometimes with anchors and aliases nested (a small laughs), sometimes cut or tagged."""
    text = yaml.safe_dump(draw(any_json), allow_unicode=True)
    kind = draw(st.sampled_from(["plain", "laughs", "cut", "tag", "deep"]))
    if kind == "laughs":
        levels = draw(st.integers(2, 9))
        text = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"l{k}: &l{k} [" + ",".join([f"*{'a' if k == 0 else f'l{k - 1}'}"] * 9) + "]\n" for k in range(levels)
        )
    elif kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "tag":
        text = "x: !!python/name:os.system\n" + text
    elif kind == "deep":
        depth = draw(st.integers(1, 200))
        text = "x: " + "[" * depth + "]" * depth + "\n"
    return text


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    return hostile_yaml(draw)


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- config


@FUZZ
@given(text=yaml_texts())
def test_config_reader_fuzz_only_benchmark_errors(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, alarm():
        try:
            load_config(_write(Path(tmp), "run.yaml", text))
        except BenchmarkError as exc:
            assert len(str(exc)) < 2000  # an error repeats a bounded part of the input


@FUZZ
@given(seed=st.integers(0, 2**63 - 1), bootstrap=st.integers(0, 1_000_000), out=st.sampled_from(["r", "a/b"]))
def test_config_reader_reads_the_numbers_it_is_given(seed: int, bootstrap: int, out: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = yaml.safe_dump({"seed": seed, "bootstrap": bootstrap, "out": out, "models": ["rules"]})
        config = load_config(_write(Path(tmp), "run.yaml", text))
        assert (config.seed, config.bootstrap, config.models) == (seed, bootstrap, ["rules"])
        assert Path(config.out) == Path(tmp) / out or config.out == out


# ----------------------------------------------------------------------------- views


@FUZZ
@given(text=yaml_texts())
def test_views_reader_fuzz_only_benchmark_errors(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, alarm():
        try:
            load_views(_write(Path(tmp), "views.yaml", "views:\n  v:\n    " + text.replace("\n", "\n    ")))
        except BenchmarkError as exc:
            assert len(str(exc)) < 2000


@FUZZ
@given(data=st.data())
def test_views_reader_builds_exactly_the_map_it_is_given(data: st.DataObject) -> None:
    types = list(default_schema().entity_types)
    labels = data.draw(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4, unique=True))
    mapping = {t: data.draw(st.sampled_from([*labels, None])) for t in types}
    assume(any(v is not None for v in mapping.values()))
    used = sorted({v for v in mapping.values() if v is not None})
    spec = {"views": {"fuzzed": {"description": "d", "labels": used, "map": mapping}}}
    with tempfile.TemporaryDirectory() as tmp:
        view = load_views(_write(Path(tmp), "views.yaml", yaml.safe_dump(spec)))["fuzzed"]
    assert dict(view.mapping) == mapping
    assert sorted(view.labels) == used


# ----------------------------------------------------------------------------- cards

CARD_FIELDS = ["name", "hub_id", "revision", "labels", "view", "label_map", "drop", "input", "default", "adapter"]


@FUZZ
@given(field=st.sampled_from(CARD_FIELDS), value=any_json, text=yaml_texts())
def test_card_reader_fuzz_only_model_errors(field: str, value: object, text: str) -> None:
    card = yaml.safe_load((CARDS / "marefa-ner.yaml").read_text(encoding="utf-8"))
    card[field] = value
    with tempfile.TemporaryDirectory() as tmp, alarm():
        for body in (yaml.safe_dump(card, allow_unicode=True), text):
            try:
                loaded = load_card(_write(Path(tmp), "marefa-ner.yaml", body))
            except BenchmarkError as exc:
                assert len(str(exc)) < 2000
            else:  # a card that reads names a registered adapter, never a module
                assert loaded.adapter == "hf" or (field == "adapter" and loaded.adapter == value)
                assert ":" not in loaded.adapter and "." not in loaded.adapter


# ----------------------------------------------------------------------------- results.json for compare

COUNT_FIELDS = ("tp", "fp", "fn")


@FUZZ
@given(data=st.data())
def test_compare_refuses_every_edit_of_a_count_and_answers_the_same_otherwise(
    results_json: Path,
    data: st.DataObject,
) -> None:
    original = json.loads(results_json.read_text(encoding="utf-8"))
    baseline = compare(results_json, model_a="empty", model_b="rules", n_resamples=20)
    edited = json.loads(json.dumps(original))
    model = data.draw(st.sampled_from([m for m in edited["models"] if m["name"] in ("rules", "empty")]))
    setting = model["scores"]["native"]["spans"]["strict"]["word"]["flat"]
    where = data.draw(st.sampled_from(["micro", "per_type", "types"]))
    if where == "micro":
        key = data.draw(st.sampled_from(COUNT_FIELDS))
        setting["micro"][key] += data.draw(st.sampled_from([-1, 1, 0.5, 7]))
    elif where == "per_type":
        name = data.draw(st.sampled_from(sorted(setting["per_type"])))
        key = data.draw(st.sampled_from(COUNT_FIELDS))
        setting["per_type"][name][key] += data.draw(st.sampled_from([-1, 1, 0.5, 7]))
    else:
        types = setting["unit_counts"]["types"]
        permuted = data.draw(st.permutations(types))
        renamed = data.draw(st.booleans())
        setting["unit_counts"]["types"] = [*permuted[:-1], "RENAMED"] if renamed and types else list(permuted)
    with tempfile.TemporaryDirectory() as tmp, alarm():
        path = _write(Path(tmp), "results.json", json.dumps(edited))
        try:
            result = compare(path, model_a="empty", model_b="rules", n_resamples=20)
        except BenchmarkError as exc:
            assert "results file is malformed" in str(exc)
            return
    # Accepted only when the edit left the file consistent: then every figure is the untampered one.
    assert [(r.figure, r.support, r.a, r.b) for r in result.rows] == [
        (r.figure, r.support, r.a, r.b) for r in baseline.rows
    ]


# ----------------------------------------------------------------------------- LLM answers


@st.composite
def answers(draw: st.DrawFn) -> tuple[str, dict[tuple[int, int], str], str]:
    """A text of distinct words, the entities an answer names (each word once: its offsets known), the answer."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8, unique=True))
    text = " ".join(words) + "."
    chosen = draw(st.lists(st.sampled_from(words), max_size=len(words), unique=True))
    types = {w: draw(st.sampled_from(["PERS", "GPE", "ORG"])) for w in chosen}
    entities = [{"text": w, "type": types[w]} for w in chosen]
    noise = draw(
        st.sampled_from(
            [
                [],
                [{"text": "\ud800", "type": "PERS"}],  # a lone surrogate: matches nothing
                [{"text": "x" * 50_000, "type": "ORG"}],  # a huge string: matches nothing
                [{"text": "غير موجود", "type": "GPE"}],  # a mention not in the text
            ]
        )
    )
    wrap = draw(st.sampled_from(["plain", "fenced", "prose", "deep-junk", "surrogate-tail"]))
    body = json.dumps({"entities": entities + noise, "relations": []}, ensure_ascii=False)
    content = {
        "plain": body,
        "fenced": f"```json\n{body}\n```",
        "prose": f"Here you are: {body} Thanks.",
        "deep-junk": body + " " + "[" * 5000,
        "surrogate-tail": body + "\ud800",
    }[wrap]
    expected = {(text.index(w), text.index(w) + len(w)): types[w] for w in chosen}
    return text, expected, content


@FUZZ
@given(case=answers())
def test_llm_answers_align_to_exactly_the_named_mentions_and_cache_round_trips(
    case: tuple[str, dict[tuple[int, int], str], str],
) -> None:
    text, expected, content = case
    with alarm():
        parsed = parse_answer(content, entity_types=["PERS", "GPE", "ORG"])
        if content.count("[") > 100:  # nested deeper than an answer goes: refused and counted, never a crash
            assert not parsed.ok and parsed.counts["answer_too_large"] == 1
            return
        assert parsed.ok
        aligned = align_entities(text, parsed.entities)
    assert {(s.start, s.end): s.label for s in aligned.spans} == expected
    with tempfile.TemporaryDirectory() as tmp:
        cache = ResponseCache(tmp)
        cache.put("ab" * 32, content, "stop")
        again = ResponseCache(tmp).get("ab" * 32)
    assert again is not None and again["content"] == content


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_deeply_nested_answer_is_a_counted_failure_not_a_recursion_error(depth: int) -> None:
    with alarm():
        parsed = parse_answer("[" * depth + "]" * depth, entity_types=["PERS"])
    assert not parsed.ok and dict(parsed.counts) == {"parse_failures": 1, "answer_too_large": 1}
