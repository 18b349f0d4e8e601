"""Hostile OpenAI-compatible servers against the ``llm:`` adapter: failures, secrets, bounded responses, deadlines.

A fake chat-completions server runs on 127.0.0.1 (port 0, a thread per
connection); each test gives it one behaviour: answer, refuse with 401 echoing
the request headers, send a gzip bomb or a huge body, drip one byte a second,
or hang. Every loop of the server is bounded and stops when the test ends.
No other address is contacted.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from arabench import benchmark
from arabench.annotations.brat import write_brat
from arabench.annotations.errors import ModelError
from arabench.annotations.spans import Document, Span
from arabench.models.llm.adapters import OpenAIChatModel
from arabench.models.llm.http import endpoint, excerpt, redact_url

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from arabench.benchmark.cli import main; sys.exit(main(sys.argv[1:]))"
CAIRO, EGYPT = "القاهرة", "مصر"
TEXTS = {"d1": f"زار الوزير {CAIRO} أمس.", "d2": f"وصل الوفد إلى {EGYPT} اليوم."}
PLANTED_KEY = "sk-PLANTED-never-stored-0123456789"
URL_PASSWORD = "PLANTEDpassw0rd"
QUERY_KEY = "PLANTEDquerykey42"


def problems(diagnostics: Any) -> dict[str, Any]:
    """The diagnostics without the token counts (which every answered window reports)."""
    from arabench.models.llm.accounting import TOKEN_KEYS

    return {k: v for k, v in dict(diagnostics).items() if k not in TOKEN_KEYS}


# ----------------------------------------------------------------------------- the fake server

Behaviour = Callable[["Handler", dict[str, Any]], None]


class Handler(BaseHTTPRequestHandler):
    """Reads the request, records it, and lets the server's behaviour write the raw response."""

    server: FakeServer

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        try:
            self.server.behaviour(self, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: that is what these tests want

    def write(self, data: bytes) -> bool:
        """Write unless the test is over; False when the client is gone or the server stops."""
        if self.server.stopping.is_set():
            return False
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True


class FakeServer(ThreadingHTTPServer):
    """A chat-completions server on 127.0.0.1 with one behaviour, stopped (and its loops ended) on exit."""

    daemon_threads = True

    def __init__(self, behaviour: Behaviour, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.behaviour = behaviour
        self.requests: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.0 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def completion(content: str) -> bytes:
    return json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]},
        ensure_ascii=False,
    ).encode("utf-8")


def answering(handler: Handler, body: dict[str, Any]) -> None:
    """Name every gazetteer word the window holds (a correct answer for the corpus of these tests)."""
    window = body["messages"][-1]["content"]
    entities = [{"text": w, "type": "GPE"} for w in (CAIRO, EGYPT) if w in window]
    data = completion(json.dumps({"entities": entities, "relations": []}, ensure_ascii=False))
    handler.write(head(200, {"Content-Type": "application/json", "Content-Length": str(len(data))}) + data)


def failing_on(word: str) -> Behaviour:
    def behaviour(handler: Handler, body: dict[str, Any]) -> None:
        if word in body["messages"][-1]["content"]:
            data = b'{"error": "overloaded"}'
            handler.write(head(503, {"Content-Length": str(len(data))}) + data)
        else:
            answering(handler, body)

    return behaviour


def echoing_401(handler: Handler, body: dict[str, Any]) -> None:
    """A 401 whose body echoes the request line and every header, the Authorization header included."""
    echoed = {"error": "unauthorized", "path": handler.path, "headers": dict(handler.headers)}
    data = json.dumps(echoed).encode("utf-8")
    handler.write(head(401, {"Content-Type": "application/json", "Content-Length": str(len(data))}) + data)


def gzip_bomb(handler: Handler, body: dict[str, Any]) -> None:
    """1 GB of zeros, gzip-compressed on the fly (about 1 MB on the wire), streamed until the client hangs up."""
    if not handler.write(head(200, {"Content-Type": "application/json", "Content-Encoding": "gzip"})):
        return
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    for _ in range(1024):  # 1 GB inflated
        if not handler.write(compressor.compress(zeros)):
            return
    handler.write(compressor.flush())


