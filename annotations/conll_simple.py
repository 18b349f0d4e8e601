"""CoNLL lines in the simplest shape, read with array operations over their UTF-8 bytes.

The fast path of ``arabench score`` on CoNLL files (:mod:`arabench.benchmark.score_files`). It
accepts only lines it reads exactly as the checked reader
(:func:`arabench.annotations.conll.iter_conll_sentences`) does, and says ``None`` for anything
else, so that the checked reader reads the file again and names the place. It imports numpy and
nothing of the checked reader (no ``regex``, no schema), so a ``score`` process starts light.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["SimpleColumns", "simple_columns", "simple_pair"]

_DOCSTART = b"-DOCSTART-"


class SimpleColumns(NamedTuple):
    """The columns of CoNLL lines in the simplest shape (:func:`simple_columns`), one entry per line.

    Attributes:
        lengths: Characters (code points) of each line's token, 0 on a blank line; numpy ``int64``.
        codes: Each line's tag as a BIO2 code (:func:`arabench.annotations.tags.bio2_runs`): 0 for
            ``O`` and blank lines, else ``2 * type + 1`` for ``I-`` and ``2 * type`` for ``B-``; numpy ``int64``.
        labels: The types by number: ``labels[type - 1]``.
    """

    lengths: Any
    codes: Any
    labels: list[str]


class _Lines(NamedTuple):
    """Where a block's lines are: byte positions (numpy ``int64``), per line or per token line (``filled``)."""

    codes: Any  # the bytes, numpy uint8
    starts: Any  # every line's first byte
    breaks: Any  # every line's newline
    filled: Any  # whether a line has a token
    tabs: Any  # per token line: its one tab
    line_starts: Any  # per token line: its first byte
    ends: Any  # per token line: its newline
    text: str | None  # the bytes decoded, when they were checked


