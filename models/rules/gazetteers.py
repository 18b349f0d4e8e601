"""Gazetteers: names, months, weekdays, relative dates, currencies, languages and nisba forms.

Place names, month names, weekday names, relative-date phrases, currency and
language names are read at run time from CLDR through Babel (the ``ar`` locale
and every ``ar_*`` locale: ``territories``, ``time_zones`` exemplar cities,
``months`` and ``days`` (wide, format and stand-alone), ``date_fields``
relative day/week/month/year phrases, ``currencies``, ``languages``); the
hand-written lists of :mod:`arabench.models.rules.lists` add what CLDR does not name.
Everything is keyed by normalized word tuples and built once per process.

Building reads every Arabic locale of CLDR (about a second), so the built data is
also cached on disk, like every other cache under the cache root
(:func:`arabench.annotations.files.default_cache_dir`: ``$ARABENCH_CACHE`` or
``~/.cache/arabench``): ``rules/gazetteers-<key>.json``, where the key hashes
Babel's version, the word list files and the code that builds and normalizes the
data (this module, :mod:`arabench.models.rules.lists` and
:mod:`arabench.models.rules.text`). The file carries the sha256 of its own data;
a file that does not match, cannot be read or does not parse is rebuilt (with a
warning), and a cache that cannot be written only costs the rebuild next time.
The run's cache root and ``--no-cache`` apply (the adapter's ``cache_dir`` and ``cache``
options, given by the run); ``ARABENCH_RULES_CACHE=0`` builds in memory only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
from babel import Locale

from arabench.annotations.files import atomic_write_text, default_cache_dir
from arabench.models.rules.lists import DATA_DIR, normalized, word_lists, words
from arabench.models.rules.text import normalize, word_strings

__all__ = ["Data", "Entry", "cache_key", "cache_path", "data", "gazetteer_size", "name_key", "use_cache"]


@dataclass(frozen=True)
class Entry:
    """A gazetteer name's label and the rule that emits it."""

    label: str
    rule: str


def _ar_locales() -> list[Locale]:
    """The ``ar`` locale and every ``ar_*`` locale of Babel's CLDR data."""
    from babel.localedata import locale_identifiers

    ids = sorted(i for i in locale_identifiers() if i == "ar" or i.startswith("ar_"))
    return [Locale.parse(i) for i in ids]


def _clean_place(name: str) -> list[str]:
    """Split a CLDR display name into the plain names it holds (drop parentheses, skip comma lists)."""
    if "،" in name or "," in name:
        return []
    outer = regex.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    inner = regex.findall(r"\((.*?)\)", name)
    return [n for n in [outer, *inner] if n and "منطقة" not in n and "لكنات" not in n]


def name_key(name: str) -> tuple[str, ...]:
    """The normalized word tuple a name is looked up by."""
    return tuple(normalize(w) for w in word_strings(name))


@dataclass(frozen=True)
class Data:
    """Everything the rules look up, keyed by normalized word tuples."""

    names: Mapping[tuple[str, ...], Entry]  # places, regions, organisations (gazetteer)
    max_name: int
    months: Mapping[tuple[str, ...], str]  # normalized month words -> source locale
    max_month: int
    weekdays: frozenset[str]
    relative: Mapping[tuple[str, ...], str]  # relative-date phrases
    max_relative: int
    currencies: frozenset[str]
    languages: frozenset[str]
    nisba: Mapping[str, str]  # normalized demonym -> country name
    digest: str


def _nisba_forms(name: str) -> list[str]:
    """Regular nisba adjectives of a one-word country name, or none if the rule does not apply."""
    stem = name[2:] if name.startswith("ال") else name
    if len(stem) < 3:
        return []
    if stem.endswith("ا"):
        stem = stem[:-1]
        # «ليبيا» → «ليبي», «إيطاليا» → «إيطالي»: the ي of -يا is already the nisba ending
        base = stem if stem.endswith("ي") and len(stem) >= 4 else stem + "ي"
    elif stem.endswith(("ي", "ة", "و")):
        return []
    else:
        base = stem + "ي"
    if base == name:
        return []
    forms = [base, base + "ة", base + "ون", base + "ين"]
    return forms + ["ال" + f for f in forms]


log = logging.getLogger(__name__)

#: Bump when the cached file's layout changes.
_CACHE_FORMAT = 1


def cache_key() -> str:
    """What the built data depends on: Babel's version, the word list files and the code that builds it."""
    import babel

    from arabench.models.rules import lists, text

    digest = hashlib.sha256(f"gazetteers-v{_CACHE_FORMAT}\0babel-{babel.__version__}\0".encode())
    sources: list[Path] = [Path(str(m.__file__)) for m in (lists, text)] + sorted(DATA_DIR.glob("*.yaml"))
    for path in [Path(__file__), *sources]:
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


#: The cache root and whether to read it, as the run set them (:func:`use_cache`); ``None``: the default root.
_SETTINGS: dict[str, Any] = {"root": None, "read": True, "from_file": False}