def huge_body(declared: bool) -> Behaviour:
    def behaviour(handler: Handler, body: dict[str, Any]) -> None:
        size = 100 << 20
        headers = {"Content-Type": "application/json", **({"Content-Length": str(size)} if declared else {})}
        if not handler.write(head(200, headers)):
            return
        chunk = b" " * (1 << 20)
        for _ in range(100):  # 100 MB
            if not handler.write(chunk):
                return

    return behaviour


def drip(headers_too: bool) -> Behaviour:
    """One byte a second (of the whole response, or of the body after prompt headers), at most 60 bytes."""

    def behaviour(handler: Handler, body: dict[str, Any]) -> None:
        data = completion('{"entities": []}')
        response = head(200, {"Content-Length": str(len(data))}) + data
        if not headers_too:
            if not handler.write(response[: response.index(b"\r\n\r\n") + 4]):
                return
            response = data
        for i in range(min(len(response), 60)):
            if not handler.write(response[i : i + 1]) or handler.server.stopping.wait(1.0):
                return

    return behaviour


def hanging(handler: Handler, body: dict[str, Any]) -> None:
    """Accept the request and never answer (until the test ends, at most 60 s)."""
    handler.server.stopping.wait(60)


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    for doc_id, text in TEXTS.items():
        word = CAIRO if CAIRO in text else EGYPT
        start = text.index(word)
        write_brat(Document(doc_id, text, {"T1": Span(start, start + len(word), "GPE")}, {}), tmp_path / "gold")
    return tmp_path / "gold"


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield port


def run_llm(corpus: Path, tmp_path: Path, out: str, url: str, **options: Any) -> benchmark.Results:
    return benchmark.run(
        ["llm:m"],
        corpus=corpus,
        out=tmp_path / out,
        cache_dir=tmp_path / "cache",
        bootstrap=0,
        model_options={"llm:m": {"base_url": url, "backoff": 0.0, "max_retries": 1, "timeout": 30, **options}},
    )


def cached_files(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())


def model(url: str, tmp_path: Path, **options: Any) -> OpenAIChatModel:
    return OpenAIChatModel.from_spec("m", base_url=url, cache_dir=str(tmp_path / "cache"), backoff=0.0, **options)


# ----------------------------------------------------------------------------- failures are not scores


def test_closed_port_fails_the_model_caches_nothing_and_a_working_server_is_asked_next(
    tmp_path: Path, corpus: Path, closed_port: int
) -> None:
    url = f"http://127.0.0.1:{closed_port}/v1"
    failed = run_llm(corpus, tmp_path, "a", url)
    (result,) = failed.models
    assert (result.status, failed.exit_status) == ("failed", 1)
    # The first window gets no response in two attempts; the second is then not sent.
    assert "every window failed (2 of 2: connection_errors 2, unsent_windows 1)" in result.reason
    assert "ConnectError" in result.reason and url in result.reason
    assert cached_files(tmp_path) == []
    with FakeServer(answering, port=closed_port) as server:  # the same URL now answers
        scored = run_llm(corpus, tmp_path, "b", url)
        assert len(server.requests) == 2
    (result,) = scored.models
    assert (result.status, scored.exit_status) == ("scored", 0)
    assert result.scores["native"]["spans"]["strict"]["char"]["flat"]["micro"]["tp"] == 2
    assert problems(result.diagnostics) == {"windows": 2}


def test_a_partly_failed_model_reports_its_failed_windows_and_caches_only_what_was_answered(
    tmp_path: Path, corpus: Path
) -> None:
    with FakeServer(failing_on(EGYPT)) as server:
        llm = model(server.url, tmp_path, max_retries=1)
        answered, partial = llm.predict(list(TEXTS.values()))
    assert problems(answered.diagnostics) == {"windows": 1}
    assert problems(partial.diagnostics) == {"windows": 1, "failed_windows": 1, "http_errors": 2, "retries": 1}
    assert partial.spans == ()
    (entry,) = (tmp_path / "cache" / "llm").rglob("*.json")
    assert CAIRO in json.loads(entry.read_text(encoding="utf-8"))["content"]

    from arabench.benchmark.cache import PredictionCache

    with FakeServer(failing_on(EGYPT)) as server:  # through the harness: the partial text is asked again next run
        first = run_llm(corpus, tmp_path / "run", "a", server.url)
        assert len(server.requests) == 3  # d1 once, d2 twice (one retry)
        server.behaviour = answering
        second = run_llm(corpus, tmp_path / "run", "b", server.url)
        assert len(server.requests) == 4  # d1 from the cache, d2 asked again
    (result,) = first.models
    assert (result.status, first.exit_status) == ("partial", 1)  # the harness marks it partial from these diagnostics
    assert problems(result.diagnostics) == {"windows": 2, "failed_windows": 1, "http_errors": 2, "retries": 1}
    (result,) = second.models
    assert problems(result.diagnostics) == {"windows": 2}
    assert result.scores["native"]["spans"]["strict"]["char"]["flat"]["micro"]["tp"] == 2

    store = PredictionCache(tmp_path / "pcache")
    store.put("k", TEXTS["d1"], answered)
    store.put("k", TEXTS["d2"], partial)  # never stored: it lacks a window
    assert store.get("k", TEXTS["d1"]) == answered and store.get("k", TEXTS["d2"]) is None