def simple_columns(data: bytes | str) -> SimpleColumns | None:
    """The token lengths and tags of CoNLL lines in the simplest shape, with array scans of their bytes.

    The simplest shape: every line is blank or ``TOKEN<TAB>TAG`` with a BIO2
    tag (``O``, or ``B-``/``I-`` and a type); no comment, no ``-DOCSTART-``, no
    carriage return, no NUL, no white space at either end of a token (so a
    span over whole tokens is a span over whole words, and a blank line is
    empty), valid UTF-8. ``data`` is whole lines, each ending with a newline
    (a ``str`` is encoded).

    Returns ``None`` when the lines are anything else: read such files with
    :func:`arabench.annotations.conll.iter_conll_sentences`, which checks and
    reports every line. For the lines it accepts it gives what that reader gives.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    lines = _lines(data, None, check_text=True)
    if lines is None:
        return None
    tags = _tag_codes(data, lines)
    if tags is None:
        return None
    return SimpleColumns(_char_lengths(lines, tags), tags[0], tags[1])


def simple_pair(
    gold: bytes, pred: bytes, *, gold_breaks: Any = None, pred_breaks: Any = None
) -> tuple[SimpleColumns, SimpleColumns] | None:
    """:func:`simple_columns` of the same lines of two files, whose tokens and blank lines must be the same bytes.

    ``gold_breaks``/``pred_breaks``: the positions of the newlines when the caller has them already.
    The predictions' tokens, being the gold's, are valid and checked once; ``None`` when either
    side is not in the simplest shape or the tokens or the blank lines differ.
    """
    import numpy as np

    g = _lines(gold, gold_breaks, check_text=True)
    if g is None:
        return None
    p = _lines(pred, pred_breaks, check_text=False)
    if p is None or len(p.breaks) != len(g.breaks) or not np.array_equal(g.filled, p.filled):
        return None
    if not np.array_equal(g.tabs - g.line_starts, p.tabs - p.line_starts):  # tokens of the same lengths
        return None
    g_tags, p_tags = _tag_codes(gold, g), _tag_codes(pred, p)
    if g_tags is None or p_tags is None:
        return None
    if not _same_tokens(gold, pred, g, p, g_tags, p_tags):
        return None
    lengths = _char_lengths(g, g_tags)
    return SimpleColumns(lengths, *g_tags), SimpleColumns(lengths, *p_tags)


def _last_tabs(codes: Any, line_starts: Any, ends: Any) -> Any:
    """The position of the last tab of each token line, or ``None`` if a line has none."""
    import numpy as np

    tabs = ends - 2  # a one-byte tag
    todo = np.flatnonzero(codes[np.maximum(tabs, 0)] != 9)
    back = 2
    while len(todo):
        back += 1
        at = ends[todo] - back
        if (at < line_starts[todo]).any():
            return None  # a line without a tab
        found = codes[at] == 9
        tabs[todo[found]] = at[found]
        todo = todo[~found]
    return tabs


def _lines(data: bytes, breaks: Any, *, check_text: bool) -> _Lines | None:
    """The lines of ``data`` if every one is blank or has one tab (``check_text``: valid UTF-8, tokens trimmed)."""
    import numpy as np

    if _DOCSTART in data or b"\r" in data or b"\x00" in data or (data and data[-1:] != b"\n"):
        return None
    text = None
    if check_text:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    codes = np.frombuffer(data, dtype=np.uint8)
    if breaks is None:
        breaks = np.flatnonzero(codes == 10)
    starts = np.zeros_like(breaks)
    starts[1:] = breaks[:-1] + 1
    filled = breaks != starts
    line_starts, ends = starts[filled], breaks[filled]
    if (codes[line_starts] == ord("#")).any():  # a comment
        return None
    # One tab on every token line and none elsewhere: as many tabs as token lines, and one in each, found
    # from its end (the tag is short: "O" on most lines).
    if np.count_nonzero(codes == 9) != len(ends):
        return None
    tabs = _last_tabs(codes, line_starts, ends)
    if tabs is None:
        return None
    lines = _Lines(codes, starts, breaks, filled, tabs, line_starts, ends, text)
    if check_text and len(tabs) and not _no_space_at_token_ends(lines):
        return None
    return lines


def _no_space_at_token_ends(lines: _Lines) -> bool:
    """No token starts or ends with a character that ``str.isspace()`` (nor is empty); the bytes are valid UTF-8."""
    import numpy as np

    codes, line_starts, tabs = lines.codes, lines.line_starts, lines.tabs
    if (line_starts == tabs).any():  # an empty token
        return False
    lead = np.zeros(256, dtype=bool)  # the first byte of every space character (in UTF-8)
    lead[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0xC2, 0xE1, 0xE2, 0xE3]] = True
    at = line_starts[lead[codes[line_starts]]]
    if _space_starts(codes, at).any():
        return False
    # The last character of a token starts 1, 2 or 3 bytes before its tab if it is a space (ASCII, U+0085 and
    # U+00A0, the others); a lead byte never is a continuation byte, so a space's lead there is the last character.
    for back in (1, 2, 3):
        at = tabs - back
        at = at[(at >= line_starts) & lead[codes[np.maximum(at, 0)]]]
        if _space_starts(codes, at, length=back).any():
            return False
    return True


def _space_starts(codes: Any, at: Any, *, length: int | None = None) -> Any:
    """Whether a character for which ``str.isspace()`` is true starts at each position ``at``.

    ``length``: only such characters of that many bytes.
    """
    import numpy as np

    last = len(codes) - 1
    b0 = codes[at]
    b1 = codes[np.minimum(at + 1, last)]
    b2 = codes[np.minimum(at + 2, last)]
    found = np.zeros(len(at), dtype=bool)
    if length in (None, 1):
        found |= np.isin(b0, (9, 10, 11, 12, 13, 28, 29, 30, 31, 32))
    if length in (None, 2):
        found |= (b0 == 0xC2) & ((b1 == 0x85) | (b1 == 0xA0))  # U+0085, U+00A0
    if length in (None, 3):
        found |= (b0 == 0xE1) & (b1 == 0x9A) & (b2 == 0x80)  # U+1680
        general = (b1 == 0x80) & (((b2 >= 0x80) & (b2 <= 0x8A)) | (b2 == 0xA8) | (b2 == 0xA9) | (b2 == 0xAF))
        found |= (b0 == 0xE2) & (general | ((b1 == 0x81) & (b2 == 0x9F)))  # U+2000-200A, 2028, 2029, 202F, 205F
        found |= (b0 == 0xE3) & (b1 == 0x80) & (b2 == 0x80)  # U+3000
    return found


def _char_lengths(lines: _Lines, tags: tuple[Any, list[str]]) -> Any:
    """Code points of each line's token (0 on a blank line).

    With the decoded text and no character past ``U+FFFF``, UTF-16 units are characters: a token is its
    line's units less the tab and the tag (``tags``: the lines' codes and types). Else its bytes less
    its UTF-8 continuation bytes.
    """
    import numpy as np

    codes, tabs, line_starts = lines.codes, lines.tabs, lines.line_starts
    lengths = np.zeros(len(lines.breaks), dtype=np.int64)
    if not len(tabs):
        return lengths
    if lines.text is not None and not (codes >= 0xF0).any():
        units = np.frombuffer(lines.text.encode("utf-16-le"), dtype=np.uint16)
        breaks = np.flatnonzero(units == 10)
        starts = np.zeros_like(breaks)
        starts[1:] = breaks[:-1] + 1
        filled = lines.filled
        tag_units = np.array([1] + [2 + len(label) for label in tags[1]], dtype=np.int64)  # "O", "B-" + type
        lengths[filled] = (breaks - starts)[filled] - 1 - tag_units[tags[0][filled] >> 1]
        return lengths
    size = tabs - line_starts
    # Counts of continuation bytes before each byte. A token's count is a difference of two, exact modulo
    # the type's range: the narrowest type wider than every token.
    dtype = np.uint8 if size.max() < 256 else np.uint16 if size.max() < 65536 else np.int64
    continuation = np.zeros(len(codes) + 1, dtype=dtype)
    np.cumsum((codes & 0xC0) == 0x80, dtype=dtype, out=continuation[1:])
    inside = (continuation[tabs] - continuation[line_starts]).astype(np.int64)
    lengths[lines.filled] = size - inside
    return lengths


def _tag_codes(data: bytes, lines: _Lines) -> tuple[Any, list[str]] | None:
    """Each line's BIO2 code (0 if blank) and the types by number; ``None`` unless every tag is O, B-T or I-T."""
    import numpy as np

    codes, tabs = lines.codes, lines.tabs
    out = np.zeros(len(lines.breaks), dtype=np.int64)
    if not len(tabs):
        return out, []
    size = lines.ends - tabs - 1  # bytes of each tag
    first = codes[tabs + 1]
    other = first != ord("O")
    if ((size != 1) & ~other).any():  # "O" and nothing else
        return None
    entity = np.flatnonzero(other)
    if not len(entity):
        return out, []
    e_tabs, e_size, e_first = tabs[entity], size[entity], first[entity]
    if (e_size < 3).any() or not ((e_first == ord("B")) | (e_first == ord("I"))).all():
        return None
    if (codes[e_tabs + 2] != ord("-")).any():
        return None
    # The types: each entity tag's bytes after "B-"/"I-", padded with zeros (no NUL in the data) to one width.
    width = -(-(int(e_size.max()) - 2) // 8) * 8
    take = np.minimum(e_tabs[:, None] + 3 + np.arange(width), len(codes) - 1)
    matrix = codes[take]
    matrix[np.arange(width) >= (e_size - 2)[:, None]] = 0
    if width == 8:
        keys = matrix.view(np.uint64).ravel()
    else:
        keys = np.ascontiguousarray(matrix).view(np.dtype((np.void, width))).ravel()
    _, first_at, number = np.unique(keys, return_index=True, return_inverse=True)
    labels = []
    for at, n in zip(e_tabs[first_at].tolist(), (e_size[first_at] - 2).tolist(), strict=True):
        try:
            labels.append(data[at + 3 : at + 3 + n].decode("utf-8"))
        except UnicodeDecodeError:
            return None
    filled_rows = np.flatnonzero(lines.filled)
    out[filled_rows[entity]] = 2 * (number.reshape(-1).astype(np.int64) + 1) + (e_first == ord("I"))
    return out, labels


def _same_tokens(
    gold: bytes, pred: bytes, g: _Lines, p: _Lines, g_tags: tuple[Any, list[str]], p_tags: tuple[Any, list[str]]
) -> bool:
    """Whether the two blocks have the same bytes but for their tags (same lines, token lengths, blank lines).

    Lines whose tags are the same bytes on both sides are compared whole, in runs; on the others
    only the tokens are. So the blocks are cut at the tags that differ and the pieces compared.
    """
    import numpy as np

    g_labels, p_labels = g_tags[1], p_tags[1]
    # The predictions' codes in the gold's type numbers (a type the gold lacks: a number of its own).
    numbers = {label: n for n, label in enumerate(g_labels, 1)}
    remap = np.array([0] + [numbers.setdefault(label, len(numbers) + 1) for label in p_labels], dtype=np.int64)
    p_codes = p_tags[0]
    p_in_gold = 2 * remap[p_codes >> 1] + (p_codes & 1)
    differ = np.flatnonzero(g_tags[0] != p_in_gold)  # lines whose tags are not the same bytes
    if not len(differ):
        return gold == pred
    # Cut each side at [end of token, newline) of the lines whose tags differ (a blank line's cut is empty).
    g_token_end = g.starts.copy()
    g_token_end[g.filled] = g.tabs
    p_token_end = p.starts.copy()
    p_token_end[p.filled] = p.tabs
    g_cut, p_cut = g_token_end[differ], p_token_end[differ]
    g_from = np.concatenate(([0], g.breaks[differ])).tolist()
    g_to = np.concatenate((g_cut, [len(gold)])).tolist()
    p_from = np.concatenate(([0], p.breaks[differ])).tolist()
    p_to = np.concatenate((p_cut, [len(pred)])).tolist()
    return all(gold[a:b] == pred[c:d] for a, b, c, d in zip(g_from, g_to, p_from, p_to, strict=True))
