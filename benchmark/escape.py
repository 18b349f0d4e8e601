r"""Escaping user-controlled strings for the terminal, Markdown, CSV and inline JSON.

Model names, type strings, document ids, reasons and notes come from users,
files and LLM answers. Every one of them passes through one of these helpers
before it is written where it could change the meaning of the output:

* :func:`terminal` (and :class:`TerminalWriter`, the stream every command
  prints through): control characters (ANSI escape sequences, carriage
  returns, NUL, bidi overrides...) shown as ``\x1b``-style escapes, so data
  can never move the cursor, recolour or clear the terminal.
* :func:`md_text`: text in a Markdown table cell or paragraph: ``|``,
  backticks, ``<``, ``>``, ``&``, ``*``, ``_``, ``[``, ``]``, ``\`` and a
  leading ``#`` are escaped, newlines become spaces.
* :func:`md_code`: a code span that holds any string (the fence is longer
  than any backtick run inside; ``|`` escaped for tables, newlines as spaces).
* :func:`csv_cell`: a cell that a spreadsheet will not run as a formula
  (OWASP: a cell starting with ``= + - @``, tab or carriage return gets a
  leading ``'``); numbers are left alone.
* :func:`json_for_html`: JSON to embed in ``<script type="application/json">``:
  ``<``, ``>``, ``&``, U+2028 and U+2029 as ``\u`` escapes, so no string in
  the data can close the element or start a comment, and the text parses
  back to the same object.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import TextIO

__all__ = ["terminal", "TerminalWriter", "md_text", "md_code", "csv_cell", "json_for_html"]

_TERMINAL_SAFE = frozenset("\n\t")


def _is_control(ch: str) -> bool:
    # Cc (C0/C1 controls, DEL), Cf (bidi overrides, zero-width), Cs (lone surrogates), line/paragraph separators.
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


#: Format characters that belong to Arabic text and are harmless on a terminal (ZWNJ, ZWJ, LRM, RLM, ALM).
_ARABIC_FORMAT = frozenset("\u200c\u200d\u200e\u200f\u061c")


def terminal(value: object, *, newlines: bool = False) -> str:
    r"""``value`` as text safe to print: control characters as ``\xNN`` / ``\uNNNN`` escapes.

    Args:
        value: Anything; it is turned into ``str`` first.
        newlines: Keep newlines and tabs (for multi-line messages); otherwise they are escaped too.
    """
    text = str(value)
    if not any(_is_control(ch) for ch in text):
        return text
    out = []
    for ch in text:
        if (newlines and ch in _TERMINAL_SAFE) or ch in _ARABIC_FORMAT or not _is_control(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


class TerminalWriter:
    """A text stream that passes everything written through :func:`terminal` (newlines and tabs kept).

    ``arabench`` wraps ``sys.stdout`` and ``sys.stderr`` in one while a
    command runs, so that no command can print data (a type, an id, a
    model's answer, a failure reason) raw.
    """

    def __init__(self, stream: TextIO, *, carriage_returns: bool = False) -> None:
        self._stream = stream
        self._carriage_returns = carriage_returns

    def write(self, text: str) -> int:
        r"""Write ``text`` with its control characters escaped; returns the length of ``text``.

        With ``carriage_returns`` (stderr, where progress bars redraw their
        line) a bare ``\r`` is kept; every other control character is escaped.
        """
        if self._carriage_returns:
            self._stream.write("\r".join(terminal(part, newlines=True) for part in text.split("\r")))
        else:
            self._stream.write(terminal(text, newlines=True))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>&#])")
_MD_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def md_text(value: object) -> str:
    """``value`` as literal Markdown text (a table cell or a line of prose): nothing in it is markup."""
    text = terminal(str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    return _MD_SPECIAL.sub(lambda m: _MD_ENTITY.get(m.group(1), "\\" + m.group(1)), text)


def md_code(value: object, *, table: bool = True) -> str:
    r"""``value`` as a Markdown code span that no backtick, ``|`` or newline in it can end or break.

    The span's fence is one backtick longer than the longest run inside; a
    value starting or ending with a backtick is padded with a space (CommonMark
    strips one). In a table (``table=True``) ``|`` is escaped (a code span
    does not protect it in a table row; the table parser removes the ``\``);
    elsewhere (a heading, prose) it is left as it is. ``<``/``>``/``&`` are
    shown literally by the code span.
    """
    text = terminal(str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    if table:
        text = text.replace("|", "\\|")
    if not text:
        return "` `"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell that a spreadsheet shows as text, never runs as a formula (OWASP rule).

    ``None`` is an empty cell, a float its exact ``repr``; a string starting
    with ``=``, ``+``, ``-``, ``@``, tab or carriage return that is not a
    number gets a leading ``'``.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def json_for_html(data: object) -> str:
    """JSON text of ``data`` safe inside ``<script type="application/json">`` and parsing back to ``data``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    # A lone surrogate (from a malformed id) cannot be written as UTF-8: JSON's \\u escape keeps it.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
