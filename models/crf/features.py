"""Word features of the CRF baseline: one list of string features per word of a sentence.

Every feature is a string ``name=value`` (binary features for CRFsuite). A word
is compared after the project's Arabic normalization (:func:`normalized`: no
diacritics or tatweel, hamza forms of alef as bare alef); a looser form also
folds ``ى`` into ``ي`` and ``ة`` into ``ه``, spellings ANERcorp's news text
mixes freely (``إلي``/``إلى``).

Features of a word (see :func:`word_features`):

* identity: the loose normalized form, as three features ``w= n= l=`` (never the raw
  word, so that the spelling variations of docs/robustness.md leave every feature as it is);
* affixes: prefixes and suffixes of 1-4 characters of the normalized form, and the
  character trigrams of the stem (with ``<`` ``>`` at its ends): transliterated foreign
  names share letter sequences more than affixes;
* clitics: the article ``ال`` and proclitic+article forms (``وال بال كال فال
  لل وبال ...``) and the stem after them; a bare proclitic (``و ف ب ل ك``);
* nisba endings (``ي ية يون يين يان يات``) on the stem;
* shape: digits, Latin letters, punctuation, length bucket;
* gazetteer: whether the word (or its stem behind proclitics) starts or
  continues a CLDR place name (countries, regions and exemplar cities of every
  Arabic locale, read through Babel) -- never a list made from annotated text;
* context: the normalized words at -2..+2, the stems and suffixes of the
  neighbours, bigrams around the word, sentence position.

Bump :data:`FEATURE_VERSION` when a feature changes; the trained model's cache
key also covers this module's source (:func:`feature_code_sha256`).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Sequence
from functools import lru_cache

import arabench.annotations.tokenize as text_facts
import regex
from arabench.annotations.tokenize import CONJUNCTIONS, PROCLITIC_PATTERN, normalize_with_map

__all__ = [
    "FEATURE_VERSION",
    "feature_code_sha256",
    "gazetteer",
    "normalized",
    "sentence_features",
    "split_clitics",
    "word_features",
]

#: Bumped whenever a feature changes (the model cache key also hashes this module's source).
FEATURE_VERSION = "2"

_LOOSE = str.maketrans({"ى": "ي", "ة": "ه"})
#: Eastern Arabic and Persian digits as ASCII, and the Arabic comma, semicolon and question mark as Latin ones.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹،؛؟", "01234567890123456789,;?")
#: Proclitics (annotations.tokenize: a conjunction, then a preposition) before the article, or alone.
_ARTICLE = regex.compile(rf"^(?P<pc>(?:{PROCLITIC_PATTERN})?)(?P<art>ال)(?P<stem>..+)$")
_LAM_ARTICLE = regex.compile(rf"^(?P<pc>[{''.join(CONJUNCTIONS)}]?ل)(?P<art>ل)(?P<stem>..+)$")  # لل = ل + ال
_PROCLITIC = regex.compile(rf"^(?P<pc>{PROCLITIC_PATTERN})(?P<stem>...+)$")
_NISBA = ("يين", "يون", "يان", "يات", "ية", "يه", "ي")
_PUNCT = regex.compile(r"^[\p{P}\p{S}]+$")
_LATIN = regex.compile(r"[A-Za-z]")
_DIGIT = regex.compile(r"[0-9]")
_LETTER = regex.compile(r"\p{L}")


@lru_cache(maxsize=1 << 16)
def normalized(word: str) -> str:
    """The comparison form of ``word``: what real Arabic text writes many ways is written one way.

    No short vowels, tatweel, zero-width or bidi marks; hamza forms of alef as bare alef; ASCII digits;
    the Arabic comma, semicolon and question mark as their Latin forms. Every
    feature reads this form (or the looser one), never the raw word, so the features, and so the tags,
    do not change under those variations (docs/robustness.md).
    """
    return normalize_with_map(word, spaces=False)[0].translate(_DIGITS)


def split_clitics(norm: str) -> tuple[str, str, str]:
    """Split a normalized word into ``(proclitics, article, stem)``.

    ``وبالقاهره`` -> ``("وب", "ال", "قاهره")``; ``للعراق`` -> ``("ل", "ل", "عراق")``
    (the article's alef is dropped after ``ل``); ``ومصر`` -> ``("و", "", "مصر")``
    only for stems of three letters or more; anything else -> ``("", "", norm)``.
    """
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
    """CLDR place names of every Arabic locale (Babel): loose forms of the words -> ``country``, ``region`` or ``city``.

    Territory codes of two letters are countries, numeric codes regions; cities
    are the exemplar cities of time zones. Names holding a comma or parentheses
    keep only their plain parts.
    """
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
        key = tuple(normalized(w).translate(_LOOSE) for w in text_facts.words(part))  # split as sentences are
        if key and len(key) <= 4:
            names.setdefault(key, kind)


def _gazetteer_tags(norms: Sequence[str], stems: Sequence[str]) -> list[str | None]:
    """Per word: ``B-<kind>``/``I-<kind>`` of the longest CLDR name starting there (clitics on its first word)."""
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
    """The features of one word on its own (no context); see the module docstring."""
    return list(_word_features(word))


@lru_cache(maxsize=1 << 16)
def _word_features(word: str) -> tuple[str, ...]:
    loose = normalized(word).translate(_LOOSE)  # ى/ي and ة/ه alike: the raw word is never a feature
    pc, art, stem = split_clitics(loose)
    shape = _shape(loose)
    # The identity is written three times (the raw, normalized and loose forms were three features, equal for
    # almost every word): it keeps the weight it had against the regularization. One feature instead of three
    # cost 0.026 held-out F1 (0.660 against 0.689, nine tenths of the train split against the last tenth).
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
    """The features of every word of one sentence (word features, gazetteer, context)."""
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


def feature_code_sha256() -> str:
    """sha256 of what decides the features: this module's source and the text facts' (normalization, proclitics)."""
    digest = hashlib.sha256()
    for module in (inspect.getmodule(sentence_features), text_facts):
        digest.update(inspect.getsource(module).encode("utf-8"))
    return digest.hexdigest()
