"""The JSON layout of results files, written atomically.

Every file the harness writes (results, reports, cache entries) goes through
:func:`arabench.annotations.files.atomic_write_bytes` (a temporary file in the same
directory, fsynced, then :func:`os.replace`d over the target); this module adds
the deterministic JSON layout of results files (:func:`dump_json`) and
:func:`atomic_write_json`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

from arabench.annotations.files import atomic_write_bytes

__all__ = ["atomic_write_json", "dump_json"]


#: A container whose one-line JSON is at most this long is written on one line.
LINE_WIDTH = 160

#: The one-line layout, built once (``json.dumps`` with options builds an encoder at every call).
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def _compact(value: Collection[object]) -> bool:
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple, dict)) for v in value):
        return True  # a list of scalars (labels, a row) always stays on one line
    if len(value) > LINE_WIDTH // 8:  # cannot fit: skip serializing it
        return False
    return len(json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))) <= LINE_WIDTH


def _pretty(value: object, level: int, indent: int, out: list[str]) -> None:
    if isinstance(value, dict) and value and not _compact(value):
        pad = " " * (indent * (level + 1))
        out.append("{\n")
        for i, (key, item) in enumerate(value.items()):
            out.append(pad + json.dumps(str(key), ensure_ascii=False) + ": ")
            _pretty(item, level + 1, indent, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(" " * (indent * level) + "}")
    elif isinstance(value, (list, tuple)) and value and not _compact(value):
        pad = " " * (indent * (level + 1))
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(pad)
            _pretty(item, level + 1, indent, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(" " * (indent * level) + "]")
    else:
        out.append(json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": ")))


def dump_json(data: object, *, indent: int | None = 2) -> str:
    """Serialize ``data`` deterministically: insertion key order, exact float ``repr``, no NaN.

    With ``indent``, nested containers are indented, but a container whose
    one-line form fits in :data:`LINE_WIDTH` characters (a row of counts, an
    interval) stays on one line, which keeps large results files readable. With
    ``indent=None`` the output is one line. ``ensure_ascii=False`` keeps Arabic
    readable. NaN and infinities are refused (callers convert undefined scores
    to ``None`` first).
    """
    if indent is None:
        return _ONE_LINE(data)
    out: list[str] = []
    _pretty(data, 0, indent, out)
    return "".join(out) + "\n"


def atomic_write_json(path: str | Path, data: object, *, indent: int | None = 2, durable: bool = True) -> Path:
    """Serialize ``data`` with :func:`dump_json` and write it atomically.

    Serialization happens before the temporary file is opened, so a value
    that cannot be serialized leaves the old file in place.
    """
    return atomic_write_bytes(path, dump_json(data, indent=indent).encode("utf-8"), durable=durable)
