"""LLMs at scale: concurrency, one shared backoff, resumable runs, token accounting, dry runs, few-shot from a corpus.

Every server here is :class:`fake_llm_server.FakeLLMServer` on 127.0.0.1; no other address is contacted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import FakeLLMServer, window_of

from arabench import benchmark
from arabench.annotations.brat import write_brat
from arabench.annotations.errors import ModelError
from arabench.annotations.spans import Document, Span
from arabench.benchmark.corpus_io import load_corpus
from arabench.models.llm.accounting import TOKEN_KEYS, cost, estimate_tokens
from arabench.models.llm.adapters import OpenAIChatModel
from arabench.models.llm.concurrency import Progress

ROOT = Path(__file__).resolve().parents[1]
#: ../shared/data beside the clone (CI), or beside the folder of worktrees.
DATA = next((p for p in (ROOT / ".." / "shared" / "data", ROOT / ".." / ".." / "shared" / "data") if p.is_dir()), ROOT)
TRAIN = DATA / "anercorp_train.conll"
CITIES = ("القاهرة", "دمشق", "بغداد", "الرباط", "عمّان")
#: Twenty windows (one per line at max_window_chars=40) over four texts.
TEXTS = ["\n".join(f"زار الوزير {CITIES[(d + i) % 5]} في اليوم {d * 5 + i}." for i in range(5)) for d in range(4)]


def llm(url: str, cache_dir: Path | None, **options: Any) -> OpenAIChatModel:
    options = {"max_window_chars": 40, "backoff": 0.0, "max_retries": 0, "timeout": 10, **options}
    if cache_dir is None:
        options["cache"] = False
    else:
        options["cache_dir"] = str(cache_dir)
    return OpenAIChatModel.from_spec("m", base_url=url, **options)


def frozen(predictions: list[Any]) -> str:
    """The predictions as canonical JSON (spans, relations, diagnostics)."""
    return json.dumps(
        [
            [
                [[s.start, s.end, s.label] for s in p.spans],
                [str(r) for r in p.relations],
                dict(sorted(p.diagnostics.items())),
            ]
            for p in predictions
        ],
        ensure_ascii=False,
    )


def corpus_dir(tmp_path: Path, texts: list[str] = TEXTS) -> Path:
    for i, text in enumerate(texts):
        start = text.index(CITIES[i % 5])
        write_brat(Document(f"d{i}", text, {"T1": Span(start, start + len(CITIES[i % 5]), "GPE")}), tmp_path / "gold")
    return tmp_path / "gold"


# ----------------------------------------------------------------------------- concurrency


def test_results_and_cache_keys_are_identical_whatever_the_concurrency(tmp_path: Path) -> None:
    outputs, entries, peaks = {}, {}, {}
    with FakeLLMServer(delay=0.05, gazetteer=CITIES, usage=True) as server:
        for level in (1, 4, 16):
            server.max_in_flight = 0
            outputs[level] = frozen(llm(server.url, tmp_path / f"c{level}", concurrency=level).predict(TEXTS))
            peaks[level] = server.max_in_flight
            files = sorted((tmp_path / f"c{level}").rglob("*.json"))
            entries[level] = {p.name: p.read_bytes() for p in files}
        requests = len(server.requests)
    assert outputs[1] == outputs[4] == outputs[16]
    assert entries[1] == entries[4] == entries[16] and len(entries[1]) == 20  # same keys, same bytes
    assert peaks[1] == 1 and 2 <= peaks[4] <= 4 and 4 < peaks[16] <= 16
    assert '"GPE"' in outputs[1] and requests == 60


def test_concurrency_is_bounded_and_documented(tmp_path: Path) -> None:
    for bad in (0, 65, "many", True):
        with pytest.raises(ModelError) as info:
            llm("http://127.0.0.1:9/v1", None, concurrency=bad)
        assert info.value.field == "concurrency"


def test_retry_after_pauses_every_worker_once(tmp_path: Path) -> None:
    # Request 3 (the first after the probe) is told to wait 1 s: no worker sends anything meanwhile.
    with FakeLLMServer(delay=0.2, gazetteer=CITIES, statuses={3: (429, {"Retry-After": "1"})}) as server:
        started = time.monotonic()
        predictions = llm(server.url, None, concurrency=4, max_retries=2).predict(TEXTS)
        elapsed = time.monotonic() - started
    ((_, status, told),) = [s for s in server.sent if s[1] == 429]
    assert status == 429
    during = [t for t in server.arrivals if told + 0.05 < t < told + 0.95]
    assert during == [], [round(t - told, 3) for t in server.arrivals]
    assert len(server.requests) == 21  # 20 windows, one retried
    assert sum(p.diagnostics.get("retries", 0) for p in predictions) == 1
    assert not any(p.diagnostics.get("failed_windows") for p in predictions)
    assert elapsed < 1 + 20 * 0.2  # the pause is taken once, while the in-flight requests finish


def test_a_server_failing_half_way_leaves_the_model_partial_with_the_count(tmp_path: Path) -> None:
    corpus = corpus_dir(tmp_path)
    options = {"base_url": "", "max_window_chars": 40, "backoff": 0.0, "max_retries": 0, "concurrency": 8}
    options["cache_dir"] = str(tmp_path / "cache")
    with FakeLLMServer(gazetteer=CITIES, fail_after=10) as server:
        options["base_url"] = server.url
        results = benchmark.run(
            ["llm:m"], corpus=corpus, cache_dir=tmp_path / "cache", bootstrap=0, model_options={"llm:m": options}
        )
        server.fail_after = None
        again = benchmark.run(
            ["llm:m"], corpus=corpus, cache_dir=tmp_path / "cache", bootstrap=0, model_options={"llm:m": options}
        )
        assert len(server.requests) == 30  # 20, then only the 10 that failed
    (model,) = results.models
    assert model.status == "partial" and model.reason.startswith("10 of 20 windows failed (50.0%)")
    assert model.diagnostics["failed_windows"] == 10 and model.diagnostics["http_errors"] == 10
    (model,) = again.models
    assert model.status == "scored" and "failed_windows" not in model.diagnostics


def test_a_server_failing_from_the_start_fails_the_model_with_the_count(tmp_path: Path) -> None:
    with FakeLLMServer(fail_after=0) as server:
        with pytest.raises(ModelError, match=r"every window failed \(20 of 20: http_errors 20\)"):
            llm(server.url, tmp_path / "cache", concurrency=8).predict(TEXTS)
    assert not list((tmp_path / "cache").rglob("*.json"))


class GarbageServer(FakeLLMServer):
    """Answers with what a broken or hostile server may send inside valid JSON."""

    GARBAGE = ("\ud800", "\udfff\x00", "\x1b[31m\u202e", '{"entities": [{"text": "\ud83d", "type": "GPE"}]}')

    def answer(self, body: dict[str, Any]) -> str:
        day = int(window_of(body).rstrip(".").split()[-1])  # "... في اليوم 7." -> 7: the same answer every time
        return self.GARBAGE[(day // 2) % len(self.GARBAGE)] if day % 2 else super().answer(body)


def test_nothing_a_server_sends_makes_the_cache_unreadable(tmp_path: Path) -> None:
    with GarbageServer(gazetteer=CITIES, usage=True) as server:
        first = llm(server.url, tmp_path / "cache", concurrency=4).predict(TEXTS)
        stored = len(list((tmp_path / "cache").rglob("*.json")))
        again = llm(server.url, tmp_path / "cache", concurrency=4)
        second = again.predict(TEXTS)
    assert sum(p.diagnostics["windows"] for p in first) == 20
    assert not any("discarded_cache_entries" in p.diagnostics for p in second)
    for entry in (tmp_path / "cache").rglob("*.json"):
        json.loads(entry.read_bytes().decode("utf-8"))  # every stored entry is strict UTF-8 JSON
    assert again.stats["cache_hits"] == stored >= 10  # every stored answer is read back


KILLED_RUN = """
import sys
from arabench.models.llm.adapters import OpenAIChatModel
texts = [line for line in sys.stdin.read().split("\\0")]
model = OpenAIChatModel.from_spec("m", base_url=sys.argv[1], cache_dir=sys.argv[2], max_window_chars=40,
                                  max_retries=0, concurrency=4)
