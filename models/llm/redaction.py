"""Secrets at every verbosity: the HTTP client's own loggers redacted, credential fields of ``extra_body`` kept out.

* :func:`protect_http_logs`: ``httpx`` logs every request URL at ``INFO`` (so
  ``arabench run --verbose`` printed ``user:password@`` and ``?api-key=``) and
  ``httpcore`` logs connection details and response headers at ``DEBUG``. Their
  loggers are set to ``WARNING`` (unless a level was chosen for them) and get
  a filter that rewrites every record they emit: URLs through
  :func:`~arabench.models.llm.http.redact_url`, credential-looking text and the
  known secret values through :func:`~arabench.models.llm.http.redact_text`.
* :func:`check_extra_body`: ``extra_body`` may not set what the adapter itself
  sends (the prompt, the model, streaming, the decoding options it declares):
  otherwise the request would differ from what the provenance records.
* :func:`redacted_body`: the request fields as recorded (provenance in
  results.json and report.html, the cache key): every value under a
  credential-looking name (``api_key``, ``token``, ``Authorization``...) is
  ``<redacted>``. The request actually sent keeps the values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

from arabench.annotations.errors import ModelError
from arabench.models.llm.http import REDACTED, redact_text, redact_url

__all__ = ["HTTP_LOGGERS", "RESERVED_BODY_KEYS", "check_extra_body", "protect_http_logs", "redacted_body"]

#: The loggers of the HTTP client stack (children included: a logger's filter does not see its children's records).
HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "hpack",
)
#: Request fields the adapter sets itself; ``extra_body`` may not replace them.
RESERVED_BODY_KEYS = frozenset(
    {"model", "messages", "prompt", "stream", "stream_options", "n", "response_format", "temperature", "seed",
     "max_tokens"}
)  # fmt: skip

_CREDENTIAL_NAME = re.compile(
    r"(?:^|[_.-])(?:api[_-]?key|apikey|key|token|access[_-]?token|secret|passw(?:or)?d|pwd|auth|authorization|"
    r"credentials?|cookie|session|signature)(?:$|[_.-])",
    re.IGNORECASE,
)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>()\[\]]+")


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message with URLs, credentials and the known secrets redacted."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: keep its template only
            message = str(record.msg)
        clean = redact_text(_URL.sub(lambda m: redact_url(m.group(0)), message), self.secrets)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


_FILTER = _RedactingFilter()


def protect_http_logs(secrets: Iterable[str] = ()) -> None:
    """Redact the HTTP client's log records (idempotent); ``secrets`` are values to hide wherever they appear."""
    _FILTER.secrets.update(s for s in secrets if s)
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        if logger.level == logging.NOTSET and "." not in name:
            logger.setLevel(logging.WARNING)


def check_extra_body(extra_body: Mapping[str, object] | None) -> dict[str, object]:
    """``extra_body`` as a dict, refused when it sets a field the adapter sends itself.

    Raises:
        ModelError: For a key that is not a string or is one of :data:`RESERVED_BODY_KEYS` (its value is not shown).
    """
    body = dict(extra_body or {})
    for key in body:
        if not isinstance(key, str):
            raise ModelError("extra_body keys must be strings", field="extra_body", value=key, fix="quote the key")
        if key in RESERVED_BODY_KEYS:
            raise ModelError(
                f"extra_body may not set {key!r}: the adapter sends it itself (from the prompt template and its "
                "options), and the results record what the adapter sends",
                field=f"extra_body.{key}",
                fix="remove it from extra_body; use the model's options (temperature=, seed=, max_tokens=, "
                "json_mode=, prompt=) for what they set",
            )
    return body


def redacted_body(value: object) -> object:
    """``value`` with every value under a credential-looking key replaced by ``<redacted>`` (recursively)."""
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and _CREDENTIAL_NAME.search(k) else redacted_body(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redacted_body(v) for v in value]
    return value