def test_no_cache_overwrites_a_stale_entry(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arabench.benchmark.cli import main

    monkeypatch.setenv("ARABENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    def nothing(handler: Handler, body: dict[str, Any]) -> None:
        data = completion('{"entities": []}')
        handler.write(head(200, {"Content-Length": str(len(data))}) + data)

    with FakeServer(nothing) as server:
        argv = ["run", "-m", "llm:m", "--corpus", str(corpus), "--llm-base-url", server.url, "--bootstrap", "0", "-q"]
        assert main([*argv, "--out", str(tmp_path / "a")]) == 0
        server.behaviour = answering  # the server is fixed; the cache still holds the empty answers
        assert main([*argv, "--out", str(tmp_path / "b")]) == 0
        assert len(server.requests) == 2
        assert main([*argv, "--out", str(tmp_path / "c"), "--no-cache"]) == 0
        assert len(server.requests) == 4  # sent again
        assert main([*argv, "--out", str(tmp_path / "d")]) == 0
        assert len(server.requests) == 4  # and the refreshed entries are what the cache now serves

    def tp(out: str) -> int:
        data = json.loads((tmp_path / out / "results.json").read_text(encoding="utf-8"))
        return data["models"][0]["scores"]["native"]["spans"]["strict"]["char"]["flat"]["micro"]["tp"]

    assert [tp(o) for o in "abcd"] == [0, 0, 2, 2]


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda s: [float(s[0]), s[1], s[2]], "malformed prediction"),
        (lambda s: [str(s[0]), s[1], s[2]], "malformed prediction"),
        (lambda s: [True, s[1], s[2]], "malformed prediction"),
        (lambda s: [s[0], s[1], ""], "malformed prediction"),
        (lambda s: [s[0], s[1], "PLANET"], "label outside the model's view"),
        (lambda s: [s[0], 10_000, s[2]], "beyond the text"),
        (lambda s: [s[1], s[0], s[2]], "malformed prediction"),
    ],
)
def test_a_hand_edited_prediction_entry_is_validated_and_discarded(
    tmp_path: Path, corpus: Path, edit: Callable[[list[Any]], list[Any]], why: str
) -> None:
    from arabench.annotations.files import canonical_sha256
    from arabench.benchmark.cache import CacheWarning

    with FakeServer(answering) as server:
        first = run_llm(corpus, tmp_path, "a", server.url)
        entries = sorted((tmp_path / "cache" / "predictions").rglob("*.json"))
        assert len(entries) == 2
        for path in entries:  # a careful hand edit: the checksum recomputed
            data = json.loads(path.read_text(encoding="utf-8"))
            spans = data["payload"]["prediction"]["spans"]
            data["payload"]["prediction"]["spans"] = [edit(span) for span in spans]
            data["checksum"] = canonical_sha256(data["payload"])
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.warns(CacheWarning, match=why):
            second = run_llm(corpus, tmp_path, "b", server.url)
    assert second.models[0].status == "scored"
    assert second.models[0].scores == first.models[0].scores  # recomputed, not read from the edited entries


# ----------------------------------------------------------------------------- secrets


