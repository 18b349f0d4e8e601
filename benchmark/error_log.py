"""Error records kept compact: one-line JSON, compressed in blocks, read back one record at a time.

A run keeps every error record of the headline mode and boundary for ``errors.jsonl.gz`` and
the report. As Python dicts they took about 1.5 KB each (90 MB for the 60,000 records of a
500k-token document); an :class:`ErrorLog` holds the same records as the JSON lines that
are written (:func:`arabench.benchmark.atomic.dump_json`, one line each), zlib-compressed in
blocks of :data:`BLOCK` records at :data:`LEVEL` (the fastest level: a block is compressed once and
read back a few times in the same run), about 30 to 70 bytes a record. Iterating yields the records as
dicts, in the order appended; :meth:`ErrorLog.lines` yields the JSON lines without parsing them.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from arabench.benchmark.atomic import dump_json

__all__ = ["BLOCK", "LEVEL", "ErrorLog"]

#: Records per compressed block.
BLOCK = 2048
#: The zlib level of the blocks (1: about three times faster than the default 6, blocks about 1.5 times larger).
LEVEL = 1


class ErrorLog(Sequence[dict[str, Any]]):
    """A sequence of error records (JSON objects), stored as compressed JSON lines."""

    __slots__ = ("_blocks", "_n", "_pending")

    def __init__(self, records: Iterable[dict[str, Any]] = ()) -> None:
        self._blocks: list[bytes] = []
        self._pending: list[str] = []
        self._n = 0
        for record in records:
            self.append(record)

    def append(self, record: dict[str, Any]) -> None:
        """Add one record (serialized now: later changes to ``record`` are not seen)."""
        self.append_line(dump_json(record, indent=None))

    def append_line(self, line: str) -> None:
        """Add one record already serialized as one-line JSON (``dump_json(record, indent=None)``)."""
        if "\n" in line:  # dump_json escapes newlines in strings; a raw one would split the record
            raise ValueError("an error record serialized with a line break")
        self._pending.append(line)
        self._n += 1
        if len(self._pending) >= BLOCK:
            self._blocks.append(zlib.compress("\n".join(self._pending).encode("utf-8"), LEVEL))
            self._pending = []

    def lines(self) -> Iterator[str]:
        """The records as one-line JSON texts (no line end), in order: those logged when it is called."""
        return self._lines(list(self._blocks), list(self._pending))

    @staticmethod
    def _lines(blocks: list[bytes], pending: list[str]) -> Iterator[str]:
        for block in blocks:
            yield from zlib.decompress(block).decode("utf-8").split("\n")
        yield from pending

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (json.loads(line) for line in self.lines())

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return list(self)[index]
        n = self._n
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("error record index out of range")
        block, at = divmod(index, BLOCK)
        if block < len(self._blocks):
            return json.loads(zlib.decompress(self._blocks[block]).decode("utf-8").split("\n")[at])
        return json.loads(self._pending[at])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ErrorLog):
            return list(self.lines()) == list(other.lines())
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"ErrorLog({self._n} records)"

    @property
    def nbytes(self) -> int:
        """Bytes held (compressed blocks and pending lines)."""
        return sum(map(len, self._blocks)) + sum(len(s) for s in self._pending)
