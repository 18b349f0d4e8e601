"""The CRF's features as they were extracted before issue 23, for the test of the fast extraction and its benchmark.

``models/crf/features.py`` at the commit before 6b2cc37 (per sentence, per word and per offset: every
context feature formatted for every word and offset; ``normalized`` and the word's own features
lru-cached as they were), with only the feature set brought to the current one (issue 22: every
feature reads the loose normalized form, never the raw word; the Arabic comma, semicolon and question
mark as Latin ones). It holds its own copies of what it used then (``normalize_with_map``,
``is_ignorable``, the clitic and shape expressions, the gazetteer built from Babel), so that making
the project's code faster never changes the reference it is checked and timed against.

Shared by ``tests/test_crf_features_fast.py`` (the features must be equal) and
``tests/benchmarks/bench_crf_features.py`` (the fast extraction must be at least twice as fast).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import regex

from arabench.annotations import tokenize as text_facts

# --------------------------------------------------------------------------- annotations/tokenize.py, then

_TATWEEL = "\u0640"
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u200e\u200f\u061c\ufeff")
_ALEF_FORMS = {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"}
_PERSIAN_LETTERS = {"\u06cc": "\u064a", "\u06a9": "\u0643"}


def is_ignorable(ch: str, *, zero_width: bool = True) -> bool:
    return ch == _TATWEEL or (zero_width and ch in _ZERO_WIDTH) or unicodedata.category(ch) == "Mn"


def normalize_with_map(
    text: str, *, zero_width: bool = True, persian: bool = True, spaces: bool = True
) -> tuple[str, list[int]]:
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if is_ignorable(ch, zero_width=zero_width):
            continue
        if spaces and ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        ch = _ALEF_FORMS.get(ch, ch)
        if persian:
            ch = _PERSIAN_LETTERS.get(ch, ch)
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


# --------------------------------------------------------------------------- models/crf/features.py, then

_LOOSE = str.maketrans({"ى": "ي", "ة": "ه"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹،؛؟", "01234567890123456789,;?")
_CONJUNCTIONS = ("\u0648", "\u0641")
_PROCLITIC_PATTERN = "(?:[\u0648\u0641][\u0628\u0644\u0643]?|[\u0628\u0644\u0643])"
_ARTICLE = regex.compile(rf"^(?P<pc>(?:{_PROCLITIC_PATTERN})?)(?P<art>ال)(?P<stem>..+)$")
_LAM_ARTICLE = regex.compile(rf"^(?P<pc>[{''.join(_CONJUNCTIONS)}]?ل)(?P<art>ل)(?P<stem>..+)$")
_PROCLITIC = regex.compile(rf"^(?P<pc>{_PROCLITIC_PATTERN})(?P<stem>...+)$")
_NISBA = ("يين", "يون", "يان", "يات", "ية", "يه", "ي")
_PUNCT = regex.compile(r"^[\p{P}\p{S}]+$")
_LATIN = regex.compile(r"[A-Za-z]")
_DIGIT = regex.compile(r"[0-9]")
_LETTER = regex.compile(r"\p{L}")


@lru_cache(maxsize=1 << 16)
def normalized(word: str) -> str:
    return normalize_with_map(word, spaces=False)[0].translate(_DIGITS)


def split_clitics(norm: str) -> tuple[str, str, str]:
    for pattern in (_ARTICLE, _LAM_ARTICLE):
        m = pattern.match(norm)
        if m:
            return m["pc"], m["art"], m["stem"]
    m = _PROCLITIC.match(norm)
    if m:
        return m["pc"], "", m["stem"]
    return "", "", norm


def _shape(word: str) -> str:
    if _PUNCT.match(word):
        return "punct"
    digits = bool(_DIGIT.search(word))
    letters = bool(_LETTER.search(word))
    if digits and not letters:
        return "num"
    if digits:
        return "alnum"
    if _LATIN.search(word):
        return "latin"
    return "word" if letters else "other"


@lru_cache(maxsize=1)
def gazetteer() -> dict[tuple[str, ...], str]:
    from babel import Locale
    from babel.localedata import locale_identifiers

    names: dict[tuple[str, ...], str] = {}
    ids = sorted(i for i in locale_identifiers() if i == "ar" or i.startswith("ar_"))
    for ident in ids:
        locale = Locale.parse(ident)
        for code, name in sorted(locale.territories.items()):
            kind = "region" if code.isdigit() else "country"
            _add(names, name, kind)
        for zone in sorted(locale.time_zones):
            city = locale.time_zones[zone].get("city")
            if isinstance(city, str):
                _add(names, city, "city")
    return names


def _add(names: dict[tuple[str, ...], str], name: str, kind: str) -> None:
    for part in regex.split(r"[()،,]", name):
        key = tuple(normalized(w).translate(_LOOSE) for w in text_facts.words(part))
        if key and len(key) <= 4:
            names.setdefault(key, kind)


def _gazetteer_tags(norms: Sequence[str], stems: Sequence[str]) -> list[str | None]:
    names = gazetteer()
    tags: list[str | None] = [None] * len(norms)
    i = 0
    while i < len(norms):
        found = 0
        for length in (4, 3, 2, 1):
            if i + length > len(norms):
                continue
            rest = tuple(norms[i + 1 : i + length])
            for first in (norms[i], "ال" + stems[i], stems[i]):
                kind = names.get((first, *rest))
                if kind:
                    found = length
                    break
            if found:
                break
        if found:
            tags[i] = f"B-{kind}"
            for k in range(i + 1, i + found):
                tags[k] = f"I-{kind}"
            i += found
        else:
            i += 1
    return tags


def word_features(word: str) -> list[str]:
    return list(_word_features(word))


@lru_cache(maxsize=1 << 16)
def _word_features(word: str) -> tuple[str, ...]:
    loose = normalized(word).translate(_LOOSE)  # issue 22: w, n, l, shape and len read the loose form
    pc, art, stem = split_clitics(loose)
    shape = _shape(loose)
    feats = [f"w={loose}", f"n={loose}", f"l={loose}", f"shape={shape}", f"len={min(len(loose), 8)}"]
    if shape in {"word", "latin"}:
        for k in range(1, 5):
            if len(loose) > k:
                feats.append(f"p{k}={loose[:k]}")
                feats.append(f"s{k}={loose[-k:]}")
        padded = f"<{stem}>"
        feats += [f"c3={padded[k : k + 3]}" for k in range(len(padded) - 2)]
        if art:
            feats += [f"art={pc}{art}", f"stem={stem}", "has_art"]
        elif pc:
            feats += [f"pc={pc}", f"pstem={stem}"]
        nisba = next((e for e in _NISBA if stem.endswith(e) and len(stem) - len(e) >= 2), None)
        if nisba:
            feats.append(f"nisba={nisba}")
            feats.append(f"nisba_art={bool(art)}")
    elif shape == "num":
        feats.append(f"digits={min(len(loose), 5)}")
    return tuple(feats)


def sentence_features(words: Sequence[str]) -> list[list[str]]:
    n = len(words)
    own = [_word_features(w) for w in words]
    norms = [normalized(w).translate(_LOOSE) for w in words]
    clitics = [split_clitics(x) for x in norms]
    stems = [c[2] for c in clitics]
    gaz = _gazetteer_tags(norms, stems)

    def at(k: int) -> str:
        if k < 0:
            return "<s>"
        if k >= n:
            return "</s>"
        return norms[k]

    out = []
    for i in range(n):
        feats = ["bias", *own[i]]
        if gaz[i]:
            feats.append(f"gaz={gaz[i]}")
        if i == 0:
            feats.append("BOS")
        if i == n - 1:
            feats.append("EOS")
        feats.append(f"pos={min(i, 3)}")
        for off in (-2, -1, 1, 2):
            feats.append(f"{off}:n={at(i + off)}")
        for off in (-1, 1):
            k = i + off
            if 0 <= k < n:
                feats.append(f"{off}:stem={stems[k]}")
                feats.append(f"{off}:s2={norms[k][-2:]}")
                feats.append(f"{off}:art={bool(clitics[k][1])}")
                if gaz[k]:
                    feats.append(f"{off}:gaz={gaz[k]}")
        feats.append(f"-1|0={at(i - 1)}|{norms[i]}")
        feats.append(f"0|+1={norms[i]}|{at(i + 1)}")
        feats.append(f"-2|-1={at(i - 2)}|{at(i - 1)}")
        feats.append(f"+1|+2={at(i + 1)}|{at(i + 2)}")
        out.append(feats)
    return out


def clear_caches() -> None:
    """Forget every word seen (the gazetteer stays: it is data, built once by either extraction)."""
    normalized.cache_clear()
    _word_features.cache_clear()


def conll_words(path: Path) -> list[list[str]]:
    """The words of every sentence of a CoNLL file (first column; blank lines end sentences)."""
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        current.append(line.split("\t")[0])
    return sentences + ([current] if current else [])
