"""Secrets at every verbosity, in every field that can carry one.

Before: ``arabench run --verbose`` printed the full request URL with
``user:password@`` and ``?api-key=`` through httpx's own logger;
``extra_body={"api_key": ...}`` was written verbatim to results.json,
report.html and the cache; ``extra_body`` could replace the prompt, model and
``stream`` actually sent while the provenance still named the template.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_llm_server import CLI, PLANTED_KEY, QUERY_KEY, ROOT, URL_PASSWORD, FakeServer, answering, cached_files
from test_llm_server import corpus as corpus

from arabench.annotations.errors import ModelError
from arabench.models.llm.adapters import OpenAIChatModel
from arabench.models.llm.redaction import RESERVED_BODY_KEYS, protect_http_logs, redacted_body

EXTRA_SECRET = "PLANTEDextrabodysecret77"


@pytest.mark.parametrize("verbosity", ["--verbose", "-q", None])
def test_no_secret_reaches_stderr_stdout_results_report_or_cache_at_any_verbosity(
    tmp_path: Path, corpus: Path, verbosity: str | None
) -> None:
    planted = [PLANTED_KEY, URL_PASSWORD, QUERY_KEY, EXTRA_SECRET]
    with FakeServer(answering) as server:
        host = server.url.removeprefix("http://")
        url = f"http://user:{URL_PASSWORD}@{host}?api-key={QUERY_KEY}&api-version=2024-06-01"
        argv = ["run", "-m", "llm:m", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--bootstrap", "0"]
        argv += ["--model-option", "llm:m", f'extra_body={{"api_key": "{EXTRA_SECRET}", "top_p": 1}}']
        done = subprocess.run(
            [sys.executable, "-c", CLI, *argv, "--llm-base-url", url, *([verbosity] if verbosity else [])],
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
    assert done.returncode == 0, done.stderr.decode()
    # The server got every secret (so the test means something): the request carries them, the records do not.
    assert server.requests and all(r["body"].get("api_key") == EXTRA_SECRET for r in server.requests), server.requests[
        0
    ]
    assert all("Authorization" in r["headers"] for r in server.requests)  # Bearer, or Basic from the URL
    outputs = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] + cached_files(tmp_path)
    assert {p.name for p in outputs} >= {"results.json", "summary.md", "report.html"}
    for blob in [done.stdout, done.stderr, *(p.read_bytes() for p in outputs)]:
        for secret in planted:
            assert secret.encode() not in blob
    if verbosity == "--verbose":
        assert b"arabench:" in done.stderr  # verbose output was there, only without the secrets
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    parameters = results["models"][0]["provenance"]["parameters"]
    assert parameters["api_key"] == "<redacted>" and parameters["top_p"] == 1
    assert results["models"][0]["scores"]["native"]["spans"]["strict"]["word"]["flat"]["micro"]["tp"] == 2


def test_the_http_loggers_are_redacted_even_when_a_user_turns_them_on(caplog: pytest.LogCaptureFixture) -> None:
    protect_http_logs(["sk-known-value"])
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)  # a user's own choice: the filter still holds
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("httpx").info(
                'HTTP Request: %s %s "%s"', "POST", f"http://u:{URL_PASSWORD}@h/v1?api-key={QUERY_KEY}&v=1", "200 OK"
            )
            logging.getLogger("httpcore.http11").debug(
                "receive_response_headers.complete return_value=%r",
                (b"HTTP/1.1", 401, [(b"X-Echo", b"Bearer sk-known-value"), (b"X-Key", b"sk-known-value")]),
            )
    finally:
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == 'HTTP Request: POST http://***@h/v1?api-key=<redacted>&v=1 "200 OK"'
    assert "sk-known-value" not in messages[1] and "<redacted>" in messages[1]


def test_the_http_loggers_are_quiet_at_verbose() -> None:
    protect_http_logs()
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore.http11").getEffectiveLevel() >= logging.WARNING


@pytest.mark.parametrize("key", sorted(RESERVED_BODY_KEYS))
def test_extra_body_may_not_set_what_the_adapter_sends(tmp_path: Path, key: str) -> None:
    with pytest.raises(ModelError) as caught:
        OpenAIChatModel.from_spec(
            "m", base_url="http://127.0.0.1:9/v1", cache_dir=str(tmp_path), extra_body={key: "hostile"}
        )
    assert str(caught.value) == (
        f"field 'extra_body.{key}': extra_body may not set {key!r}: the adapter sends it itself (from the prompt "
        "template and its options), and the results record what the adapter sends; fix: remove it from "
        "extra_body; use the model's options (temperature=, seed=, max_tokens=, json_mode=, prompt=) for what "
        "they set"
    )
    assert "hostile" not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "recorded"),
    [
        ({"api_key": "s", "top_p": 1}, {"api_key": "<redacted>", "top_p": 1}),
        ({"headers": {"Authorization": "Bearer s", "X-Api-Key": "s"}}, {"headers": {"Authorization": "<redacted>",
                                                                                  "X-Api-Key": "<redacted>"}}),
        ({"access_token": "s", "client_secret": "s", "password": "s"}, {"access_token": "<redacted>",
                                                                         "client_secret": "<redacted>",
                                                                         "password": "<redacted>"}),
        ({"max_tokens": 5, "top_k": 3, "keywords": ["a"]}, {"max_tokens": 5, "top_k": 3, "keywords": ["a"]}),
    ],
)  # fmt: skip
def test_credential_fields_are_recorded_redacted_and_others_as_sent(body: dict, recorded: dict) -> None:
    assert redacted_body(body) == recorded
