"""A local OpenAI-compatible chat-completions server for tests and benchmarks (127.0.0.1 only).

:class:`FakeLLMServer` answers every ``POST /v1/chat/completions`` after
``delay`` seconds with a JSON answer naming the window's words found in
``gazetteer`` (type GPE), and ``usage`` when ``usage=True`` (prompt tokens =
characters of the messages // 4 + 1, completion tokens = characters of the
answer // 4 + 1, so tests can check the sums). ``fail_after=N`` answers
HTTP 503 from the (N+1)-th request on; ``statuses={n: (status, headers)}``
answers the n-th request so, at once; ``on_request`` is called with each
request number (e.g. to kill a client). It records every request and the
most requests it ever had in flight at once. Used by tests/test_llm_scale.py
and tests/benchmarks/bench_llm_concurrency.py; imported as ``from
fake_llm_server import FakeLLMServer`` (pytest puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeLLMServer", "window_of"]


def window_of(body: dict[str, Any]) -> str:
    """The window text of a request (the last user message)."""
    return str(body["messages"][-1]["content"])


class FakeLLMServer(ThreadingHTTPServer):
    """See the module docstring. Use as a context manager."""

    daemon_threads = True
    #: The listen backlog: socketserver's default of 5 drops connections when 16 workers connect at once on a
    #: busy machine (the accepting thread is slow to run), which made a concurrency test fail now and then.
    request_queue_size = 128

    def __init__(
        self,
        *,
        delay: float = 0.0,
        gazetteer: Sequence[str] = (),
        usage: bool = False,
        fail_after: int | None = None,
        retry_after: str | None = None,
        on_request: Callable[[int], None] | None = None,
        statuses: dict[int, tuple[int, dict[str, str]]] | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.gazetteer = tuple(gazetteer)
        self.usage = usage
        self.fail_after = fail_after
        self.retry_after = retry_after
        self.on_request = on_request
        self.scripted = dict(statuses or {})
        self.sent: list[tuple[int, int, float]] = []  # (request number, status, time sent)
        self.requests: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self.statuses: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> FakeLLMServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def answer(self, body: dict[str, Any]) -> str:
        window = window_of(body)
        entities = [{"text": w, "type": "GPE"} for w in self.gazetteer if w in window]
        return json.dumps({"entities": entities, "relations": []}, ensure_ascii=False)


class _Handler(BaseHTTPRequestHandler):
    server: FakeLLMServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written apart: no 40 ms delayed-ACK stall per answer

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        with server.lock:
            server.requests.append(body)
            server.arrivals.append(time.monotonic())
            number = len(server.requests)
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            if server.on_request is not None:
                server.on_request(number)
            if number in server.scripted:
                status, headers = server.scripted[number]
                self._send(status, {"error": "scripted"}, headers, number=number)
                return
            time.sleep(server.delay)
            if server.fail_after is not None and number > server.fail_after:
                headers = {"Retry-After": server.retry_after} if server.retry_after else {}
                self._send(503, {"error": "overloaded"}, headers, number=number)
                return
            content = server.answer(body)
            data: dict[str, Any] = {
                "choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
            }
            if server.usage:
                chars = sum(len(m["content"]) for m in body["messages"])
                data["usage"] = {"prompt_tokens": chars // 4 + 1, "completion_tokens": len(content) // 4 + 1}
            self._send(200, data, number=number)
        finally:
            with server.lock:
                server.in_flight -= 1

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None, *, number: int) -> None:
        data = json.dumps(payload, ensure_ascii=True).encode("utf-8")  # a lone surrogate answer goes out as \\ud800
        with self.server.lock:
            self.server.statuses.append(status)
            self.server.sent.append((number, status, time.monotonic()))
        try:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until stdin closes: ``python tests/fake_llm_server.py DELAY [--usage] [WORD ...]``; prints the URL."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    delay = float(args.pop(0)) if args else 0.0
    usage = "--usage" in args
    words = [a for a in args if a != "--usage"]
    with FakeLLMServer(delay=delay, gazetteer=words, usage=usage) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # the parent closes it to stop the server


if __name__ == "__main__":
    main()