def test_a_401_echoing_the_headers_leaks_no_secret_to_any_output_the_cache_or_stderr(
    tmp_path: Path, corpus: Path
) -> None:
    basic = base64.b64encode(f"user:{URL_PASSWORD}".encode()).decode()
    planted = [PLANTED_KEY, URL_PASSWORD, QUERY_KEY, basic]
    with FakeServer(echoing_401) as server:
        host = server.url.removeprefix("http://")
        url = f"http://user:{URL_PASSWORD}@{host}?api-key={QUERY_KEY}&api-version=2024-06-01"
        argv = ["run", "-m", "llm:m", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--bootstrap", "0"]
        done = subprocess.run(
            [sys.executable, "-c", CLI, *argv, "--llm-base-url", url],
            capture_output=True,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "ARABENCH_CACHE": str(tmp_path / "cache"),
                "OPENAI_API_KEY": PLANTED_KEY,
            },
            timeout=120,
            check=False,
        )
    # The server did get the secrets (so the test means something), with the query string after the path.
    (request,) = server.requests
    assert request["path"] == f"/v1/chat/completions?api-key={QUERY_KEY}&api-version=2024-06-01"
    echoed = json.dumps(request["headers"])
    assert PLANTED_KEY in echoed or basic in echoed
    assert done.returncode == 1
    stderr = done.stderr.decode("utf-8")
    assert "HTTP 401" in stderr and "<redacted>" in stderr
    outputs = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] + cached_files(tmp_path)
    assert {p.name for p in outputs} >= {"results.json", "summary.md", "report.html"}
    for blob in [done.stdout, done.stderr, *(p.read_bytes() for p in outputs)]:
        for secret in planted:
            assert secret.encode() not in blob
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert "api-key=***" in results["models"][0]["reason"] and "***@" in results["models"][0]["reason"]


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("https://u:p%40ss@api.example.org/v1", "https://***@api.example.org/v1"),
        (
            "https://api.example.org/v1?api-key=abc&api-version=1",
            "https://api.example.org/v1?api-key=***&api-version=1",
        ),
        ("https://h/v1?key=abc&token=def&x=1", "https://h/v1?key=***&token=***&x=1"),
        ("https://h/v1?access_token=abc", "https://h/v1?access_token=***"),
    ],
)
def test_urls_are_redacted_wherever_they_are_kept(url: str, public: str, tmp_path: Path) -> None:
    assert redact_url(url) == public
    llm = model(url, tmp_path)
    assert llm.provenance()["base_url"] == llm.base_url == public.rstrip("/")
    assert all(k["base_url"] == public for k in llm._request_key([{"role": "user", "content": "x"}]))
    assert endpoint(url, "chat/completions").split("?")[0].endswith("/v1/chat/completions")


def test_a_body_excerpt_hides_credentials_and_control_characters() -> None:
    body = b'{"Authorization": "Bearer sk-abc123", "x-api-key": "k-999", "msg": "bad\x1b[31m key sk-zz"}'
    shown = excerpt(body, ["sk-zz"])
    for secret in ("sk-abc123", "k-999", "sk-zz", "\x1b"):
        assert secret not in shown
    assert shown.count("<redacted>") == 3 and "\\u001b[31m" in shown


# ----------------------------------------------------------------------------- bounded responses

BOMB_SCRIPT = """
import json, resource, sys, time
from arabench.models.llm.adapters import OpenAIChatModel
from arabench.annotations.errors import ModelError

model = OpenAIChatModel.from_spec("m", base_url=sys.argv[1], cache_dir=sys.argv[2], max_retries=0, timeout=30)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
try:
    model.predict(["زار الوزير القاهرة أمس."])
    error = None
except ModelError as exc:
    error = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_mb": (after - before) / 1024, "seconds": time.monotonic() - started, "error": error,
                  "samples": model.samples.get("oversized_responses")}))
"""


def test_a_gzip_bomb_is_cut_at_the_cap_with_bounded_memory(tmp_path: Path) -> None:
    with FakeServer(gzip_bomb) as server:
        done = subprocess.run(
            [sys.executable, "-c", BOMB_SCRIPT, server.url, str(tmp_path / "cache")],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
            check=True,
        )
    report = json.loads(done.stdout)
    assert report["growth_mb"] < 200, report
    assert "oversized_responses 1" in report["error"] and "exceeded 8000000 decoded bytes" in report["error"]
    (sample,) = report["samples"]
    assert 8_000_000 < sample["read"] <= 8_000_000 + (1 << 20) and sample["cap"] == 8_000_000
    assert cached_files(tmp_path) == []


