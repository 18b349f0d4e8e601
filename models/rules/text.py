"""Words of a text as the rules see them: normalization for comparison, proclitic readings, numbers.

Matching compares words after a light normalization that never changes offsets:
Arabic diacritics and tatweel are ignored and the hamza forms of alef
(``أ إ آ ٱ``) compare equal to ``ا``. Every word keeps the raw offsets of the
characters its normalized form kept, so a match maps back to the raw text.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from types import MappingProxyType

import regex

from arabench.annotations.tokenize import PROCLITIC_PATTERN, PROCLITICS, normalize_with_map, word_offsets

__all__ = ["COMPARE", "DIGITS", "Word", "normalize", "text_words", "word_strings"]

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

#: How the rules compare words, in the named parameters of :func:`arabench.annotations.tokenize.normalize_with_map`:
#: ignorable characters dropped (combining marks and tatweel; zero-width marks kept, as the rules have always
#: compared words), hamza forms of alef as bare alef, Persian letters and white space left as they are (the
#: rules' word lists are Arabic and single words).
COMPARE = MappingProxyType({"zero_width": False, "persian": False, "spaces": False})


def normalize(word: str) -> str:
    """Return ``word`` as rules compare it (:data:`COMPARE`): no diacritics or tatweel, hamza-alef as bare alef.

    Only characters are removed or replaced one for one (no Unicode normalization), so the kept
    characters map back to raw offsets exactly.
    """
    return normalize_with_map(word, **COMPARE)[0]


_CLITIC_DIGITS = regex.compile(PROCLITIC_PATTERN + r"(?=[0-9٠-٩۰-۹])")
_NUMBER = regex.compile(r"[0-9٠-٩۰-۹]+(?:[.,٫٬][0-9٠-٩۰-۹]+)*")


_UNSET: object = object()


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the text: raw offsets ``[start, end)``, raw and normalized text, kept raw offsets.

    Slotted, with its number and readings cached in slots (computed on first use): a
    document has a word object per token, and a per-instance ``__dict__`` for
    ``cached_property`` tripled their size (400 bytes a word).
    """

    start: int
    end: int
    raw: str
    norm: str
    keep: tuple[int, ...]
    _number: object = field(default=_UNSET, init=False, repr=False, compare=False)
    _stems: object = field(default=_UNSET, init=False, repr=False, compare=False)

    @property
    def is_punct(self) -> bool:
        """True for a one-character punctuation or symbol word."""
        return len(self.raw) == 1 and unicodedata.category(self.raw)[0] in "PS"

    @property
    def number(self) -> float | None:
        """The value of a digit number word (Western or Arabic-Indic digits), else ``None`` (cached)."""
        value = self._number
        if value is _UNSET:
            value = self._number_value()
            object.__setattr__(self, "_number", value)
        return value  # type: ignore[return-value]

    def _number_value(self) -> float | None:
        if _NUMBER.fullmatch(self.raw) is None:
            return None
        text = self.raw.translate(DIGITS).replace("٬", ",").replace("٫", ".")
        if regex.fullmatch(r"\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        text = text.replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return None

    def stems(self) -> tuple[tuple[int, str], ...]:
        """``(raw start offset, normalized stem)`` for the word and each proclitic reading of it (cached)."""
        stems = self._stems
        if stems is _UNSET:
            stems = tuple(self._readings())
            object.__setattr__(self, "_stems", stems)
        return stems  # type: ignore[return-value]

    def _readings(self) -> list[tuple[int, str]]:
        """``(raw start offset, normalized stem)`` for the word and each proclitic reading of it."""
        out = [(self.start, self.norm)]
        norm = self.norm
        for clitic in PROCLITICS:
            if not norm.startswith(clitic):
                continue
            rest = norm[len(clitic) :]
            cut = len(clitic)
            if clitic[-1] == "ل" and rest.startswith("ل") and len(rest) > 2:
                # «للعراق» = ل + العراق: the span starts at the second ل
                out.append((self.start + self.keep[cut], "ا" + rest))
            if len(rest) >= 2:
                out.append((self.start + self.keep[cut], rest))
        return out


def text_words(text: str) -> list[Word]:
    """The words of ``text`` (``word_offsets``), digit groups joined into one number."""
    out = []
    spans = word_offsets(text)
    norm_text, kept_at = normalize_with_map(text, **COMPARE)  # once per text; each word takes its slice
    i = 0
    a = 0
    while i < len(spans):
        start, end = spans[i]
        lead = _CLITIC_DIGITS.match(text, start, end)
        if lead is not None:
            start = lead.end()  # «و2.5»: the proclitic is not part of the number
        # join digit groups split by the tokenizer («2,5» «1.000.000») into one number word
        m = _NUMBER.match(text, start)
        if m is not None and m.end() > end:
            j = i
            while j + 1 < len(spans) and spans[j + 1][1] <= m.end():
                j += 1
            while j > i and not text[spans[j][1] - 1].translate(DIGITS).isdigit():
                j -= 1  # whole words only, ending on a digit («5.٠ا» keeps «5» alone)
            i, end = j, spans[j][1]
        a = bisect_left(kept_at, start, a)
        b = bisect_left(kept_at, end, a)
        out.append(Word(start, end, text[start:end], norm_text[a:b], tuple(k - start for k in kept_at[a:b])))
        i += 1
    return out


def word_strings(text: str) -> list[str]:
    """The words of ``text`` as strings (:func:`arabench.annotations.tokenize.word_offsets`)."""
    return [text[s:e] for s, e in word_offsets(text)]
