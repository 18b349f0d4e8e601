"""Talking to an LLM server safely: bounded responses, hard deadlines, no secret stored or printed.

**Bounded responses** (:func:`post_json`). The response is streamed and decoded
here, not by the HTTP library: ``gzip`` and ``deflate`` bodies are inflated in
steps of at most :data:`INFLATE_STEP` bytes, the decoded bytes are counted, and
reading stops as soon as they exceed ``max_bytes`` (:class:`ResponseTooLarge`,
which says how much was read and what the cap was). So a gzip bomb (1 MB on
the wire, 1 GB inflated) costs at most ``max_bytes`` plus one step of memory.
Other content encodings are refused (only ``gzip, deflate`` are asked for).

**Deadlines.** ``deadline`` is an absolute :func:`time.monotonic` time: the
whole request (connecting, sending, waiting for the headers and reading every
byte) ends by then. The request is an ``httpx.AsyncClient`` stream read here,
run under :func:`asyncio.wait_for` with the time left (and httpx's own
timeouts set to it too), so a server that hangs, or drips its headers or body
one byte a second, is stopped at the deadline: :class:`DeadlineExceeded` is
raised and httpx closes the cancelled connection. No private part of httpx or
httpcore is used.

**Secrets.** :func:`redact_url` removes the credentials of a URL (``user:password@``
and query parameters whose name says key, token, secret, password, auth or
signature) before a URL is stored or printed; :func:`endpoint` appends a path
to a base URL without corrupting its query string. :func:`excerpt` is the only
way a response body reaches a message or a sample: known secret values,
``Bearer``/``Basic`` credentials and ``key: value`` pairs with a secret-looking
key are replaced by ``<redacted>``, control characters are escaped, and the
excerpt is short.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "INFLATE_STEP",
    "REDACTED",
    "DeadlineExceeded",
    "HTTPResponse",
    "ResponseTooLarge",
    "UnsupportedEncoding",
    "endpoint",
    "excerpt",
    "post_json",
    "redact_text",
    "redact_url",
    "url_secrets",
]

#: The default cap on a decoded response body (an answer for one window is a few kilobytes).
DEFAULT_MAX_RESPONSE_BYTES = 8_000_000
#: The most bytes one inflate step produces.
INFLATE_STEP = 1 << 20
#: What a secret is replaced with.
REDACTED = "<redacted>"

_SECRET_NAME = re.compile(r"key|token|secret|passw|pwd|auth|sig|credential|session|cookie", re.IGNORECASE)
_SCHEME_CREDENTIALS = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_SECRET_FIELD = re.compile(
    r"""(?P<name>["']?[A-Za-z0-9_-]*(?:key|token|secret|passw|pwd|authorization|cookie|credential)[A-Za-z0-9_-]*["']?)"""
    r"""(?P<sep>\s*[:=]\s*)(?P<quote>["']?)(?P<value>(?:(?:Bearer|Basic|Token)\s+)?[^"'\s,;&}]+)""",
    re.IGNORECASE,
)


class DeadlineExceeded(Exception):
    """The request did not finish by its deadline."""


class UnsupportedEncoding(Exception):
    """The server used a content encoding that is not decoded here."""


class ResponseTooLarge(Exception):
    """The decoded body exceeded the cap; reading stopped there.

    Attributes:
        read: Decoded bytes read when reading stopped (more than ``cap``), or
            the size a ``Content-Length`` header declared (then nothing is read).
        cap: The cap.
    """

    def __init__(self, read: int, cap: int, *, declared: bool = False) -> None:
        if declared:
            super().__init__(f"the response declares {read} bytes, more than the cap of {cap} (not read)")
        else:
            super().__init__(f"the response exceeded {cap} decoded bytes (reading stopped after {read})")
        self.read = read
        self.cap = cap


@dataclass(frozen=True)
class HTTPResponse:
    """A response read in full (within the cap and the deadline)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


# ----------------------------------------------------------------------------- secrets


def redact_url(url: str) -> str:
    """``url`` without credentials: ``user:password@`` and secret-looking query values become ``***``.

    A URL without credentials is returned unchanged (character for character).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    pairs = parts.query.split("&") if parts.query else []
    kept = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        kept.append(f"{name}=***" if sep and value and _SECRET_NAME.search(unquote(name)) else pair)
    query = "&".join(kept)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_secrets(url: str) -> list[str]:
    """The secret values in ``url`` (user, password, their Basic-auth encoding, secret query values)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found: list[str] = []
    if parts.password or parts.username:
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        found += [user, password, base64.b64encode(f"{user}:{password}".encode()).decode("ascii")]
        found += [parts.username or "", parts.password or ""]
    for pair in parts.query.split("&") if parts.query else []:
        name, sep, value = pair.partition("=")
        if sep and value and _SECRET_NAME.search(unquote(name)):
            found += [value, unquote(value)]
    return [s for s in found if len(s) >= 3]


def redact_text(text: str, secrets: Iterable[str] = (), *, patterns: bool = True) -> str:
    """``text`` with known secret values replaced (and, with ``patterns``, credential-looking text).

    ``patterns`` also replaces ``Bearer``/``Basic`` credentials and the values
    of secret-looking fields (``"Authorization": ...``, ``api_key=...``).
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    if not patterns:
        return text
    text = _SECRET_FIELD.sub(lambda m: f"{m.group('name')}{m.group('sep')}{m.group('quote')}{REDACTED}", text)
    return _SCHEME_CREDENTIALS.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def excerpt(body: bytes | str, secrets: Iterable[str] = (), *, limit: int = 200) -> str:
    """A short, redacted, printable excerpt of a response body: the only form in which a body is kept or shown."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = redact_text(text[: limit * 4], secrets)
    text = "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def endpoint(base_url: str, path: str) -> str:
    """``base_url`` with ``/path`` appended to its path, keeping its query string after the new path."""
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/" + path.lstrip("/"), parts.query, ""))


# ----------------------------------------------------------------------------- bounded reading


class _Decoder:
    """Inflates ``gzip``/``deflate`` in bounded steps (identity passes through)."""

    def __init__(self, encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._raw_fallback = False
        self.identity = not codings
        if not codings:
            self._inflater = None
        elif codings in (["gzip"], ["x-gzip"]):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif codings == ["deflate"]:
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)  # zlib-wrapped; raw deflate is tried on error
            self._raw_fallback = True
        else:
            raise UnsupportedEncoding(f"unsupported content encoding {encoding!r} (gzip and deflate are decoded)")

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            yield data
            return
        while data:
            try:
                out = self._inflater.decompress(data, INFLATE_STEP)
            except zlib.error:
                if not self._raw_fallback:
                    raise
                self._raw_fallback = False
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_fallback = False
            data = self._inflater.unconsumed_tail
            if out:
                yield out
            elif data:  # no progress possible
                raise zlib.error("the compressed stream does not progress")


async def post_json(
    client: Any,
    url: str,
    payload: Mapping[str, object],
    *,
    headers: Mapping[str, str],
    deadline: float,
    max_bytes: int,
    clock: Any = time.monotonic,
) -> HTTPResponse:
    """POST ``payload`` as JSON and read the whole response, within ``max_bytes`` and by ``deadline``.

    The whole exchange (connecting, sending, waiting for the headers, reading
    every byte) runs under one :func:`asyncio.wait_for` of the time left, so a
    server that drips its headers or body is cut at the deadline whatever
    httpx's per-operation timeouts would allow; the cancelled request closes
    its connection (httpx's own clean-up, nothing here touches a socket).

    Args:
        client: An ``httpx.AsyncClient``.
        url: The request URL (with any credentials: it is never part of an exception message here).
        payload: The JSON body.
        headers: Request headers (``Accept-Encoding`` is set here).
        deadline: Absolute :func:`time.monotonic` time by which everything must be done.
        max_bytes: The cap on the decoded body.
        clock: The clock (for tests).

    Raises:
        DeadlineExceeded: The deadline passed.
        ResponseTooLarge: The decoded body exceeded ``max_bytes``.
        UnsupportedEncoding: An encoding other than gzip/deflate/identity.
        zlib.error: A corrupt compressed body.
        httpx.TransportError: Connection errors (timeouts are :class:`DeadlineExceeded`).
    """
    import httpx

    remaining = deadline - clock()
    if remaining <= 0:
        raise DeadlineExceeded("no time left for the request")
    sent = {**headers, "Accept-Encoding": "gzip, deflate"}

    async def exchange() -> HTTPResponse:
        async with client.stream("POST", url, json=payload, headers=sent, timeout=httpx.Timeout(remaining)) as response:
            decoder = _Decoder(response.headers.get("content-encoding"))
            declared = response.headers.get("content-length", "")
            if decoder.identity and declared.isdigit() and int(declared) > max_bytes:
                raise ResponseTooLarge(int(declared), max_bytes, declared=True)
            chunks: list[bytes] = []
            total = 0
            async for raw in response.aiter_raw(65536):
                for piece in decoder.feed(raw):
                    total += len(piece)
                    if total > max_bytes:
                        raise ResponseTooLarge(total, max_bytes)
                    chunks.append(piece)
            return HTTPResponse(response.status_code, dict(response.headers), b"".join(chunks))

    try:
        return await asyncio.wait_for(exchange(), timeout=remaining)
    except (asyncio.TimeoutError, httpx.TimeoutException):
        raise DeadlineExceeded("the response did not finish by the deadline") from None