def test_gzip_and_deflate_bodies_within_the_cap_are_decoded(tmp_path: Path) -> None:
    encodings = iter(["gzip", "deflate"])

    def compressed(handler: Handler, body: dict[str, Any]) -> None:
        encoding = next(encodings)
        answer = completion(json.dumps({"entities": [{"text": CAIRO, "type": "GPE"}]}, ensure_ascii=False))
        data = gzip.compress(answer) if encoding == "gzip" else zlib.compress(answer)
        handler.write(head(200, {"Content-Encoding": encoding, "Content-Length": str(len(data))}) + data)

    with FakeServer(compressed) as server:
        llm = model(server.url, tmp_path, cache=False, max_retries=0)
        first, second = llm.predict([TEXTS["d1"], TEXTS["d1"] + " "])
    assert [s.label for s in first.spans] == [s.label for s in second.spans] == ["GPE"]


@pytest.mark.parametrize("declared", [True, False])
def test_a_huge_body_is_cut_at_the_cap(tmp_path: Path, declared: bool, caplog: pytest.LogCaptureFixture) -> None:
    with FakeServer(huge_body(declared)) as server:
        llm = model(server.url, tmp_path, max_retries=2)
        started = time.monotonic()
        with caplog.at_level("WARNING", logger="arabench"), pytest.raises(ModelError) as info:
            llm.predict([TEXTS["d1"]])
        elapsed = time.monotonic() - started
        assert len(server.requests) == 1  # a response over the cap is not asked for again
    assert "oversized_responses 1" in str(info.value) and "max_response_bytes=8000000" in str(info.value)
    assert "a response was cut" in caplog.text
    (sample,) = llm.samples["oversized_responses"]
    if declared:  # refused from the Content-Length header, before reading
        assert sample["read"] == 100 << 20 and "declares 104857600 bytes" in str(info.value)
    else:
        assert 8_000_000 < sample["read"] <= 8_000_000 + 65536
    assert elapsed < 10
    assert cached_files(tmp_path) == []


# ----------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize("headers_too", [False, True])
def test_a_one_byte_a_second_drip_stops_at_the_deadline(tmp_path: Path, headers_too: bool) -> None:
    with FakeServer(drip(headers_too)) as server:
        llm = model(server.url, tmp_path, timeout=2, max_retries=0)
        started = time.monotonic()
        with pytest.raises(ModelError, match=r"every window failed \(1 of 1: timeouts 1\)"):
            llm.predict([TEXTS["d1"]])
        elapsed = time.monotonic() - started
    assert 1.9 < elapsed < 8  # the whole drip would take a minute
    assert cached_files(tmp_path) == []


def test_a_hanging_server_is_left_at_the_run_deadline(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    texts = ["زار الوزير القاهرة.", "وصل الوفد إلى مصر.", "عاد الوفد."]
    with FakeServer(hanging) as server:
        llm = model(server.url, tmp_path, timeout=1, run_timeout=2.5, max_retries=4)
        started = time.monotonic()
        with caplog.at_level("WARNING", logger="arabench"), pytest.raises(ModelError) as info:
            llm.predict(texts)
        elapsed = time.monotonic() - started
    assert 2.4 < elapsed < 6  # not 3 windows x 5 attempts x 1 s
    message = str(info.value)
    assert "every window failed (3 of 3: deadline_windows 3, timeouts 3)" in message
    assert "run_timeout of 2.5 s reached" in message and "run_timeout of 2.5 s reached" in caplog.text
    assert cached_files(tmp_path) == []


def test_without_a_run_deadline_an_unresponsive_server_costs_one_window_of_retries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    texts = ["زار الوزير القاهرة.", "وصل الوفد إلى مصر.", "عاد الوفد."]
    with FakeServer(hanging) as server:
        llm = model(server.url, tmp_path, timeout=1, max_retries=2)
        started = time.monotonic()
        with caplog.at_level("WARNING", logger="arabench"), pytest.raises(ModelError) as info:
            llm.predict(texts)
        elapsed = time.monotonic() - started
        assert len(server.requests) == 3
    assert 2.9 < elapsed < 7  # three attempts of 1 s, not 3 windows x 3 attempts
    assert "every window failed (3 of 3: timeouts 3, unsent_windows 2)" in str(info.value)
    assert "the remaining windows are not sent" in caplog.text
