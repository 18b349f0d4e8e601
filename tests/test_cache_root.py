"""One cache root: ``--cache-dir``, ``cache_dir=`` and ``cache_dir:`` move every cache; ``--no-cache`` reads none.

The caches: predictions (:mod:`arabench.benchmark.cache`), the CRF's trained model (:mod:`arabench.models.crf.train`)
and LLM answers (:mod:`arabench.models.llm.cache`).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from arabench.annotations.jsonl import write_jsonl
from arabench.annotations.spans import Document
from arabench.benchmark.cli import main

pytest.importorskip("pycrfsuite")
pytest.importorskip("httpx")

TEXTS = ["زار محمد القاهرة أمس .", "قالت شركة النور إن الاجتماع انتهى ."]
TRAIN = "زار\tO\nمحمد\tB-PERS\nالقاهرة\tB-LOC\n.\tO\n\nقالت\tO\nشركة\tB-ORG\nالنور\tI-ORG\n.\tO\n"


@contextlib.contextmanager
def _server() -> Iterator[tuple[str, list[int]]]:
    """A chat-completions server answering ``{"entities": []}``; the list counts the requests."""
    calls = [0]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            calls[0] += 1
            content = json.dumps({"entities": [], "relations": []})
            body = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/v1", calls
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    corpus = tmp_path / "gold.jsonl"
    write_jsonl([Document(id=f"d{i}", text=t) for i, t in enumerate(TEXTS)], corpus)
    (tmp_path / "train.conll").write_text(TRAIN, encoding="utf-8")
    default = tmp_path / "default-cache"
    monkeypatch.setenv("ARABENCH_CACHE", str(default))
    monkeypatch.delenv("ARABENCH_LLM_BASE_URL", raising=False)
    return {"corpus": corpus, "train": tmp_path / "train.conll", "default": default, "root": tmp_path / "root"}


def _run(paths: dict[str, Path], url: str, out: Path, *extra: str) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(
            [
                "run", "-m", "llm:m", "-m", "crf", "--model-option", "crf", f"train={paths['train']}",
                "--llm-base-url", url, "--corpus", str(paths["corpus"]), "--bootstrap", "0", "--out", str(out), "-q",
                *extra,
            ]
        )  # fmt: skip
    assert status == 0, err.getvalue()


def _crf_model(root: Path) -> Path:
    (found,) = [p for p in (root / "crf").rglob("*") if p.is_file() and p.suffix != ".json"]
    return found


def test_cache_dir_moves_every_cache_and_no_cache_reads_none(setup: dict[str, Path], tmp_path: Path) -> None:
    root = setup["root"]
    with _server() as (url, calls):
        _run(setup, url, tmp_path / "r1", "--cache-dir", str(root))
        assert not setup["default"].exists()  # nothing under $ARABENCH_CACHE
        assert (root / "llm").is_dir() and (root / "crf").is_dir()
        assert any(p.is_file() for p in root.rglob("*") if "llm" not in p.parts and "crf" not in p.parts)
        first = calls[0]
        assert first >= len(TEXTS)
        trained = _crf_model(root).stat().st_mtime_ns
        _run(setup, url, tmp_path / "r2", "--cache-dir", str(root))
        assert calls[0] == first  # predictions (and answers) from the cache
        assert _crf_model(root).stat().st_mtime_ns == trained
        _run(setup, url, tmp_path / "r3", "--cache-dir", str(root), "--no-cache")
        assert calls[0] == 2 * first  # no stored prediction nor answer read
        assert _crf_model(root).stat().st_mtime_ns != trained  # trained again, not read
        assert not setup["default"].exists()


def test_the_api_cache_dir_and_cache_false(setup: dict[str, Path], tmp_path: Path) -> None:
    from arabench import benchmark

    root = setup["root"]
    options = {"crf": {"train": str(setup["train"])}}
    with _server() as (url, calls):
        run = {"corpus": str(setup["corpus"]), "bootstrap": 0, "model_options": options, "llm_base_url": url}
        benchmark.run(["llm:m", "crf"], cache_dir=root, **run)
        first = calls[0]
        trained = _crf_model(root).stat().st_mtime_ns
        assert not setup["default"].exists() and (root / "llm").is_dir()
        benchmark.run(["llm:m", "crf"], cache_dir=root, **run)
        assert calls[0] == first
        benchmark.run(["llm:m", "crf"], cache_dir=root, cache=False, **run)
        assert calls[0] == 2 * first and _crf_model(root).stat().st_mtime_ns != trained


def test_the_config_cache_dir_is_read_relative_to_the_file(setup: dict[str, Path], tmp_path: Path) -> None:
    from arabench.benchmark.config import load_config

    (tmp_path / "suite.yaml").write_text("cache_dir: here/cache\ncache: 'false'\n", encoding="utf-8")
    config = load_config(tmp_path / "suite.yaml")
    assert config.cache_dir == str(tmp_path / "here" / "cache") and config.cache is False
    assert config.as_json()["cache_dir"] == config.cache_dir
