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
from itertools import pairwise

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


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """The first words of the gazetteer's names (a word that is none of them starts no name)."""
    return frozenset(key[0] for key in gazetteer())


def _gazetteer_tags(norms: Sequence[str], stems: Sequence[str]) -> list[str | None]:
    """Per word: ``B-<kind>``/``I-<kind>`` of the longest CLDR name starting there (clitics on its first word)."""
    names = gazetteer()
    firsts = _first_words()
    tags: list[str | None] = [None] * len(norms)
    n = len(norms)
    i = 0
    while i < n:
        found = 0
        stem = stems[i]
        candidates = [f for f in (norms[i], "ال" + stem, stem) if f in firsts]
        if candidates:  # the longest name first, each first-word form in order
            for length in (4, 3, 2, 1):
                if i + length > n:
                    continue
                rest = tuple(norms[i + 1 : i + length])
                for first in candidates:
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


def _word_features(word: str) -> tuple[str, ...]:
    return _word_info(word)[0][1:]


@lru_cache(maxsize=1 << 16)
def _word_info(word: str) -> tuple:
    """Per word, once: ``bias`` and its own features, its loose form and stem, and every context feature it lends.

    The context features name the word from where its neighbours see it (``-2:n=`` ... ``2:n=``,
    ``-1:stem=`` ...): made here once per distinct word instead of once per occurrence and offset.
    """
    loose = normalized(word).translate(_LOOSE)  # ى/ي and ة/ه alike: the raw word is never a feature
    pc, art, stem = split_clitics(loose)
    shape = _shape(loose)
    # The identity is written three times (the raw, normalized and loose forms were three features, equal for
    # almost every word): it keeps the weight it had against the regularization. One feature instead of three
    # cost 0.026 held-out F1 (0.660 against 0.689, nine tenths of the train split against the last tenth).
    feats = ["bias", f"w={loose}", f"n={loose}", f"l={loose}", f"shape={shape}", f"len={min(len(loose), 8)}"]
    if shape == "word" or shape == "latin":
        for k in range(1, min(5, len(loose))):
            feats.append(f"p{k}={loose[:k]}")
            feats.append(f"s{k}={loose[-k:]}")
        padded = f"<{stem}>"
        feats += [f"c3={padded[k : k + 3]}" for k in range(len(padded) - 2)]
        if art:
            feats += [f"art={pc}{art}", f"stem={stem}", "has_art"]
        elif pc:
            feats += [f"pc={pc}", f"pstem={stem}"]
        for ending in _NISBA:
            if stem.endswith(ending) and len(stem) - len(ending) >= 2:
                feats.append(f"nisba={ending}")
                feats.append(f"nisba_art={bool(art)}")
                break
    elif shape == "num":
        feats.append(f"digits={min(len(loose), 5)}")
    s2, has_art = loose[-2:], bool(art)
    return (
        tuple(feats),
        loose,
        stem,
        f"2:n={loose}",  # seen from two words before it
        f"1:n={loose}",
        f"-1:n={loose}",
        f"-2:n={loose}",  # seen from two words after it
        (f"1:stem={stem}", f"1:s2={s2}", f"1:art={has_art}"),  # seen from the word before it
        (f"-1:stem={stem}", f"-1:s2={s2}", f"-1:art={has_art}"),  # seen from the word after it
    )


_OUTSIDE = ("-2:n=<s>", "-1:n=<s>", "1:n=</s>", "2:n=</s>")
_POS = ("pos=0", "pos=1", "pos=2")


def sentence_features(words: Sequence[str]) -> list[list[str]]:
    """The features of every word of one sentence (word features, gazetteer, context)."""
    n = len(words)
    infos = [_word_info(w) for w in words]
    norms = [x[1] for x in infos]
    gaz = _gazetteer_tags(norms, [x[2] for x in infos])
    padded = ["<s>", "<s>", *norms, "</s>", "</s>"]  # padded[i + 2 + off] is the word at i + off
    # the context features of every position at once: the words around it as its neighbours see them
    seen = [_OUTSIDE[0], _OUTSIDE[0], *(x[6] for x in infos)]  # -2:n= of position i is seen[i]
    before = [_OUTSIDE[1], *(x[5] for x in infos)]  # -1:n= of position i is before[i]
    after = [*(x[4] for x in infos[1:]), _OUTSIDE[2]]  # 1:n=
    after2 = [*(x[3] for x in infos[2:]), _OUTSIDE[3], _OUTSIDE[3]]  # 2:n=
    left = [f"-1|0={a}|{b}" for a, b in zip(padded[1 : n + 1], norms, strict=True)]
    right = [f"0|+1={a}|{b}" for a, b in zip(norms, padded[3 : n + 3], strict=True)]
    left2 = [f"-2|-1={a}|{b}" for a, b in pairwise(padded[: n + 1])]
    right2 = [f"+1|+2={a}|{b}" for a, b in pairwise(padded[3 : n + 4])]
    out = []
    for i in range(n):
        feats = list(infos[i][0])
        g = gaz[i]
        if g:
            feats.append(f"gaz={g}")
        if i == 0:
            feats.append("BOS")
        if i == n - 1:
            feats.append("EOS")
        feats += (_POS[i] if i < 3 else "pos=3", seen[i], before[i], after[i], after2[i])
        if i > 0:
            feats += infos[i - 1][8]
            if gaz[i - 1]:
                feats.append(f"-1:gaz={gaz[i - 1]}")
        if i + 1 < n:
            feats += infos[i + 1][7]
            if gaz[i + 1]:
                feats.append(f"1:gaz={gaz[i + 1]}")
        feats += (left[i], right[i], left2[i], right2[i])
        out.append(feats)
    return out


def feature_code_sha256() -> str:
    """sha256 of what decides the features: this module's source and the text facts' (normalization, proclitics)."""
    digest = hashlib.sha256()
    for module in (inspect.getmodule(sentence_features), text_facts):
        digest.update(inspect.getsource(module).encode("utf-8"))
    return digest.hexdigest()
