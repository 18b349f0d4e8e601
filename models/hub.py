"""Where a Hugging Face model is loaded from: a local directory, the local cache, or the hub.

Shared by the adapter (:mod:`arabench.models.hf`, which loads the model) and the
registry (:mod:`arabench.models.registry`, which only asks whether it could), so
neither imports the other. Light: ``huggingface_hub`` is imported only when
a hub id is looked up; nothing is downloaded.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import Request, urlopen

from arabench.annotations.errors import ModelError

__all__ = ["ModelLocation", "Source", "download_hint", "hub_offline", "locate_model", "probe_hub"]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def hub_offline() -> bool:
    """True if ``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` is set."""
    return _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE"))


def probe_hub(hub_id: str, revision: str | None = None, *, timeout: float = 2.0) -> tuple[str, str]:
    """Ask the hub about one model, giving up after ``timeout`` seconds (DNS and proxies included).

    A plain TCP probe is not enough: behind a transparent proxy every connect
    succeeds. This sends ``GET {HF_ENDPOINT}/api/models/{hub_id}[/revision/{revision}]``
    from a daemon thread, so a stalled connection cannot hold the caller.

    Returns:
        ``(status, detail)`` with status ``"ok"`` (the model exists),
        ``"missing"`` (HTTP 404), ``"denied"`` (HTTP 401/403: gated or
        private), or ``"unreachable"`` (anything else, timeouts included).
    """
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    url = f"{endpoint}/api/models/{quote(hub_id, safe='/')}"
    if revision:
        url += f"/revision/{quote(revision, safe='')}"
    result: list[tuple[str, str]] = []

    def probe() -> None:
        try:
            with urlopen(Request(url, headers={"User-Agent": "arabench"}), timeout=timeout) as response:
                result.append(("ok", f"HTTP {response.status}"))
        except HTTPError as exc:
            status = "missing" if exc.code == 404 else "denied" if exc.code in (401, 403) else "unreachable"
            result.append((status, f"HTTP {exc.code} from {endpoint}"))
        except (OSError, ValueError) as exc:  # URLError, timeouts, bad endpoint
            if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
                result.append(("unreachable", f"no answer from {endpoint} within {timeout:g} s"))
            else:
                result.append(("unreachable", f"{type(exc).__name__}: {exc}"))

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    if not result:
        return "unreachable", f"no answer from {endpoint} within {timeout:g} s"
    return result[0]


@dataclass(frozen=True)
class Source:
    """What ``from_pretrained`` loads: a path or hub id, whether offline, and the cached commit."""

    path: str  # what from_pretrained gets
    hub_id: str | None  # None for a local directory
    local_files_only: bool
    commit: str | None  # resolved commit when found in the cache


@dataclass(frozen=True)
class ModelLocation:
    """Where a model would be loaded from, or why it cannot be (see :func:`locate_model`).

    Attributes:
        source: What to load, or ``None`` if the model cannot be loaded here now.
        reason: One line: where it is, or why not.
        downloadable: ``True`` when downloading the model once would fix a ``None`` source.
        no_config: ``True`` for a local directory without ``config.json``.
    """

    source: Source | None
    reason: str
    downloadable: bool = False
    no_config: bool = False


#: Hub endpoints a probe found unreachable in this process (endpoint -> what the probe said), so a
#: run of eight hub models waits for a silent hub once, not eight times.
_UNREACHABLE_HUBS: dict[str, str] = {}


def locate_model(source: str, revision: str | None = None, *, local_files_only: bool | None = None) -> ModelLocation:
    """Find a model: a local directory, the local Hugging Face cache, or (online) the hub.

    Nothing is downloaded. When the model is not cached and the hub is not
    switched off (``HF_HUB_OFFLINE``), one probe of at most 2 s asks the hub;
    an endpoint that did not answer is not asked again in this process.

    Raises:
        ModelError: If ``source`` is neither a directory nor a valid hub id.
    """
    path = Path(source).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            return ModelLocation(None, f"local directory {path} has no config.json", no_config=True)
        return ModelLocation(Source(str(path), None, True, None), f"local directory {path}")
    looks_local = source.startswith((".", "/", "~")) or source.count("/") > 1 or (os.sep != "/" and os.sep in source)
    if looks_local:
        return ModelLocation(None, f"no such local directory: {path}")
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(source, "config.json", revision=revision)
    except Exception as exc:  # huggingface_hub validation errors for malformed ids
        raise ModelError(
            f"not a hub id or local directory: {exc}",
            field="model",
            value=source,
            fix="write hf:<org>/<name>[@revision] or hf:/path/to/model",
        ) from None
    if isinstance(cached, str):
        commit = Path(cached).parent.name
        return ModelLocation(
            Source(source, source, True, commit), f"in the local Hugging Face cache (commit {commit[:12]})"
        )
    at = f" at revision {revision}" if revision else ""
    if local_files_only or hub_offline():
        reason = f"not in the local Hugging Face cache{at} and the hub is offline (HF_HUB_OFFLINE=1)"
        return ModelLocation(None, reason, downloadable=True)
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    if endpoint in _UNREACHABLE_HUBS:
        status, detail = "unreachable", _UNREACHABLE_HUBS[endpoint]
    else:
        status, detail = probe_hub(source, revision)
    if status == "ok":
        reason = f"not in the local Hugging Face cache{at}: it will be downloaded from the hub"
        return ModelLocation(Source(source, source, False, None), reason)
    if status == "missing":
        return ModelLocation(None, f"no such model{at} on the hub ({detail})")
    if status == "denied":
        return ModelLocation(
            None, f"the hub refuses access{at} (gated or private: {detail}; log in with `hf auth login`)"
        )
    _UNREACHABLE_HUBS[endpoint] = detail
    reason = f"not in the local Hugging Face cache{at} and the hub is unreachable ({detail})"
    return ModelLocation(None, reason, downloadable=True)


def download_hint(hub_id: str, revision: str | None = None) -> str:
    """How to make a hub model available offline (the remedy in availability and error messages)."""
    rev = f" --revision {revision}" if revision else ""
    offline = _truthy(os.environ.get("HF_HUB_OFFLINE"))
    network = "with network access and HF_HUB_OFFLINE unset" if offline else "with network access"
    return (
        f"download it once {network} (`hf download {hub_id}{rev}`; later runs work offline with HF_HUB_OFFLINE=1), "
        "or pass a local directory (hf:/path/to/model)"
    )