model.predict(texts)
print("finished")
"""


def test_a_run_killed_half_way_keeps_its_answers_and_the_next_run_sends_only_the_missing_windows(
    tmp_path: Path,
) -> None:
    holder: list[subprocess.Popen[bytes]] = []

    def kill_at_nine(number: int) -> None:
        if number == 9:
            holder[0].send_signal(signal.SIGKILL)

    with FakeLLMServer(delay=0.1, gazetteer=CITIES, on_request=kill_at_nine) as server:
        process = subprocess.Popen(
            [sys.executable, "-c", KILLED_RUN, server.url, str(tmp_path / "cache")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        holder.append(process)
        out, _ = process.communicate("\0".join(TEXTS).encode("utf-8"), timeout=120)
        assert process.returncode == -signal.SIGKILL and b"finished" not in out
        first = [window_of(r) for r in server.requests]
        kept = sorted((tmp_path / "cache").rglob("*.json"))
        assert 1 <= len(kept) < 9 <= len(first) < 20  # killed half way, with answers already stored
        model = llm(server.url, tmp_path / "cache", concurrency=4)
        resumed = model.predict(TEXTS)
        second = [window_of(r) for r in server.requests[len(first) :]]
    assert len(second) == 20 - len(kept) and len(set(second)) == len(second)  # only what is missing, once each
    assert model.stats["cache_hits"] == len(kept)
    assert not any("discarded_cache_entries" in p.diagnostics for p in resumed)  # every stored entry was whole
    assert frozen(resumed) == frozen(llm(server.url, tmp_path / "cache").predict(TEXTS))  # from the cache alone


# ----------------------------------------------------------------------------- accounting


def test_token_totals_and_cost_from_a_server_that_reports_usage(tmp_path: Path) -> None:
    corpus = corpus_dir(tmp_path)
    options = {"max_window_chars": 40, "price_input": 2.5, "price_output": 10, "concurrency": 8}
    options["cache_dir"] = str(tmp_path / "cache")
    with FakeLLMServer(gazetteer=CITIES, usage=True) as server:
        benchmark.run(
            ["llm:m"],
            corpus=corpus,
            out=tmp_path / "out",
            cache_dir=tmp_path / "cache",
            bootstrap=0,
            model_options={"llm:m": {"base_url": server.url, **options}},
        )
        sent = list(server.requests)
        # Answered from the LLM cache, the totals are those the answers cost (their usage is stored with them).
        cached = llm(server.url, tmp_path / "cache").predict([d.text for d in load_corpus(corpus).documents])
        assert len(server.requests) == len(sent)
    prompt = sum(sum(len(m["content"]) for m in r["messages"]) // 4 + 1 for r in sent)
    completion = sum(len(server.answer(r)) // 4 + 1 for r in sent)
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    diagnostics = data["models"][0]["diagnostics"]
    assert (diagnostics["prompt_tokens"], diagnostics["completion_tokens"]) == (prompt, completion)
    assert "prompt_tokens_estimated" not in diagnostics and "completion_tokens_estimated" not in diagnostics
    assert diagnostics["cost"] == round(prompt * 2.5 / 1e6 + completion * 10 / 1e6, 6)
    assert diagnostics["cost_input"] == round(prompt * 2.5 / 1e6, 6)
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    shown = f"tokens in {prompt:,} / out {completion:,}"
    assert shown in summary and shown in html
    assert f"cost {diagnostics['cost']:.4f}" in summary and f"cost {diagnostics['cost']:.4f}" in html
    assert sum(p.diagnostics["prompt_tokens"] for p in cached) == prompt


def test_no_price_no_cost_and_bad_prices_are_refused(tmp_path: Path) -> None:
    assert cost({"prompt_tokens": 10**6}, {}) == {}
    assert cost({"prompt_tokens": 10**6, "prompt_tokens_estimated": 10**6}, {"price_input": "1.5"}) == {
        "cost_input": 3.0,
        "cost": 3.0,
    }
    for bad in (-1, "free", float("nan"), float("inf"), True):
        with pytest.raises(ModelError) as info:
            llm("http://127.0.0.1:9/v1", None, price_output=bad)
        assert info.value.field == "price_output"


def test_tokens_are_estimated_and_marked_when_the_server_reports_no_usage(tmp_path: Path) -> None:
    with FakeLLMServer(gazetteer=CITIES) as server:
        predictions = llm(server.url, None, concurrency=4).predict(TEXTS)
        sent = list(server.requests)
    totals = {k: sum(p.diagnostics.get(k, 0) for p in predictions) for k in TOKEN_KEYS}
    assert totals["prompt_tokens"] == totals["completion_tokens"] == 0
    assert totals["prompt_tokens_estimated"] == sum(estimate_tokens(m["content"]) for r in sent for m in r["messages"])
    assert totals["completion_tokens_estimated"] == sum(estimate_tokens(server.answer(r)) for r in sent)


def test_a_dry_run_counts_and_sends_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from arabench.benchmark.cli import main
    from arabench.benchmark.dryrun import plan_run

    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    corpus = corpus_dir(tmp_path)
    with FakeLLMServer(gazetteer=CITIES) as server:
        argv = ["run", "-m", "llm:m", "-m", "rules", "--corpus", str(corpus), "--llm-base-url", server.url]
        argv += ["--model-option", "llm:m", "max_window_chars=40", "--out", str(tmp_path / "out"), "--dry-run"]
        assert main([*argv, "--model-option", "llm:m", "price_input=2"]) == 0
        assert server.requests == []  # the server was never contacted
        printed = capsys.readouterr().out
        assert not (tmp_path / "out").exists()
        llm(server.url, tmp_path / "cache", max_window_chars=40).predict([TEXTS[0]])  # 5 windows now cached
        plan = plan_run(
            ["llm:m"], corpus=corpus, model_options={"llm:m": {"base_url": server.url, "max_window_chars": 40}}
        )
        assert len(server.requests) == 5
    (model,) = plan.models
    assert model.counts["windows"] == 20 and model.counts["cached_windows"] == 5 and model.counts["requests"] == 15
    assert "nothing was sent" in printed and "rules" in printed and "not an LLM" in printed
    line = next(x for x in printed.splitlines() if x.startswith("llm:m"))
    assert line.split()[1:4] == ["20", "0", "20"] and "~0.0" in line


# ----------------------------------------------------------------------------- progress


def test_progress_counts_and_draws_nothing_off_a_terminal(tmp_path: Path, capsys: Any) -> None:
    bar = Progress(3, desc="x")
    bar.started()
    bar.started()
    bar.retried()
    bar.finished(failed=True)
    assert (bar.in_flight, bar.retries, bar.failures) == (1, 1, 1)
    bar.close()
    with FakeLLMServer(gazetteer=CITIES) as server:
        llm(server.url, None, concurrency=4).predict(TEXTS)
    assert capsys.readouterr().err == ""  # stderr is not a terminal here: no bar, no carriage returns


# ----------------------------------------------------------------------------- few-shot from a corpus

needs_train = pytest.mark.skipif(not TRAIN.is_file(), reason="../shared/data/anercorp_train.conll is not here")
SHOTS = {"examples_from": str(TRAIN), "examples_k": 3, "examples_label_map": "LOC=GPE,MISC="}


@needs_train
def test_few_shot_from_a_training_corpus_is_deterministic_for_a_seed_and_part_of_the_key() -> None:
    url = "http://127.0.0.1:9/v1"
    window = "زار الوزير القاهرة أمس."
    zero = llm(url, None)
    a, b = llm(url, None, examples_seed=7, **SHOTS), llm(url, None, examples_seed=7, **SHOTS)
    other = llm(url, None, examples_seed=8, **SHOTS)
    assert a._messages(window) == b._messages(window) != other._messages(window)
    messages = a._messages(window)
    assert len(messages) == 1 + 2 * 3 + 1 and messages[-1]["content"].endswith(window)
    for user, assistant in zip(messages[1:-1:2], messages[2:-1:2], strict=True):
        answer = json.loads(assistant["content"])
        assert all(e["text"] in user["content"] for e in answer["entities"])
        assert {e["type"] for e in answer["entities"]} <= {"PERS", "GPE", "ORG"}
    keys = {json.dumps(m._request_key(m._messages(window)), sort_keys=True) for m in (zero, a, other)}
    assert len(keys) == 3
    examples = a.provenance()["prompt"]["examples"]
    assert examples["k"] == 3 and examples["seed"] == 7 and examples["select"] == "random"
    assert examples["source"] == str(TRAIN) and len(examples["sha256"]) == 64 and examples["sentences"] > 3000
    assert a.provenance() != other.provenance()


@needs_train
def test_similar_examples_share_the_most_character_trigrams_with_the_window() -> None:
    model = llm("http://127.0.0.1:9/v1", None, examples_select="similar", **SHOTS)
    sentence = model.examples.examples[1234].text
    window = sentence + " وأضاف"
    (first, *_) = model.examples.choose(window)
    assert first[0] == sentence
    assert model._messages(window) == model._messages(window)


@needs_train
def test_few_shot_from_the_corpus_being_scored_is_refused_before_any_request(tmp_path: Path) -> None:
    with FakeLLMServer() as server:
        results = benchmark.run(
            ["llm:m"],
            corpus=TRAIN,
            cache_dir=tmp_path / "cache",
            bootstrap=0,
            model_options={"llm:m": {"base_url": server.url, "cache_dir": str(tmp_path / "cache"), **SHOTS}},
        )
        assert server.requests == []
    (model,) = results.models
    assert model.status == "failed" and "would come from the corpus being scored" in model.reason
    assert "examples_from" in model.reason


def test_a_few_shot_option_without_a_corpus_is_refused() -> None:
    with pytest.raises(ModelError, match="without examples_from") as info:
        llm("http://127.0.0.1:9/v1", None, examples_k=2)
    assert info.value.field == "examples_k"


@needs_train
def test_a_corpus_label_that_is_no_schema_type_needs_a_map() -> None:
    with pytest.raises(ModelError, match="not a schema type") as info:
        llm("http://127.0.0.1:9/v1", None, examples_from=str(TRAIN))
    assert info.value.value in {"LOC", "MISC"} and "examples_label_map" in str(info.value)
