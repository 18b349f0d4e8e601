"""Nothing a server says can make a cache unreadable; an entry that cannot be used is discarded with a warning.

Before: an LLM answer holding an escaped lone surrogate (``"\\ud800"``) raised
``UnicodeEncodeError`` while it was cached, and the model failed with every
window blamed on ``base_url``; a predictions-cache entry holding one crashed
every later run that read it, including runs of other models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from run_models import CityModel, registered, write_corpus
from test_llm_server import CAIRO, EGYPT, FakeServer, Handler, head, run_llm
from test_llm_server import corpus as corpus

from arabench import benchmark
from arabench.benchmark.cache import CacheWarning
from arabench.models.llm.cache import ResponseCache


def surrogate_answer(handler: Handler, body: dict[str, Any]) -> None:
    """The correct entities, plus one whose text is an escaped lone surrogate, plus a lone surrogate after the JSON."""
    window = body["messages"][-1]["content"]
    entities = [{"text": w, "type": "GPE"} for w in (CAIRO, EGYPT) if w in window]
    inner = json.dumps({"entities": [*entities, {"text": "@@", "type": "GPE"}], "relations": []}, ensure_ascii=False)
    content = inner.replace("@@", "\\ud800") + "\ud800"  # escaped inside the answer, and raw in the answer text
    data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]})
    handler.write(head(200, {"Content-Type": "application/json", "Content-Length": str(len(data))}) + data.encode())


def micro(results: benchmark.Results) -> dict[str, Any]:
    return results.models[0].scores["native"]["spans"]["strict"]["word"]["flat"]["micro"]


def test_an_answer_with_lone_surrogates_is_scored_cached_and_read_back(
    tmp_path: Path,
    corpus: Path,
) -> None:
    with FakeServer(surrogate_answer) as server:
        first = run_llm(corpus, tmp_path, "a", server.url)
        asked = len(server.requests)
        second = run_llm(corpus, tmp_path, "b", server.url)
    assert first.models[0].status == "scored" and second.models[0].status == "scored"
    assert (micro(first)["tp"], micro(first)["fp"], micro(first)["fn"]) == (2, 0, 0)  # the surrogate matched nothing
    assert micro(second) == micro(first)
    assert asked == 2 and len(server.requests) == 2  # the second run was answered from the cache
    for path in (tmp_path / "cache").rglob("*.json"):
        json.loads(path.read_bytes().decode("utf-8"))  # every entry is valid UTF-8 JSON


def test_the_response_cache_keeps_a_lone_surrogate_and_discards_undecodable_entries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ResponseCache(tmp_path)
    cache.put("ab" * 32, 'x "\ud800" y', "stop")
    assert cache.get("ab" * 32) == {"key": "ab" * 32, "content": 'x "\ud800" y', "finish_reason": "stop"}
    bad = tmp_path / "llm" / "cd" / f"{'cd' * 32}.json"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b'{"content":"\xed\xa0\x80","finish_reason":null,"key":"' + b"cd" * 32 + b'"}')  # raw surrogate
    assert cache.get("cd" * 32) is None and cache.discarded == 1
    assert f"discarding LLM cache entry {bad}: it cannot be read (UnicodeDecodeError)" in caplog.text


def test_a_predictions_entry_holding_a_lone_surrogate_is_discarded_not_fatal(tmp_path: Path) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    cache = tmp_path / "cache"
    with registered():
        clean = benchmark.run(["trust-city"], corpus=gold, cache_dir=cache, bootstrap=0)
        poisoned = sorted((cache / "predictions").rglob("*.json"))[0]
        entry = json.loads(poisoned.read_text(encoding="utf-8"))
        entry["payload"]["prediction"]["diagnostics"]["\ud800"] = 1
        poisoned.write_text(json.dumps(entry), encoding="ascii")  # the JSON escape "\ud800": a readable file
        CityModel.predicted = 0
        with pytest.warns(CacheWarning) as caught:
            again = benchmark.run(["trust-city"], corpus=gold, cache_dir=cache, bootstrap=0)
    assert CityModel.predicted == 1  # only the poisoned entry was recomputed
    assert f"corrupted cache entry {poisoned} holds text that is not valid Unicode (a lone surrogate)" in "\n".join(
        str(w.message) for w in caught
    )
    assert again.to_json()["models"] == clean.to_json()["models"]
