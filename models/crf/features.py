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

import regex

import arabench.annotations.tokenize as text_facts
from arabench.annotations.tokenize import CONJUNCTIONS, PROCLITIC_LETTERS, PROCLITIC_PATTERN, NormalizationTable

__all__ = [
    "FEATURE_VERSION",
    "clear_caches",
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
#: The project's normalization, then the digits: :func:`normalized` in one ``str.translate``.
_NORMALIZED = NormalizationTable(then=_DIGITS)
#: The project's normalization, then the digits, then the loose letters (no output of one is an input of the next).
_LOOSENED = NormalizationTable(then={**_DIGITS, **_LOOSE})
#: Proclitics (annotations.tokenize: a conjunction, then a preposition) before the article, or alone.
_ARTICLE = regex.compile(rf"^(?P<pc>(?:{PROCLITIC_PATTERN})?)(?P<art>ال)(?P<stem>..+)$")
_LAM_ARTICLE = regex.compile(rf"^(?P<pc>[{''.join(CONJUNCTIONS)}]?ل)(?P<art>ل)(?P<stem>..+)$")  # لل = ل + ال
_PROCLITIC = regex.compile(rf"^(?P<pc>{PROCLITIC_PATTERN})(?P<stem>...+)$")
_NISBA = ("يين", "يون", "يان", "يات", "ية", "يه", "ي")
_PUNCT = regex.compile(r"^[\p{P}\p{S}]+$")
_LATIN = regex.compile(r"[A-Za-z]")
_DIGIT = regex.compile(r"[0-9]")
_LETTER = regex.compile(r"\p{L}")
#: The first letters of every match of the three clitic patterns (a proclitic or the article's alef).
_CLITIC_FIRST = frozenset(PROCLITIC_LETTERS | {"ا"})
#: The Arabic letters hamza to yeh (category Lo in every Unicode version): a word of them only has the shape ``word``.
_ARABIC_LETTERS = "".join(map(chr, [*range(0x0621, 0x063B), *range(0x0641, 0x064B)]))


def normalized(word: str) -> str:
    """The comparison form of ``word``: what real Arabic text writes many ways is written one way.

    No short vowels, tatweel, zero-width or bidi marks; hamza forms of alef as bare alef; ASCII digits;
    the Arabic comma, semicolon and question mark as their Latin forms. Every
    feature reads this form (or the looser one), never the raw word, so the features, and so the tags,
    do not change under those variations (docs/robustness.md).
    """
    return word.translate(_NORMALIZED)  # normalize_with_map(word, spaces=False)[0].translate(_DIGITS), per character


def split_clitics(norm: str) -> tuple[str, str, str]:
    """Split a normalized word into ``(proclitics, article, stem)``.

    ``وبالقاهره`` -> ``("وب", "ال", "قاهره")``; ``للعراق`` -> ``("ل", "ل", "عراق")``
    (the article's alef is dropped after ``ل``); ``ومصر`` -> ``("و", "", "مصر")``
    only for stems of three letters or more; anything else -> ``("", "", norm)``.
    """
    if norm[:1] not in _CLITIC_FIRST:  # every pattern starts with one of these letters
        return "", "", norm
    for pattern in (_ARTICLE, _LAM_ARTICLE):
        m = pattern.match(norm)
        if m:
            return m["pc"], m["art"], m["stem"]
    m = _PROCLITIC.match(norm)
    if m:
        return m["pc"], "", m["stem"]
    return "", "", norm


def _shape(word: str) -> str:
    if word and not word.strip(_ARABIC_LETTERS):  # the common case: Arabic letters only (no P/S, digit, Latin)
        return "word"
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


def _gazetteer_tags(norms: Sequence[str], firsts: Sequence[tuple[str, ...]]) -> dict[int, str]:
    """``{position: "B-<kind>" or "I-<kind>"}`` of the longest CLDR names, left to right (clitics on a first word).

    ``firsts[i]`` are the forms of word ``i`` that start a name (its loose form, ``ال`` + its stem, its
    stem, in this order; see :func:`_word_info`): only words with one are looked at.
    """
    names = gazetteer()
    n = len(norms)
    tags: dict[int, str] = {}
    free = 0  # words before it are inside a name already found
    for i, candidates in enumerate(firsts):
        if not candidates or i < free:
            continue
        for length in (4, 3, 2, 1):  # the longest name first, each first-word form in order
            if i + length > n:
                continue
            rest = tuple(norms[i + 1 : i + length])
            kind = next(filter(None, (names.get((first, *rest)) for first in candidates)), None)
            if kind:
                tags[i] = f"B-{kind}"
                for inside in range(i + 1, i + length):
                    tags[inside] = f"I-{kind}"
                free = i + length
                break
    return tags


def word_features(word: str) -> list[str]:
    """The features of one word on its own (no context); see the module docstring."""
    return list(_word_info(word)[0][1:])


#: Names of the prefix and suffix features by length.
_AFFIXES = tuple((f"p{k}=", f"s{k}=") for k in range(5))
_SHAPES = {shape: f"shape={shape}" for shape in ("punct", "num", "alnum", "latin", "word", "other")}
_LENGTHS = tuple(f"len={k}" for k in range(9))
_DIGIT_COUNTS = tuple(f"digits={k}" for k in range(6))


@lru_cache(maxsize=1 << 16)
def _word_info(word: str) -> tuple:
    """Per word, once: its own features, its loose form, every context feature it lends, its gazetteer forms.

    ``(own features with "bias", loose form, "2:n=" ... "-2:n=" (how the words two before, one before,
    one after and two after it see it), its features seen from the word before it, seen from the word
    after it, the forms of it that start a CLDR name)``: the context features are made here once per
    distinct word instead of once per occurrence and offset.
    """
    loose = word.translate(_LOOSENED)  # normalized, then ى/ي and ة/ه alike: the raw word is never a feature
    pc, art, stem = split_clitics(loose)
    shape = _shape(loose)
    size = len(loose)
    # The identity is written three times (the raw, normalized and loose forms were three features, equal for
    # almost every word): it keeps the weight it had against the regularization. One feature instead of three
    # cost 0.026 held-out F1 (0.660 against 0.689, nine tenths of the train split against the last tenth).
    feats = ["bias", f"w={loose}", f"n={loose}", f"l={loose}", _SHAPES[shape], _LENGTHS[min(size, 8)]]
    if shape == "word" or shape == "latin":
        if size > 4:  # most words: every prefix and suffix of 1-4 letters
            feats += (
                "p1=" + loose[:1],
                "s1=" + loose[-1:],
                "p2=" + loose[:2],
                "s2=" + loose[-2:],
                "p3=" + loose[:3],
                "s3=" + loose[-3:],
                "p4=" + loose[:4],
                "s4=" + loose[-4:],
            )
        else:  # the affixes shorter than the word
            for k in range(1, size):
                p, s = _AFFIXES[k]
                feats += (p + loose[:k], s + loose[-k:])
        padded = f"<{stem}>"
        feats += ["c3=" + padded[k : k + 3] for k in range(len(padded) - 2)]
        if art:
            feats += (f"art={pc}{art}", f"stem={stem}", "has_art")
        elif pc:
            feats += (f"pc={pc}", f"pstem={stem}")
        for ending in _NISBA if stem.endswith(_NISBA) else ():  # most stems end with none of them
            if stem.endswith(ending) and len(stem) - len(ending) >= 2:
                feats += (f"nisba={ending}", "nisba_art=True" if art else "nisba_art=False")
                break
    elif shape == "num":
        feats.append(_DIGIT_COUNTS[min(size, 5)])
    s2, has_art = loose[-2:], bool(art)
    starts = _first_words()
    with_article = "ال" + stem
    if loose in starts or with_article in starts or stem in starts:
        firsts = tuple(f for f in (loose, with_article, stem) if f in starts)
    else:
        firsts = ()  # most words start no name
    return (
        tuple(feats),
        loose,
        f"2:n={loose}",  # seen from two words before it
        f"1:n={loose}",
        f"-1:n={loose}",
        f"-2:n={loose}",  # seen from two words after it
        (f"1:stem={stem}", f"1:s2={s2}", f"1:art={has_art}"),  # seen from the word before it
        (f"-1:stem={stem}", f"-1:s2={s2}", f"-1:art={has_art}"),  # seen from the word after it
        firsts,  # the forms of it that may start a name
    )


_POSITIONS = ("pos=0", "pos=1", "pos=2")


def sentence_features(words: Sequence[str]) -> list[list[str]]:
    """The features of every word of one sentence (word features, gazetteer, context).

    Each word's list, in order: its own features (:func:`word_features` after ``bias``), ``gaz=``,
    ``BOS``, ``EOS``, ``pos=``, the words at -2, -1, +1, +2 (``-2:n=`` ...), the stem, last two letters,
    article and ``gaz=`` of the word before (``-1:``) and of the word after (``1:``), and the four
    bigrams around it. Made from the per-word parts of :func:`_word_info`, joined per position.
    """
    n = len(words)
    if not n:
        return []
    # the parts of every word, by kind (one transposition of the cached parts)
    own_parts, norms, two_before, one_before, one_after, two_after, seen_before, seen_after, firsts = zip(
        *map(_word_info, words), strict=True
    )
    own = list(own_parts)
    previous = [(), *seen_after[:-1]]  # -1:stem= ... of position i: the word before it
    following = [*seen_before[1:], ()]  # 1:stem= ...
    if any(firsts):
        for i, tag in _gazetteer_tags(norms, firsts).items():
            own[i] = (*own[i], f"gaz={tag}")
            if i + 1 < n:
                previous[i + 1] = (*previous[i + 1], f"-1:gaz={tag}")
            if i:
                following[i - 1] = (*following[i - 1], f"1:gaz={tag}")
    own[0] = (*own[0], "BOS")
    own[-1] = (*own[-1], "EOS")
    position = _POSITIONS[:n] if n <= 3 else (*_POSITIONS, *("pos=3",) * (n - 3))
    # the context features of every position at once: the words around it as its neighbours see them
    seen = ("-2:n=<s>", "-2:n=<s>", *two_after[:-2])[:n]  # -2:n= of position i
    before = ("-1:n=<s>", *one_after[:-1])  # -1:n=
    after = (*one_before[1:], "1:n=</s>")  # 1:n=
    after2 = (*two_before[2:], "2:n=</s>", "2:n=</s>")[:n]  # 2:n=
    padded = ["<s>", "<s>", *norms, "</s>", "</s>"]  # padded[i + 2 + off] is the word at i + off
    return [
        [*o, p, a, b, c, d, *pv, *nx, f"-1|0={w1}|{w}", f"0|+1={w}|{w3}", f"-2|-1={w0}|{w1}", f"+1|+2={w3}|{w4}"]
        for o, p, a, b, c, d, pv, nx, w0, w1, w, w3, w4 in zip(
            own,
            position,
            seen,
            before,
            after,
            after2,
            previous,
            following,
            padded,
            padded[1:],
            norms,
            padded[3:],
            padded[4:],
            strict=False,  # the padded words run two past the sentence
        )
    ]


def clear_caches() -> None:
    """Forget every word and character seen: what a fresh process starts with (the gazetteer, data, stays)."""
    _word_info.cache_clear()
    _NORMALIZED.clear()
    _LOOSENED.clear()


def feature_code_sha256() -> str:
    """sha256 of what decides the features: this module's source and the text facts' (normalization, proclitics)."""
    digest = hashlib.sha256()
    for module in (inspect.getmodule(sentence_features), text_facts):
        digest.update(inspect.getsource(module).encode("utf-8"))
    return digest.hexdigest()