def use_cache(root: str | os.PathLike[str] | None, *, read: bool = True) -> None:
    """Use the run's cache root (``None``: the default) and read it or not (``--no-cache``: build, overwrite).

    Data already read from a file this process is dropped when the run reads no cache.
    """
    _SETTINGS["root"] = None if root is None else Path(root).expanduser()
    _SETTINGS["read"] = read
    if not read and _SETTINGS["from_file"]:
        data.cache_clear()
        _SETTINGS["from_file"] = False


def cache_path() -> Path | None:
    """Where the built data is cached (``None`` when ``ARABENCH_RULES_CACHE=0``)."""
    if os.environ.get("ARABENCH_RULES_CACHE", "1") == "0":
        return None
    root = _SETTINGS["root"] if _SETTINGS["root"] is not None else default_cache_dir()
    return root / "rules" / f"gazetteers-{cache_key()}.json"


def _to_json(built: Data) -> dict[str, object]:
    return {
        "names": [[list(k), e.label, e.rule] for k, e in built.names.items()],
        "months": [[list(k), v] for k, v in built.months.items()],
        "weekdays": sorted(built.weekdays),
        "relative": [[list(k), v] for k, v in built.relative.items()],
        "currencies": sorted(built.currencies),
        "languages": sorted(built.languages),
        "nisba": list(built.nisba.items()),
        "digest": built.digest,
    }


def _from_json(raw: Mapping[str, Any]) -> Data:
    entries: dict[tuple[str, str], Entry] = {}
    names = {}
    for k, label, rule in raw["names"]:
        entry = entries.setdefault((label, rule), Entry(label, rule))
        names[tuple(k)] = entry
    months = {tuple(k): v for k, v in raw["months"]}
    relative = {tuple(k): v for k, v in raw["relative"]}
    return Data(
        names=names,
        max_name=max(len(k) for k in names),
        months=months,
        max_month=max(len(k) for k in months),
        weekdays=frozenset(raw["weekdays"]),
        relative=relative,
        max_relative=max(len(k) for k in relative),
        currencies=frozenset(raw["currencies"]),
        languages=frozenset(raw["languages"]),
        nisba=dict(raw["nisba"]),
        digest=str(raw["digest"]),
    )


