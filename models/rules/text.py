"""Words of a text as the rules see them: normalization for comparison, proclitic readings, numbers.

Matching compares words after a light normalization that never changes offsets:
Arabic diacritics and tatweel are ignored and the hamza forms of alef
(``أ إ آ ٱ``) compare equal to ``ا``. Every word keeps the raw offsets of the
characters its normalized form kept, so a match maps back to the raw text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property

import regex

from annotations.tokenize import word_offsets

__all__ = ["DIGITS", "PROCLITICS", "Word", "keep_map", "normalize", "text_words", "word_strings"]

_IGNORED = regex.compile(r"[\p{Mn}\u0640]")  # combining marks (harakat, shadda ...) and tatweel
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalize(word: str) -> str:
    """Return ``word`` as rules compare it: no diacritics or tatweel, hamza-alef as bare alef.

    Only characters are removed or replaced one for one (no Unicode normalization), so the kept
    characters map back to raw offsets exactly (:func:`keep_map`).
    """
    return _IGNORED.sub("", word).translate(_ALEF)


def keep_map(raw: str) -> list[int]:
    """Raw offsets (within ``raw``) of the characters :func:`normalize` keeps."""
    return [i for i, ch in enumerate(raw) if not _IGNORED.match(ch)]


#: Proclitic sequences a word may carry before a name or a number word, longest first.
PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")


_CLITIC_DIGITS = regex.compile(r"(?:[وف][بلك]?|[بلك])(?=[0-9٠-٩۰-۹])")
_NUMBER = regex.compile(r"[0-9٠-٩۰-۹]+(?:[.,٫٬][0-9٠-٩۰-۹]+)*")


@dataclass(frozen=True)
class Word:
    """A word of the text: raw offsets ``[start, end)``, raw and normalized text, kept raw offsets."""

    start: int
    end: int
    raw: str
    norm: str
    keep: tuple[int, ...]

    @property
    def is_punct(self) -> bool:
        """True for a one-character punctuation or symbol word."""
        return len(self.raw) == 1 and unicodedata.category(self.raw)[0] in "PS"

    @cached_property
    def number(self) -> float | None:
        """The value of a digit number word (Western or Arabic-Indic digits), else ``None``."""
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

    @cached_property
    def _stems(self) -> tuple[tuple[int, str], ...]:
        return tuple(self._readings())

    def stems(self) -> tuple[tuple[int, str], ...]:
        """``(raw start offset, normalized stem)`` for the word and each proclitic reading of it (cached)."""
        return self._stems

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
    """The words of ``text`` (:func:`annotations.tokenize.word_offsets`), digit groups joined into one number."""
    out = []
    spans = word_offsets(text)
    i = 0
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
        raw = text[start:end]
        out.append(Word(start, end, raw, normalize(raw), tuple(keep_map(raw))))
        i += 1
    return out


def word_strings(text: str) -> list[str]:
    """The words of ``text`` as strings (:func:`annotations.tokenize.word_offsets`)."""
    return [text[s:e] for s, e in word_offsets(text)]
