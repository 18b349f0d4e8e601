"""The LLM adapters: windows, prompts, cache, parsing and alignment around a backend.

**Concurrency.** The windows of all texts of a :meth:`LLMExtractor.predict` call
are answered together: cached answers first, the rest sent at most
``concurrency`` at once (:mod:`arabench.models.llm.concurrency`), each answer
cached as it arrives and all joined back in window order, so predictions do
not depend on the concurrency or on the order answers arrive in.

**Robustness.** HTTP 429, 5xx, connection errors and timeouts are retried
(``tenacity``) with exponential backoff (``backoff`` × 2^attempt seconds, at
most ``max_backoff``; ``Retry-After`` is honoured), at most ``max_retries``
times; the pause is shared: every worker waits until it ends. A 400 that mentions
``response_format`` is retried once without it (``json_mode_unsupported``) and
JSON mode stays off for the rest of the run. 401, 403 and 404 are configuration
errors (bad key, model or URL) and raise :class:`~annotations.errors.ModelError`.
Anything else that goes wrong in a window gives that window no spans and is
counted ``failed_windows``; the run goes on, and the window's answer is not
cached. If no window of a model could be answered, the model fails with the
adapter's error (see :class:`LLMExtractor`).

**Bounds.** Each request attempt ends within ``timeout`` seconds (in total,
not between bytes), each decoded response within ``max_response_bytes``, and
all requests of a model within ``run_timeout`` seconds (:mod:`arabench.models.llm.http`).
What is cut is counted (``timeouts``, ``oversized_responses``,
``deadline_windows``), logged as a warning, and named in the error. When the
first window that is sent gets no response at all (only connection errors or
timeouts, after every retry), the server is taken to be unreachable: the
remaining windows are not sent (``unsent_windows``) and the model fails at
once instead of retrying every window.

**Secrets.** The API key is sent, never kept. URLs are kept and printed with
their credentials redacted; a response body reaches a message or a sample
only as a short redacted excerpt; an answer is stored with the known secret
values replaced.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import ipaddress
import json
import logging
import os
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from arabench.annotations.errors import CacheError, ModelError, ModelUnavailableError
from arabench.annotations.files import canonical_sha256, path_fingerprint
from arabench.annotations.schema import Schema, default_schema
from arabench.annotations.spans import Relation, Span
from arabench.models.base import Option, Prediction, parse_options
from arabench.models.llm.accounting import estimate_tokens, parse_price, read_usage, token_counts
from arabench.models.llm.alignment import Alignment, align_entities, align_relations, answer_clusters
from arabench.models.llm.cache import ResponseCache
from arabench.models.llm.concurrency import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    Progress,
    SharedBackoff,
    run_coroutine,
    run_jobs,
)
from arabench.models.llm.examples import ExamplePool, parse_examples_label_map
from arabench.models.llm.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DeadlineExceeded,
    HTTPResponse,
    ResponseTooLarge,
    UnsupportedEncoding,
    endpoint,
    excerpt,
    post_json,
    redact_text,
    redact_url,
    url_secrets,
)
from arabench.models.llm.parsing import parse_answer
from arabench.models.llm.prompts import DEFAULT_PROMPT, load_prompt
from arabench.models.llm.redaction import check_extra_body, protect_http_logs, redacted_body
from arabench.models.llm.windows import split_windows

__all__ = ["ADAPTER_VERSION", "COMMON_OPTIONS", "HFGenerationModel", "LLMExtractor", "MAX_SAMPLES", "OpenAIChatModel"]

log = logging.getLogger("arabench")

#: Bumped whenever the adapters change what they predict.
ADAPTER_VERSION = "1"
#: Samples kept per problem kind in :attr:`LLMExtractor.samples`.
MAX_SAMPLES = 20


@dataclass
class _Answer:
    content: str | None
    finish_reason: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    failed: bool = False
    usage: dict[str, int] | None = None


#: One window to answer: its index in the run and its messages.
_Job = tuple[int, list[dict[str, str]]]
#: Called with each answer as it arrives.
_Done = Callable[[int, _Answer], None]


class _Retryable(Exception):
    """An attempt that may be repeated (429, 5xx, a timeout, a connection error)."""

    def __init__(self, error: str, retry_after: float | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


#: Diagnostics logged (INFO) after each text when non-zero.
_REPORTED = ("failed_windows", "parse_failures", "empty_answers", "unalignable", "unalignable_relations", "timeouts")

COMMON_OPTIONS = (
    Option(
        "cache",
        "bool",
        True,
        "read and write the answer cache (refresh: write only)",
        choices=("refresh",),
        from_run="cache",
    ),
    Option("cache_dir", "text", help="the cache root (the run's)", from_run="cache_dir"),
    Option(
        "examples_format",
        "text",
        help="the format of examples_from (default: guessed from the path, as every command guesses)",
    ),
    Option("examples_from", "text", help="a training corpus to draw few-shot examples from (never the scored corpus)"),
    Option("examples_k", "int", 3, "few-shot examples per window", minimum=1),
    Option("examples_label_map", "label_map", help="the example corpus's labels -> schema types: RAW=TYPE,..."),
    Option("examples_max_chars", "int", 600, "the longest example sentence, in characters", minimum=1),
    Option("examples_seed", "int", 0, "the seed of the example draw"),
    Option("examples_select", "text", "random", "how examples are drawn", choices=("random", "similar")),
    Option("label_map", "label_map", help="raw type -> schema type: RAW=TYPE,... (empty drops) or a .yaml/.json file"),
    Option("labels", "list", help="the schema types asked for (default: all)"),
    Option("max_window_chars", "int", 1500, "the most characters of text per request", minimum=10),
    Option("name", "text", help="the registry name", user=False),
    Option("price_input", "number", help="your price per million prompt tokens (no price: no cost)", minimum=0),
    Option("price_output", "number", help="your price per million completion tokens", minimum=0),
    Option("progress", "bool", True, "a progress bar over windows (on a terminal only)"),
    Option("prompt", "text", help="a prompt file (default: the packaged prompt)"),
)

#: The diagnostics that explain failed windows (named in the error when every window failed).
_FAILURES = (
    "bad_responses",
    "connection_errors",
    "deadline_windows",
    "http_errors",
    "oversized_responses",
    "prompt_too_long",
    "timeouts",
    "unsent_windows",
    "window_errors",
)


def _cache_mode(value: object) -> bool | str:
    """The ``cache`` option: true, false or ``"refresh"`` (send every request, overwrite the stored answers)."""
    if isinstance(value, str) and value.strip().lower() == "refresh":
        return "refresh"
    try:
        return _truthy_option(value, "cache")
    except ModelError:
        raise ModelError(
            "must be true, false or refresh", field="cache", value=value, fix="pass true, false or refresh"
        ) from None


def _parse_labels(labels: Iterable[str] | str | None, schema: Schema) -> frozenset[str]:
    if labels is None:
        return frozenset(schema.entity_types)
    from arabench.models.labelmap import split_labels

    items = split_labels(labels)
    bad = [x for x in items if x not in schema.entity_types]
    if bad or not items:
        raise ModelError(
            "labels must be schema entity types",
            field="labels",
            value=bad or items,
            fix=f"use some of {', '.join(schema.entity_types)}",
        )
    return frozenset(items)


def _parse_label_map(spec: Mapping[str, object] | str | None, schema: Schema) -> dict[str, str | None] | None:
    """Raw type -> schema type (``None``: dropped), read by :func:`arabench.models.labelmap.parse_label_map`.

    ``RAW=TYPE,...`` (an empty TYPE drops), a ``.yaml``/``.json`` file or a mapping; every target a schema type.
    """
    if spec is None:
        return None
    from arabench.models.labelmap import parse_label_map

    parsed = parse_label_map(spec)
    for raw, label in parsed.mapping.items():
        if label not in schema.entity_types:
            raise ModelError(
                "label_map targets must be schema entity types (or null to drop)",
                field=f"label_map.{raw}",
                value=label,
                fix=f"use one of {', '.join(schema.entity_types)}",
            )
    return {**dict(parsed.mapping), **{raw: None for raw in sorted(parsed.drop)}}


class LLMExtractor:
    """What both LLM adapters share: windows, prompts, cache, parsing, alignment, diagnostics.

    Subclasses implement :meth:`_generate` (one window's messages -> answer) and
    :meth:`_identity` (what identifies the backend in provenance and cache keys).

    Attributes:
        name: The registry name.
        view: ``"native"``.
        labels: The schema types it is asked for (all 21 by default).
        prompt: The :class:`~models.llm.prompts.PromptTemplate`.
        samples: Examples of problems (unalignable strings, unparsable answers,
            failed windows), at most :data:`MAX_SAMPLES` per kind, for people
            checking a run.
        stats: Counters of the whole life of the object (``requests``,
            ``cache_hits``, ``answered_windows``, ``failed_windows``).

    **Failures.** A window with no usable answer (connection errors, timeouts,
    HTTP errors after the retries, an oversized or malformed response) is
    counted ``failed_windows`` and its answer is never cached. When every
    window of a :meth:`predict` call failed and no window of this object was
    ever answered, the model could not run at all: :meth:`predict` raises
    :class:`~annotations.errors.ModelError` naming the failures, so the harness
    reports the model failed rather than scoring empty predictions. Otherwise
    each prediction reports ``windows`` and ``failed_windows``: a prediction
    with ``failed_windows > 0`` is partial.
    """

    adapter = "llm"
    view = "native"
    #: The harness gives every text in one :meth:`predict` call (windows of all texts are sent together).
    predict_batch = None

    def __init__(
        self,
        *,
        name: str,
        prompt: str | Path = DEFAULT_PROMPT,
        labels: Iterable[str] | str | None = None,
        label_map: Mapping[str, object] | str | None = None,
        max_window_chars: int = 1500,
        cache: bool | str = True,
        cache_dir: str | Path | None = None,
        examples_from: str | Path | None = None,
        examples_k: int | None = None,
        examples_select: str | None = None,
        examples_seed: int | None = None,
        examples_label_map: Mapping[str, object] | str | None = None,
        examples_max_chars: int | None = None,
        examples_format: str | None = None,
        price_input: float | None = None,
        price_output: float | None = None,
        progress: bool | str = True,
    ) -> None:
        self.schema = default_schema()
        self.name = name
        self.labels = _parse_labels(labels, self.schema)
        self.label_map = _parse_label_map(label_map, self.schema)
        if isinstance(max_window_chars, bool) or not isinstance(max_window_chars, int) or max_window_chars < 10:
            raise ModelError(
                "max_window_chars must be an integer of at least 10",
                field="max_window_chars",
                value=max_window_chars,
                fix="e.g. 1500",
            )
        self.max_window_chars = max_window_chars
        self.prompt = load_prompt(prompt)
        self.system = self.prompt.render_system(self.schema, self.labels)
        self.prompt_sha256 = hashlib.sha256(
            json.dumps(self.prompt.messages("{{text}}", system=self.system), ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        #: Few-shot examples from a training corpus (:mod:`arabench.models.llm.examples`), or None.
        self.examples: ExamplePool | None = None
        given = {
            "examples_k": examples_k,
            "examples_select": examples_select,
            "examples_seed": examples_seed,
            "examples_label_map": examples_label_map,
            "examples_max_chars": examples_max_chars,
            "examples_format": examples_format,
        }
        if examples_from is None and any(v is not None for v in given.values()):
            stray = next(k for k, v in given.items() if v is not None)
            raise ModelError(
                "a few-shot option without examples_from (it would be ignored)",
                field=stray,
                value=given[stray],
                fix="name the training corpus: examples_from=PATH",
            )
        if examples_from is not None:
            self.examples = ExamplePool(
                examples_from,
                k=_number(3 if examples_k is None else examples_k, "examples_k", minimum=1, integer=True),
                select=str(examples_select or "random"),
                seed=_number(0 if examples_seed is None else examples_seed, "examples_seed", integer=True),
                labels=self.labels,
                schema=self.schema,
                label_map=parse_examples_label_map(examples_label_map),
                max_chars=_number(
                    600 if examples_max_chars is None else examples_max_chars, "examples_max_chars", integer=True
                ),
                format=examples_format,
            )
        #: Prices per million input and output tokens (never stored in the provenance: they change no answer).
        self.prices = {
            "price_input": parse_price(price_input, "price_input"),
            "price_output": parse_price(price_output, "price_output"),
        }
        self.progress = _truthy_option(progress, "progress")
        mode = _cache_mode(cache)
        self.cache = ResponseCache(cache_dir, refresh=mode == "refresh") if mode else None
        self.samples: dict[str, list[dict[str, object]]] = {}
        self.stats: Counter[str] = Counter()
        self._last_error: str | None = None

    # -- to implement -----------------------------------------------------------------------

    def _identity(self) -> dict[str, object]:
        raise NotImplementedError

    def _request_key(self, messages: list[dict[str, str]]) -> list[dict[str, object]]:
        """The cache-key data of a request (several candidates: the first is written)."""
        raise NotImplementedError

    def _generate(self, messages: list[dict[str, str]]) -> _Answer:
        raise NotImplementedError

    def _generate_many(self, jobs: Sequence[_Job], done: _Done, progress: Progress) -> None:
        """Answer every job, calling ``done(index, answer)`` as each answer arrives (default: one at a time)."""
        for index, messages in jobs:
            progress.started()
            try:
                answer = self._generate(messages)
            except ModelError:
                raise
            except Exception as exc:  # one bad window must not stop the run
                answer = self._window_error(exc)
            progress.finished(failed=answer.failed)
            done(index, answer)

    def _redact(self, text: str) -> str:
        """``text`` without the secrets this adapter knows (none by default)."""
        return redact_text(text)

    # -- shared -----------------------------------------------------------------------------

    def _sample(self, kind: str, **data: object) -> None:
        bucket = self.samples.setdefault(kind, [])
        if len(bucket) < MAX_SAMPLES:
            bucket.append(data)

    def _prompt_key(self) -> dict[str, object]:
        """The prompt part of provenance and cache keys (with the few-shot examples' identity when drawn)."""
        key: dict[str, object] = {
            "name": self.prompt.name,
            "version": self.prompt.version,
            "sha256": self.prompt_sha256,
        }
        if self.examples is not None:
            key["examples"] = self.examples.provenance()
        return key

    def provenance(self) -> dict[str, object]:
        """Everything that changes predictions (never the API key)."""
        return {
            "id": self.name,
            "adapter": self.adapter,
            "adapter_version": ADAPTER_VERSION,
            **self._identity(),
            "view": self.view,
            "labels": sorted(self.labels),
            "label_map": self.label_map,
            "prompt": self._prompt_key(),
            "max_window_chars": self.max_window_chars,
        }

    def _failure_context(self, totals: Mapping[str, int]) -> dict[str, object]:
        """``field``, ``value`` and ``fix`` of the error raised when no window could be answered."""
        return {"field": "model", "value": self.name, "fix": "see the samples of the failed windows"}

    def _window_error(self, exc: Exception) -> _Answer:
        log.debug("an LLM window failed", exc_info=exc)
        self._last_error = self._redact(f"{type(exc).__name__}: {exc}")
        self._sample("window_errors", error=self._last_error)
        return _Answer(None, counts=Counter({"window_errors": 1}), failed=True)

    def _messages(self, window: str) -> list[dict[str, str]]:
        examples = self.examples.choose(window) if self.examples is not None else None
        return self.prompt.messages(window, system=self.system, examples=examples)

    def _windows(self, texts: Sequence[str]) -> list[tuple[int, int, int]]:
        """``(text index, start, end)`` of every window of every text, in order."""
        if isinstance(texts, str):
            raise ModelError(
                "predict takes a sequence of texts", field="texts", value=texts[:40], fix="wrap it: [text]"
            )
        if self.examples is not None:
            self.examples.exclude_scored(texts)  # refused when the texts are the example corpus
        limit = self.max_window_chars
        return [(t, s, e) for t, text in enumerate(texts) for s, e in split_windows(text, max_chars=limit)]

    def _cached(self, messages: list[dict[str, str]]) -> tuple[_Answer | None, Counter[str]]:
        """The cached answer of a request (or None) and the invalid entries discarded on the way."""
        discarded: Counter[str] = Counter()
        if self.cache is None:
            return None, discarded
        before = self.cache.discarded
        hit = None
        for key in (ResponseCache.key(k) for k in self._request_key(messages)):
            hit = self.cache.get(key)
            if hit is not None:
                break
        if self.cache.discarded > before:
            discarded["discarded_cache_entries"] = self.cache.discarded - before
        if hit is None:
            return None, discarded
        usage = read_usage(hit)
        return _Answer(hit.get("content"), hit.get("finish_reason"), Counter(discarded), usage=usage), discarded

    def _answers(self, requests: Sequence[list[dict[str, str]]]) -> list[_Answer]:
        """The answer of every request, in order: from the cache, else from the backend (written as it arrives)."""
        answers: list[_Answer | None] = [None] * len(requests)
        pending: dict[int, Counter[str]] = {}
        for i, messages in enumerate(requests):
            hit, discarded = self._cached(messages)
            if hit is None:
                pending[i] = discarded
                continue
            self.stats["cache_hits"] += 1
            self.stats["answered_windows"] += 1
            hit.counts.update(token_counts(hit.usage, messages, hit.content))
            answers[i] = hit

        def done(i: int, answer: _Answer) -> None:
            self.stats["requests"] += 1
            if not answer.failed and self.cache is not None:  # written now: an interrupted run keeps every answer
                written = ResponseCache.key(self._request_key(requests[i])[0])  # json mode may have changed
                try:
                    self.cache.put(written, answer.content, answer.finish_reason, usage=answer.usage)
                except CacheError:
                    raise
                except Exception as exc:  # an answer that cannot be stored is not used either
                    answer = self._window_error(exc)
            if not answer.failed:
                self.stats["answered_windows"] += 1
                answer.counts.update(token_counts(answer.usage, requests[i], answer.content))
            answer.counts.update(pending[i])
            answers[i] = answer

        progress = Progress(len(pending), desc=f"{self.name}: windows", enabled=self.progress)
        try:
            self._generate_many([(i, list(requests[i])) for i in pending], done, progress)
        finally:
            progress.close()
        missing = [i for i, a in enumerate(answers) if a is None]
        if missing:  # a backend that skipped a job: never scored as an empty answer
            raise ModelError(
                f"the backend returned no answer for {len(missing)} windows",
                field="model",
                value=self.name,
                fix="report this as a bug",
            )
        return [a for a in answers if a is not None]

    def plan(self, texts: Sequence[str]) -> dict[str, int]:
        """What :meth:`predict` would do, without sending anything (a dry run).

        Returns:
            ``windows``, ``cached_windows`` (answered from the cache), ``requests``
            (windows to send, retries not counted) and ``prompt_tokens_estimated``
            (of the requests to send; :func:`~arabench.models.llm.accounting.estimate_tokens`).
        """
        windows = self._windows(texts)
        out = Counter({"windows": len(windows), "cached_windows": 0, "requests": 0, "prompt_tokens_estimated": 0})
        for t, s, e in windows:
            messages = self._messages(texts[t][s:e])
            hit, _ = self._cached(messages)
            if hit is not None:
                out["cached_windows"] += 1
            else:
                out["requests"] += 1
                out["prompt_tokens_estimated"] += sum(estimate_tokens(m["content"]) for m in messages)
        return dict(out)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Extract entities and relations from every text (see the :mod:`arabench.models.llm` docstring).

        The windows of all texts are answered together (concurrently where the backend can), and
        joined back in window order, so the predictions do not depend on the order answers arrive in.
        """
        windows = self._windows(texts)
        answers = self._answers([self._messages(texts[t][s:e]) for t, s, e in windows])
        counts: list[Counter[str]] = [Counter() for _ in texts]
        spans: list[dict[Span, None]] = [{} for _ in texts]
        relations: list[dict[Relation, None]] = [{} for _ in texts]
        clusters: list[list[tuple[Span, ...]]] = [[] for _ in texts]  # the entities the answers imply
        clustered: list[set[Span]] = [set() for _ in texts]
        for (t, start, end), answer in zip(windows, answers, strict=True):
            text = texts[t]
            counts[t]["windows"] += 1
            if end - start > self.max_window_chars:
                counts[t]["oversized_windows"] += 1
            try:
                window_spans, window_relations, window_counts, alignment = self._use(text, start, end, answer)
            except ModelError:
                raise
            except Exception as exc:  # one bad window must not stop the run
                log.debug("LLM window %d-%d failed", start, end, exc_info=True)
                counts[t]["window_errors"] += 1
                counts[t]["failed_windows"] += 1
                self.stats["failed_windows"] += 1
                self._last_error = self._redact(f"{type(exc).__name__}: {exc}")
                self._sample("window_errors", window=[start, end], error=self._last_error)
                continue
            counts[t].update(window_counts)
            for span in window_spans:
                if span in spans[t]:
                    counts[t]["duplicate_spans"] += 1
                spans[t][span] = None
            for rel in window_relations:
                relations[t][rel] = None
            if alignment is not None:
                clusters[t] += answer_clusters(alignment, clustered[t])
        predictions = []
        for t in range(len(texts)):
            problems = {k: counts[t][k] for k in _REPORTED if counts[t].get(k)}
            if problems:
                examples = [str(x.get("text")) for x in self.samples.get("unalignable", [])[:3]]
                log.info(
                    "%s: %s%s",
                    self.name,
                    ", ".join(f"{k} {v}" for k, v in problems.items()),
                    f" (unalignable e.g. {examples})" if examples else "",
                )
            predictions.append(
                Prediction(
                    spans=tuple(spans[t]),
                    relations=tuple(relations[t]),
                    diagnostics=dict(counts[t]),
                    clusters=tuple(clusters[t]),
                )
            )
        n_windows = sum(p.diagnostics.get("windows", 0) for p in predictions)
        failed = sum(p.diagnostics.get("failed_windows", 0) for p in predictions)
        if n_windows and failed == n_windows and not self.stats["answered_windows"]:
            totals: Counter[str] = Counter()
            for p in predictions:
                totals.update({k: v for k, v in p.diagnostics.items() if k in _FAILURES and v})
            why = ", ".join(f"{k} {v}" for k, v in sorted(totals.items())) or "no usable answer"
            last = f"; last error: {self._last_error}" if self._last_error else ""
            raise ModelError(
                f"every window failed ({failed} of {n_windows}: {why}){last}; no prediction was made or cached",
                **self._failure_context(totals),  # type: ignore[arg-type]
            )
        return predictions

    def _use(
        self, text: str, start: int, end: int, answer: _Answer
    ) -> tuple[list[Span], list[Relation], Counter[str], Alignment | None]:
        """One window's answer parsed and aligned to raw offsets of ``text`` (and the alignment, for its clusters)."""
        counts = Counter(answer.counts)
        if answer.failed:
            counts["failed_windows"] += 1
            self.stats["failed_windows"] += 1
            return [], [], counts, None
        if answer.finish_reason == "length":
            counts["truncated_answers"] += 1
        parsed = parse_answer(answer.content, entity_types=self.schema.entity_types)
        counts.update(parsed.counts)
        if not parsed.ok:
            self._sample("parse_failures", window=[start, end], answer=excerpt(answer.content or "", limit=500))
            return [], [], counts, None
        aligned = align_entities(
            text,
            parsed.entities,
            window=(start, end),
            labels=self.labels,
            label_map=self.label_map,
            schema=self.schema,
        )
        counts.update(aligned.counts)
        for missing in aligned.unaligned:
            self._sample("unalignable", window=[start, end], text=missing)
        relations, rel_counts = align_relations(parsed.relations, parsed.entities, aligned, schema=self.schema)
        counts.update(rel_counts)
        return aligned.spans, relations, counts, aligned


def _truthy_option(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    raise ModelError("must be true or false", field=name, value=value, fix="pass true or false")


def _number(value: object, name: str, *, minimum: float = 0.0, integer: bool = False) -> Any:
    convertible: Any = value  # whatever int()/float() cannot convert raises TypeError or ValueError, caught below
    try:
        number = int(convertible) if integer else float(convertible)
    except (TypeError, ValueError):
        raise ModelError("must be a number", field=name, value=value, fix=f"pass a number >= {minimum}") from None
    if isinstance(value, bool) or number < minimum or (integer and float(convertible) != number):
        raise ModelError(
            "out of range", field=name, value=value, fix=f"pass a {'whole ' if integer else ''}number >= {minimum}"
        )
    return number


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class OpenAIChatModel(LLMExtractor):
    """An LLM behind an OpenAI-compatible chat-completions endpoint (``llm:<model>``).

    Requests go through :func:`arabench.models.llm.http.post_json`: each attempt must
    finish (connect, send, headers, every byte) within ``timeout`` seconds,
    the decoded response within ``max_response_bytes``, and all requests of
    the object within ``run_timeout`` seconds. What is cut is counted
    (``timeouts``, ``oversized_responses``, ``deadline_windows``), logged, and
    named in the error when no window could be answered. URLs are stored and
    printed only through :func:`~models.llm.http.redact_url`, response bodies
    only through :func:`~models.llm.http.excerpt`.

    Args:
        model: The model name sent to the server.
        base_url: The API root, e.g. ``https://api.openai.com/v1`` or
            ``http://127.0.0.1:8000/v1`` (default ``$ARABENCH_LLM_BASE_URL``).
            A query string (``?api-version=...``) stays after the request path.
        api_key_env: The environment variable holding the API key (default
            ``OPENAI_API_KEY``; no key: no ``Authorization`` header, fine for local servers).
        json_mode: Ask for ``response_format: json_object`` (default on).
        temperature: Sampling temperature (default 0).
        seed: Sampling seed sent to the server (default 0).
        max_tokens: ``max_tokens`` of the answer (default: not sent, the server's default).
        timeout: Seconds per request attempt, in total (default 120).
        run_timeout: Seconds for all requests of this model object, in total
            (default: no limit); windows left when it passes are not sent and
            are counted ``deadline_windows``.
        max_response_bytes: The cap on a decoded response body (default 8,000,000).
        max_retries: Retries after 429, 5xx, connection errors and timeouts (default 4).
        backoff: First retry delay in seconds, doubled each retry (default 1).
        max_backoff: The longest delay, ``Retry-After`` included (default 60).
        extra_body: More request fields (server-specific), sent as is and part of the cache key.
        concurrency: Windows in flight at once (default 4, at most 64); the answers do not depend on it.
        **common: ``name``, ``prompt``, ``labels``, ``label_map``,
            ``max_window_chars``, ``cache``, ``cache_dir`` (see :class:`LLMExtractor`).
    """

    adapter = "llm"
    OPTIONS = (
        *COMMON_OPTIONS,
        Option("api_key_env", "text", "OPENAI_API_KEY", "the environment variable holding the API key"),
        Option("backoff", "number", 1.0, "seconds before the first retry", minimum=0),
        Option("base_url", "text", help="the chat API's base URL ($ARABENCH_LLM_BASE_URL)", from_run="llm_base_url"),
        Option(
            "concurrency", "int", DEFAULT_CONCURRENCY, "windows in flight at once", minimum=1, maximum=MAX_CONCURRENCY
        ),
        Option("extra_body", "mapping", help='more request fields, e.g. {"top_p": 1}'),
        Option("json_mode", "bool", True, "ask for a JSON object answer"),
        Option("max_backoff", "number", 60.0, "the longest wait between retries, in seconds", minimum=0),
        Option("max_response_bytes", "int", help="the largest answer read, in bytes", minimum=1),
        Option("max_retries", "int", 4, "retries of a failed request", minimum=0),
        Option("max_tokens", "int", help="the most tokens per answer", minimum=1),
        Option("run_timeout", "number", help="seconds for the whole run", minimum=0.001),
        Option("seed", "int", 0, "the sampling seed"),
        Option("temperature", "number", 0.0, "the sampling temperature", minimum=0),
        Option("timeout", "number", 120.0, "seconds per request", minimum=0.001),
    )

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        json_mode: bool | str = True,
        temperature: float = 0.0,
        seed: int | None = 0,
        max_tokens: int | None = None,
        timeout: float = 120.0,
        run_timeout: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        extra_body: Mapping[str, object] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        name: str | None = None,
        **common: Any,
    ) -> None:
        try:
            import httpx  # noqa: F401
            import tenacity  # noqa: F401
        except ImportError as exc:
            raise ModelUnavailableError(
                f"the llm adapter needs httpx and tenacity ({exc})",
                field="model",
                value=model,
                fix="pip install 'arabench[llm]'",
            ) from exc
        super().__init__(name=name or f"llm:{model}", **common)
        self.model = model
        base_url = base_url or os.environ.get("ARABENCH_LLM_BASE_URL")
        if not base_url:
            raise ModelError(
                "the llm adapter needs the base URL of an OpenAI-compatible server",
                field="base_url",
                value=None,
                fix="pass --llm-base-url URL (or base_url=URL, or set ARABENCH_LLM_BASE_URL), "
                "e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1",
            )
        try:
            parsed = urlparse(base_url)
            hostname = parsed.hostname
        except ValueError:
            parsed, hostname = None, None
        if parsed is None or parsed.scheme not in ("http", "https") or not hostname:
            raise ModelError(
                "base_url must be an http(s) URL",
                field="base_url",
                value=redact_url(base_url),
                fix="e.g. http://127.0.0.1:8000/v1",
            )
        self._base_url = base_url.rstrip("/")  # with its credentials: used for requests only
        #: The base URL as stored and printed: credentials redacted.
        self.base_url = redact_url(self._base_url)
        self._url = endpoint(self._base_url, "chat/completions")
        if not isinstance(api_key_env, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", api_key_env):
            raise ModelError(
                "api_key_env is the NAME of an environment variable",
                field="api_key_env",
                value="<hidden>",
                fix="e.g. OPENAI_API_KEY (never pass the key itself)",
            )
        self.api_key_env = api_key_env
        self.json_mode = _truthy_option(json_mode, "json_mode")
        self.temperature = _number(temperature, "temperature")
        self.seed = None if seed is None else _number(seed, "seed", integer=True)
        self.max_tokens = None if max_tokens is None else _number(max_tokens, "max_tokens", minimum=1, integer=True)
        self.timeout = _number(timeout, "timeout", minimum=0.001)
        self.run_timeout = None if run_timeout is None else _number(run_timeout, "run_timeout", minimum=0.001)
        self.max_response_bytes = _number(max_response_bytes, "max_response_bytes", minimum=1, integer=True)
        self.max_retries = _number(max_retries, "max_retries", integer=True)
        self.backoff = _number(backoff, "backoff")
        self.max_backoff = _number(max_backoff, "max_backoff")
        if extra_body is not None and not isinstance(extra_body, Mapping):
            raise ModelError(
                "extra_body must be a mapping", field="extra_body", value=extra_body, fix='e.g. {"top_p": 1}'
            )
        self.extra_body = check_extra_body(extra_body)  # no key the adapter sets itself
        self.concurrency = _number(concurrency, "concurrency", minimum=1, integer=True)
        if self.concurrency > MAX_CONCURRENCY:
            raise ModelError(
                f"at most {MAX_CONCURRENCY} windows can be in flight",
                field="concurrency",
                value=concurrency,
                fix=f"pass a whole number from 1 to {MAX_CONCURRENCY}",
            )
        self._json_mode_ok = self.json_mode
        protect_http_logs(self._secrets())  # httpx/httpcore log URLs and headers: redacted at every verbosity
        self._trust_env = not _is_loopback(hostname)  # no proxy for a local server
        #: The async sleep of retries (replaced in tests).
        self._sleep: Callable[[float], Any] = asyncio.sleep
        self._clock = time.monotonic
        self._run_deadline: float | None = None
        self._unreachable = False

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> OpenAIChatModel:
        """Build from ``llm:<model>`` (``arg`` is the model name sent to the server).

        Raises:
            ModelError: For a missing model name, a missing base URL or an unknown option.
        """
        options = parse_options(cls.OPTIONS, options, model=f"llm:{arg or ''}")
        if not arg:
            raise ModelError(
                "llm needs a model name", field="model", value=arg, fix="llm:<model>, e.g. llm:gpt-4o-mini"
            )
        return cls(arg, **options)

    def close(self) -> None:
        """Nothing to close: each :meth:`predict` call opens and closes its own connection pool."""

    def _identity(self) -> dict[str, object]:
        return {
            "revision": self.model,
            "model": self.model,
            "base_url": self.base_url,
            "parameters": redacted_body(self._parameters(json_mode=self.json_mode)),  # no credential recorded
        }

    def _parameters(self, *, json_mode: bool) -> dict[str, object]:
        params: dict[str, object] = {"temperature": self.temperature}
        if self.seed is not None:
            params["seed"] = self.seed
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        if json_mode:
            params["response_format"] = {"type": "json_object"}
        params.update(self.extra_body)
        return params

    def _payload(self, messages: list[dict[str, str]], *, json_mode: bool) -> dict[str, object]:
        return {"model": self.model, "messages": messages, **self._parameters(json_mode=json_mode)}

    def _request_key(self, messages: list[dict[str, str]]) -> list[dict[str, object]]:
        base = {
            "backend": "openai-chat",
            "base_url": self.base_url,
            "prompt": self._prompt_key(),
        }
        modes = [self._json_mode_ok] + ([False] if self._json_mode_ok else [])
        return [{**base, "request": redacted_body(self._payload(messages, json_mode=mode))} for mode in modes]

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _secrets(self) -> list[str]:
        key = os.environ.get(self.api_key_env)
        return [*url_secrets(self._base_url), *([key] if key else [])]

    def _redact(self, text: str) -> str:
        return redact_text(text, self._secrets())

    def _failure_context(self, totals: Mapping[str, int]) -> dict[str, object]:
        if totals.get("oversized_responses"):
            return {
                "field": "max_response_bytes",
                "value": self.max_response_bytes,
                "fix": "check what the server sends; raise max_response_bytes only if such answers are expected",
            }
        return {
            "field": "base_url",
            "value": self.base_url,
            "fix": f"check that an OpenAI-compatible server answers POST {redact_url(self._url)} "
            "(--llm-base-url), or raise timeout/run_timeout if it is only slow",
        }

    def _deadline_passed(self, counts: Counter[str], *, waiting: float = 0.0) -> bool:
        """Whether the run deadline has passed, or would pass while ``waiting`` (then the window is given up).

        A window given up is counted ``deadline_windows``; the first one is logged.
        """
        if self._run_deadline is None or self._clock() + waiting < self._run_deadline:
            return False
        counts["deadline_windows"] += 1
        if not self.stats["deadline_windows"]:
            log.warning(
                "%s: run_timeout of %g s reached; windows left are not sent (counted deadline_windows)",
                self.name,
                self.run_timeout,
            )
        self.stats["deadline_windows"] += 1
        self._last_error = f"run_timeout of {self.run_timeout:g} s reached"
        return True

    def _failed(self, counts: Counter[str], error: str) -> _Answer:
        self._last_error = error
        return _Answer(None, counts=counts, failed=True)

    def _generate_many(self, jobs: Sequence[_Job], done: _Done, progress: Progress) -> None:
        if jobs:
            run_coroutine(self._send_all(jobs, done, progress))

    async def _send_all(self, jobs: Sequence[_Job], done: _Done, progress: Progress) -> None:
        """Send every job, at most ``concurrency`` at once, with one shared backoff."""
        import httpx

        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        backoff = SharedBackoff(self._clock, self._sleep)
        async with httpx.AsyncClient(timeout=self.timeout, limits=limits, trust_env=self._trust_env) as client:

            async def work(job: _Job) -> None:
                index, messages = job
                progress.started()
                try:
                    answer = await self._request(client, backoff, progress, messages)
                except ModelError:
                    raise
                except Exception as exc:  # one bad window must not stop the run
                    answer = self._window_error(exc)
                progress.finished(failed=answer.failed)
                done(index, answer)

            # Until the server has answered once, one window finds out whether it is there at all.
            await run_jobs(jobs, work, concurrency=self.concurrency, first_alone=not self.stats["responses"])

    def _retry_wait(self, state: Any) -> float:
        """The delay before a retry: ``Retry-After``, else ``backoff`` × 2^(attempt-1); at most ``max_backoff``."""
        exc = state.outcome.exception()
        delay = getattr(exc, "retry_after", None)
        if delay is None:
            delay = self.backoff * (2 ** (state.attempt_number - 1))
        return float(min(delay, self.max_backoff))

    async def _request(
        self, client: Any, backoff: SharedBackoff, progress: Progress, messages: list[dict[str, str]]
    ) -> _Answer:
        """One window: attempts retried by tenacity (429, 5xx, timeouts, connection errors), within every bound."""
        from tenacity import AsyncRetrying, retry_if_exception_type

        counts: Counter[str] = Counter()
        if self._unreachable:
            counts["unsent_windows"] += 1
            return _Answer(None, counts=counts, failed=True)
        if self.run_timeout is not None and self._run_deadline is None:
            self._run_deadline = self._clock() + self.run_timeout
        if self._deadline_passed(counts):
            return _Answer(None, counts=counts, failed=True)

        def stop(state: Any) -> bool:  # retries used up, or the retry would start after the run deadline
            return state.attempt_number > self.max_retries or self._deadline_passed(
                counts, waiting=state.upcoming_sleep
            )

        async def pause(delay: float) -> None:  # every worker waits with this one
            counts["retries"] += 1
            progress.retried()
            backoff.pause(delay)
            await self._sleep(delay)

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_Retryable),
            wait=self._retry_wait,
            stop=stop,
            sleep=pause,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(client, backoff, messages, counts)
        except _Retryable as exc:
            if counts["deadline_windows"]:
                return _Answer(None, counts=counts, failed=True)
            if set(counts) <= {"connection_errors", "timeouts", "retries"} and not self.stats["answered_windows"]:
                self._unreachable = True  # not one response, ever: the other windows are not sent
                log.warning(
                    "%s: no response from %s after %d attempts and no window answered yet; "
                    "the remaining windows are not sent (counted unsent_windows)",
                    self.name,
                    redact_url(self._url),
                    self.max_retries + 1,
                )
            return self._failed(counts, exc.error)
        raise AssertionError("tenacity ended without an outcome")  # pragma: no cover

    async def _attempt(
        self, client: Any, backoff: SharedBackoff, messages: list[dict[str, str]], counts: Counter[str]
    ) -> _Answer:
        """One attempt (and its re-send without JSON mode): an answer, or :class:`_Retryable`."""
        import httpx

        url = redact_url(self._url)
        tried_without_json = False
        while True:
            if self._deadline_passed(counts, waiting=max(0.0, backoff.until - self._clock())):
                return _Answer(None, counts=counts, failed=True)
            await backoff.wait()  # a pause another worker was told to take
            deadline = self._clock() + self.timeout
            if self._run_deadline is not None:
                deadline = min(deadline, self._run_deadline)
            payload = self._payload(messages, json_mode=self._json_mode_ok)
            try:
                response = await post_json(
                    client,
                    self._url,
                    payload,
                    headers=self._headers(),
                    deadline=deadline,
                    max_bytes=self.max_response_bytes,
                    clock=self._clock,
                )
            except DeadlineExceeded as exc:
                counts["timeouts"] += 1
                self._sample("timeouts", url=url, error=str(exc))
                raise _Retryable(f"timeout: {exc} ({url})") from None
            except ResponseTooLarge as exc:
                counts["oversized_responses"] += 1
                error = f"{exc} ({url}; max_response_bytes={self.max_response_bytes})"
                self._sample("oversized_responses", url=url, read=exc.read, cap=exc.cap)
                log.warning("%s: a response was cut: %s; the window failed", self.name, error)
                return self._failed(counts, error)
            except (UnsupportedEncoding, zlib.error) as exc:
                counts["bad_responses"] += 1
                error = self._redact(f"undecodable response: {exc} ({url})")
                self._sample("bad_responses", url=url, error=error)
                return self._failed(counts, error)
            except httpx.TransportError as exc:
                counts["connection_errors"] += 1
                error = self._redact(f"{type(exc).__name__}: {exc} ({url})")
                self._sample("connection_errors", url=url, error=error)
                raise _Retryable(error) from None
            self.stats["responses"] += 1
            status = response.status
            if 200 <= status < 300:
                return self._read_body(response, counts)
            counts["http_errors"] += 1
            body = excerpt(response.body, self._secrets(), limit=500)
            error = f"HTTP {status} from {url}: {body[:200]}"
            self._sample("http_errors", status=status, body=body)
            wants_json_off = b"response_format" in response.body
            if status == 400 and wants_json_off and self._json_mode_ok and not tried_without_json:
                counts["json_mode_unsupported"] += 1
                self._json_mode_ok = False
                tried_without_json = True
                log.warning("%s: the server rejected response_format; retrying without JSON mode", self.name)
                continue
            if status in (401, 403, 404):
                raise ModelError(
                    f"the LLM server answered HTTP {status} for {url}: {body[:200]}",
                    field="model" if status == 404 else "api_key_env",
                    value=self.model if status == 404 else self.api_key_env,
                    fix="check the model name and --llm-base-url"
                    if status == 404
                    else f"set the API key in ${self.api_key_env} (or pass api_key_env=NAME)",
                )
            if status != 429 and status < 500:
                return self._failed(counts, error)
            raise _Retryable(error, _retry_after(response.headers.get("retry-after")))

    def _read_body(self, response: HTTPResponse, counts: Counter[str]) -> _Answer:
        try:
            data = json.loads(response.body.decode("utf-8"))
            choice = data["choices"][0]
            content = choice["message"].get("content")
            finish = choice.get("finish_reason")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            counts["bad_responses"] += 1
            body = excerpt(response.body, self._secrets(), limit=500)
            self._sample("bad_responses", body=body)
            return self._failed(counts, f"a 2xx response without an answer: {body[:200]}")
        usage = read_usage(data)
        if content is not None and not isinstance(content, str):
            content = json.dumps(content, ensure_ascii=False)
        if content is not None:
            content = redact_text(content, self._secrets(), patterns=False)  # a server echoing the key
        if finish is not None and not isinstance(finish, str):
            finish = str(finish)
        return _Answer(content, finish, counts, usage=usage)


class HFGenerationModel(LLMExtractor):
    """A local Hugging Face causal LM prompted for NER (``llm-hf:<path>``).

    Args:
        source: A local model directory (or a hub id already in the local cache).
        device: Torch device (default ``cpu``).
        max_new_tokens: The most tokens generated per window (default 512).
        local_files_only: Never download (default True).
        batch_size: Windows generated together on the device (default 8; left-padded, greedy).
        **common: ``name``, ``prompt``, ``labels``, ``label_map``,
            ``max_window_chars``, ``cache``, ``cache_dir``.
    """

    adapter = "llm-hf"
    OPTIONS = (
        *COMMON_OPTIONS,
        Option("batch_size", "int", 8, "windows generated together on the device", minimum=1),
        Option("device", "text", "cpu", "the torch device"),
        Option("local_files_only", "bool", True, "never download"),
        Option("max_new_tokens", "int", 512, "the most tokens generated per window", minimum=1),
    )

    def __init__(
        self,
        source: str,
        *,
        device: str = "cpu",
        max_new_tokens: int = 512,
        local_files_only: bool = True,
        batch_size: int = 8,
        name: str | None = None,
        **common: Any,
    ) -> None:
        super().__init__(name=name or f"llm-hf:{source}", **common)
        self.source = source
        self.max_new_tokens = _number(max_new_tokens, "max_new_tokens", minimum=1, integer=True)
        self.batch_size = _number(batch_size, "batch_size", minimum=1, integer=True)
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"llm-hf needs torch and transformers ({exc})",
                field="model",
                value=source,
                fix="pip install 'arabench[hf]'",
            ) from exc
        path = Path(source).expanduser()
        if not path.is_dir() and source.startswith((".", "/", "~")):
            raise ModelUnavailableError(
                "no such local model directory", field="model", value=source, fix="llm-hf:/path/to/saved/model"
            )
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(
                str(path) if path.is_dir() else source, local_files_only=local_files_only
            )
            self.model = AutoModelForCausalLM.from_pretrained(
                str(path) if path.is_dir() else source, local_files_only=local_files_only
            )
        except OSError as exc:
            raise ModelUnavailableError(
                f"cannot load the causal LM: {str(exc).splitlines()[0]}",
                field="model",
                value=source,
                fix="pass a local directory saved with save_pretrained (llm-hf:/path), or download the model once",
            ) from exc
        self.device = torch.device(device)
        self.model.to(self.device).eval()  # type: ignore[arg-type]  # transformers types .to as unbound
        self.fingerprint = self._fingerprint(path) if path.is_dir() else None
        self.chat = bool(getattr(self.tokenizer, "chat_template", None))
        limit = getattr(self.model.config, "max_position_embeddings", None) or getattr(
            self.model.config, "n_positions", None
        )
        self.context = int(limit) if limit else None

    @staticmethod
    def _fingerprint(path: Path) -> str:
        return canonical_sha256(path_fingerprint(path))

    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> HFGenerationModel:
        """Build from ``llm-hf:<path>``.

        Raises:
            ModelError: For a missing path or an unknown option.
            ModelUnavailableError: If the model cannot be loaded here.
        """
        options = parse_options(cls.OPTIONS, options, model=f"llm-hf:{arg or ''}")
        if not arg:
            raise ModelError("llm-hf needs a model path", field="model", value=arg, fix="llm-hf:/path/to/model")
        return cls(arg, **options)

    def _identity(self) -> dict[str, object]:
        return {
            "revision": self.fingerprint,
            "source": self.source,
            "local_fingerprint": self.fingerprint,
            "chat_template": self.chat,
            "parameters": {"do_sample": False, "max_new_tokens": self.max_new_tokens},
        }

    def _request_key(self, messages: list[dict[str, str]]) -> list[dict[str, object]]:
        return [
            {
                "backend": "hf-generate",
                "model": self.source,
                "fingerprint": self.fingerprint,
                "prompt": self._prompt_key(),
                "parameters": {"do_sample": False, "max_new_tokens": self.max_new_tokens, "chat": self.chat},
                "messages": messages,
            }
        ]

    def _failure_context(self, totals: Mapping[str, int]) -> dict[str, object]:
        if totals.get("prompt_too_long"):
            return {
                "field": "max_window_chars",
                "value": self.max_window_chars,
                "fix": f"lower max_window_chars or max_new_tokens so that a prompt fits the context of {self.context}",
            }
        return super()._failure_context(totals)

    def _render(self, messages: list[dict[str, str]]) -> str:
        if self.chat:
            # transformers has no overload for tokenize=False, which returns the rendered str
            return self.tokenizer.apply_chat_template(  # type: ignore[return-value]
                messages, tokenize=False, add_generation_prompt=True
            )
        parts = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
        return "\n\n".join(parts) + "\n\nAssistant:"

    def _generate(self, messages: list[dict[str, str]]) -> _Answer:
        return self._generate_batch([messages])[0]

    def _generate_many(self, jobs: Sequence[_Job], done: _Done, progress: Progress) -> None:
        for k in range(0, len(jobs), self.batch_size):
            batch = jobs[k : k + self.batch_size]
            for _ in batch:
                progress.started()
            try:
                answers = self._generate_batch([messages for _, messages in batch])
            except ModelError:
                raise
            except Exception as exc:  # one bad batch must not stop the run
                answers = [self._window_error(exc) for _ in batch]
            for (index, _), answer in zip(batch, answers, strict=True):
                progress.finished(failed=answer.failed)
                done(index, answer)

    def _generate_batch(self, requests: Sequence[list[dict[str, str]]]) -> list[_Answer]:
        """Greedy generation for several windows at once (left padding); exact token counts from the tokenizer."""
        import torch

        answers: list[_Answer | None] = [None] * len(requests)
        prompts: list[tuple[int, str, int]] = []
        for i, messages in enumerate(requests):
            prompt = self._render(messages)
            n_prompt = len(self.tokenizer(prompt, add_special_tokens=not self.chat)["input_ids"])
            if self.context is not None and n_prompt + self.max_new_tokens > self.context:
                self._sample("prompt_too_long", tokens=n_prompt, context=self.context)
                self._last_error = (
                    f"a prompt of {n_prompt} tokens + max_new_tokens exceeds the context of {self.context}"
                )
                answers[i] = _Answer(None, counts=Counter({"prompt_too_long": 1}), failed=True)
            else:
                prompts.append((i, prompt, n_prompt))
        if prompts:
            pad = self.tokenizer.pad_token_id
            if pad is None:
                pad = self.tokenizer.eos_token_id
            eos = self.tokenizer.eos_token_id
            side = self.tokenizer.padding_side
            pad_token = self.tokenizer.pad_token
            try:
                self.tokenizer.padding_side = "left"  # generation continues every row from its last token
                if pad_token is None:
                    self.tokenizer.pad_token = self.tokenizer.eos_token
                encoded = self.tokenizer(
                    [p for _, p, _ in prompts], return_tensors="pt", padding=True, add_special_tokens=not self.chat
                )
            finally:
                self.tokenizer.padding_side = side
                if pad_token is None:
                    self.tokenizer.pad_token = pad_token
            with torch.inference_mode():
                output = self.model.generate(
                    **{k: v.to(self.device) for k, v in encoded.items()},
                    do_sample=False,
                    max_new_tokens=self.max_new_tokens,
                    pad_token_id=pad,
                )
            width = encoded["input_ids"].shape[1]
            for row, (i, _, n_prompt) in enumerate(prompts):
                new = output[row, width:].tolist()
                n_new = new.index(eos) + 1 if eos is not None and eos in new else len(new)
                new = new[:n_new]
                content = str(self.tokenizer.decode(new, skip_special_tokens=True))
                finish = "length" if n_new >= self.max_new_tokens else "stop"
                usage = {"prompt_tokens": n_prompt, "completion_tokens": n_new}
                answers[i] = _Answer(content, finish, Counter(), usage=usage)
        return [a for a in answers if a is not None]