def _read_cached(path: Path) -> Data | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("rules: cannot read the cached gazetteers %s (%s); building them again", path, exc)
        return None
    try:
        envelope = json.loads(text)
        body = envelope["data"]
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != envelope["sha256"]:
            raise ValueError("its sha256 does not match its data")
        return _from_json(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("rules: discarding the cached gazetteers %s (%s); building them again", path, exc)
        return None


@lru_cache(maxsize=1)
def data() -> Data:
    """The gazetteers: from the disk cache when it holds them for this code and data, else built (once per process)."""
    path = cache_path()
    if path is not None and _SETTINGS["read"]:
        cached = _read_cached(path)
        if cached is not None:
            _SETTINGS["from_file"] = True
            return cached
    built = _build()
    if path is not None:
        body = json.dumps(_to_json(built), ensure_ascii=False, separators=(",", ":"))
        envelope = {"sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(), "data": body}
        try:
            atomic_write_text(path, json.dumps(envelope, ensure_ascii=False))
        except OSError as exc:
            log.debug("rules: cannot cache the gazetteers at %s: %s", path, exc)
    return built


def _build() -> Data:
    """Build the gazetteers from CLDR and the word lists."""
    names: dict[tuple[str, ...], Entry] = {}

    def add(name: str, label: str, rule: str) -> None:
        key = name_key(name)
        if not key or (len(key) == 1 and key[0] in _AMBIG_N):
            return
        names.setdefault(key, Entry(label, rule))

    def add_list(list_name: str, label: str, rule: str) -> None:
        for name in words(list_name):
            add(name, label, rule)

    locales = _ar_locales()
    org_codes = {"UN", "EU"}
    skip_codes = {"001", "ZZ", "XA", "XB", "EZ", "QO"}
    country_names: set[str] = set()
    for locale in locales:
        for code, name in locale.territories.items():
            if code in skip_codes:
                continue
            for plain in _clean_place(name):
                if code in org_codes:
                    add(plain, "ORG", "org.known")
                elif code.isdigit():
                    add(plain, "LOC", "loc.cldr_region")
                else:
                    add(plain, "GPE", "gpe.cldr_territory")
                    country_names.add(plain)
    add_list("org_names", "ORG", "org.known")
    add_list("loc_names", "LOC", "loc.cldr_region")
    add_list("gpe_aliases", "GPE", "gpe.alias")
    country_names.update(words("gpe_aliases"))
    for locale in locales:
        for zone in locale.time_zones.values():
            city = zone.get("city")
            if city:
                for plain in _clean_place(city):
                    add(plain, "GPE", "gpe.cldr_city")
    add_list("cities", "GPE", "gpe.alias")
    add_list("train_names_org", "ORG", "org.train_names")  # counted names come after every other source
    add_list("train_names_loc", "GPE", "gpe.train_names")

    months: dict[tuple[str, ...], str] = {}
    weekdays: set[str] = set()
    relative: dict[tuple[str, ...], str] = {}
    currencies: set[str] = set(normalized("currency_words"))
    languages: set[str] = set()
    for locale in locales:
        for context in ("format", "stand-alone"):
            for name in locale.months[context]["wide"].values():
                months.setdefault(name_key(name), str(locale))
            for name in locale.days[context]["wide"].values():
                weekdays.add(normalize(name))
        fields = locale._data["date_fields"]
        for field in ("day", "week", "month", "year"):
            for phrase in dict(fields[field].get("relative", {})).values():
                for variant in _relative_variants(phrase):
                    relative.setdefault(name_key(variant), field)
        for name in locale.currencies.values():
            first = word_strings(name)
            if first and len(first[0]) > 1:
                currencies.add(normalize(first[0]))
        for code, name in locale.languages.items():
            if len(code) <= 3 and name.startswith("ال") and " " not in name:
                languages.add(normalize(name))
    for day in list(weekdays):
        for adjective in words("weekday_adjectives"):
            relative.setdefault(name_key(f"{day} {adjective}"), "weekday")
    for gender in ("masculine", "feminine"):  # «العقد الماضي», «الأيام الماضية»
        for noun in words(f"relative_nouns_{gender}"):
            for adjective in words(f"relative_adjectives_{gender}"):
                relative.setdefault(name_key(f"{noun} {adjective}"), "general")
    for phrase in words("relative_phrases"):
        relative.setdefault(name_key(phrase), "general")
    # «الأشهر الستة المقبلة», «السنوات العشر الماضية», «الأيام الثلاثة الأخيرة»
    for noun in words("relative_plural_nouns"):
        for number in words("definite_numbers"):
            for adjective in words("relative_plural_adjectives"):
                relative.setdefault(name_key(f"{noun} {number} {adjective}"), "general")
    # duals: «اليومين المقبلين», «العامين الماضيين»
    for dual in words("relative_duals"):
        for adjective in words("relative_dual_adjectives"):
            relative.setdefault(name_key(f"{dual} {adjective}"), "general")
    # «العام المالي المقبل», «السنة الدراسية الجديدة», «الموسم الماضي»
    for noun, kinds, gender in (
        ("العام", words("year_kinds_masculine"), "masculine"),
        ("السنة", words("year_kinds_feminine"), "feminine"),
        ("الموسم", ("",), "masculine"),
    ):
        for kind in kinds:
            for adjective in words(f"year_kind_adjectives_{gender}"):
                relative.setdefault(name_key(f"{noun} {kind} {adjective}"), "general")

    nisba: dict[str, str] = {}
    for country in sorted(country_names):
        key = name_key(country)
        if len(key) == 1:
            for form in _nisba_forms(key[0]):
                if (form,) not in names and form not in _AMBIG_N:
                    nisba.setdefault(form, country)

    for form in words("norp_extra"):
        nisba.setdefault(normalize(form), "general knowledge")

    payload = json.dumps(
        [sorted((k, v.label, v.rule) for k, v in names.items()), sorted(months), sorted(weekdays), sorted(relative),
         sorted(currencies), sorted(languages), sorted(nisba),
         sorted((n, e.provenance, e.words) for n, e in word_lists().items())],
        ensure_ascii=False,
    )  # fmt: skip
    return Data(
        names=names,
        max_name=max(len(k) for k in names),
        months=months,
        max_month=max(len(k) for k in months),
        weekdays=frozenset(weekdays),
        relative=relative,
        max_relative=max(len(k) for k in relative),
        currencies=frozenset(currencies),
        languages=frozenset(languages),
        nisba=nisba,
        digest=hashlib.sha256(payload.encode()).hexdigest()[:16],
    )


_AMBIG_N = normalized("ambiguous_places")


def _relative_variants(phrase: str) -> list[str]:
    """A CLDR relative phrase and its common synonyms (القادم ↔ المقبل, السنة ↔ العام)."""
    out = {phrase, phrase.replace("القادمة", "المقبلة").replace("القادم", "المقبل")}
    out |= {p.replace("السنة", "العام").replace("الماضية", "الماضي").replace("الحالية", "الحالي") for p in set(out)}
    out |= {p.replace("المقبلة", "المقبل") for p in set(out) if p.startswith("العام")}
    out |= {p.replace("غدًا", "غدا") for p in set(out)}
    return sorted(out)


def gazetteer_size() -> dict[str, int]:
    """Counts of the looked-up entries per kind (for the README and the provenance)."""
    built = data()
    counts: dict[str, int] = {}
    for entry in built.names.values():
        counts[entry.rule] = counts.get(entry.rule, 0) + 1
    counts["months"] = len(built.months)
    counts["weekdays"] = len(built.weekdays)
    counts["relative_dates"] = len(built.relative)
    counts["currency_words"] = len(built.currencies)
    counts["languages"] = len(built.languages)
    counts["nisba_forms"] = len(built.nisba)
    return counts
