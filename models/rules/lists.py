"""The rules' hand-written word lists, read from the YAML files in ``models/rules/data/``.

Each file maps list names to an entry with three keys: ``provenance`` (where the
words come from: general knowledge, CLDR through Babel with its locales and
fields, or counts from a named training split with the thresholds used),
``about`` (what the list is for) and ``words`` (a list of words or phrases,
phrases written with single spaces). A list name is unique across the files.
The lists are read once per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from arabench.annotations.errors import ModelError, yaml_error
from arabench.models.rules.text import normalize

__all__ = ["DATA_DIR", "WordList", "normalized", "word_list", "word_lists", "words"]

#: The directory of the YAML word lists.
DATA_DIR = Path(__file__).resolve().parent / "data"

_KEYS = ("provenance", "about", "words")
#: PyYAML's safe loader, in C when libyaml is there (ten times faster on these files; same data).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class WordList:
    """One hand-written list.

    Attributes:
        name: The list's name (its key in the YAML file).
        file: The file it is written in (a name inside :data:`DATA_DIR`).
        provenance: Where its words come from.
        about: What the rules use it for.
        words: The words or phrases, in file order.
    """

    name: str
    file: str
    provenance: str
    about: str
    words: tuple[str, ...]


def _read(path: Path) -> dict[str, WordList]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # a safe loader
    except yaml.YAMLError as exc:
        raise yaml_error(exc, what="word list file", file=path, error=ModelError) from None
    if not isinstance(data, dict):
        raise ModelError(
            "a word list file must map list names to entries", file=str(path), value=type(data).__name__,
            fix="write 'name: {provenance: ..., about: ..., words: [...]}'",
        )  # fmt: skip
    out = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or sorted(entry) != sorted(_KEYS):
            got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise ModelError(
                "a word list needs exactly the keys provenance, about and words",
                file=str(path), field=str(name), value=got, fix="add the missing keys, remove the others",
            )  # fmt: skip
        listed = entry["words"]
        if not isinstance(listed, list) or not all(isinstance(w, str) and w.strip() == w and w for w in listed):
            raise ModelError(
                "words must be a list of non-empty strings without edge spaces",
                file=str(path), field=f"{name}.words", value=listed, fix="write words: [\"...\", ...]",
            )  # fmt: skip
        if not str(entry["provenance"]).strip():
            raise ModelError("a word list needs its provenance", file=str(path), field=f"{name}.provenance",
                             value=entry["provenance"], fix="say where the words come from")  # fmt: skip
        out[str(name)] = WordList(str(name), path.name, str(entry["provenance"]), str(entry["about"]), tuple(listed))
    return out


def read_word_lists(directory: Path) -> dict[str, WordList]:
    """Read every ``*.yaml`` list file of ``directory`` (sorted by file name).

    Raises:
        ModelError: On a malformed file or entry, or a list name given in two files.
    """
    lists: dict[str, WordList] = {}
    for path in sorted(directory.glob("*.yaml")):
        for name, entry in _read(path).items():
            if name in lists:
                raise ModelError(
                    "word list name given twice", file=str(path), field=name,
                    value=f"also in {lists[name].file}", fix="rename one of the lists",
                )  # fmt: skip
            lists[name] = entry
    return lists


@lru_cache(maxsize=1)
def word_lists() -> Mapping[str, WordList]:
    """Every list of :data:`DATA_DIR`, by name (read once)."""
    return read_word_lists(DATA_DIR)


def word_list(name: str) -> WordList:
    """The list called ``name``.

    Raises:
        ModelError: If there is no such list.
    """
    lists = word_lists()
    if name not in lists:
        raise ModelError("unknown word list", field="name", value=name, fix=f"use one of: {', '.join(sorted(lists))}")
    return lists[name]


def words(name: str) -> tuple[str, ...]:
    """The words of the list ``name``, in file order."""
    return word_list(name).words


def normalized(*names: str, split: bool = False, extra: Iterable[str] = ()) -> frozenset[str]:
    """The normalized words of the lists ``names`` (and of ``extra``), as the rules compare them.

    Args:
        names: List names.
        split: Split phrases into their words.
        extra: More words to add.
    """
    out = [w for name in names for w in words(name)] + list(extra)
    if split:
        out = [part for w in out for part in w.split()]
    return frozenset(normalize(w) for w in out)
