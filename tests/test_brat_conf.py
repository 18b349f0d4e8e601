"""BRAT's annotation.conf and visual.conf: shipped with the gold, written on export, read by BRAT's own syntax.

The reader below follows BRAT's configuration syntax as its server reads it (server/src/projectconfig.py of
nlplab/brat): ``[section]`` headers; in each section one term per line, ``TERM|ALIAS ... ARGS`` with the
arguments separated by commas, each ``KEY:VALUE|VALUE``; lines starting with ``#`` and blank lines skipped;
``[labels]`` split at a tab only, every other section at any white space. A relation type may be defined on
several lines: an argument pair is allowed when one of its lines allows it (BRAT keeps a list of relation
nodes per type and pairs them by node).
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

from arabench.annotations.brat import annotation_conf, visual_conf
from arabench.annotations.coref_types import coreferable_groups
from arabench.annotations.corpus import read_corpus
from arabench.annotations.validate import UNCLUSTERED_TYPES, validate

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
PASSES = GOLD.parent / "passes"


def parse_brat_conf(content: str) -> dict[str, list[tuple[list[str], dict[str, list[str]]]]]:
    """BRAT's configuration syntax: section -> [(terms, {key: [values]})]."""
    sections: dict[str, list[tuple[list[str], dict[str, list[str]]]]] = {}
    section = "general"
    for line in content.split("\n"):
        header = re.match(r"^\s*\[(.*)\]\s*$", line)
        if header:
            section = header.group(1)
            sections.setdefault(section, [])
            continue
        if not line.strip() or re.match(r"^\s*#", line):
            continue
        pattern = r"^(\s*)([^\t]+)(?:\t(.*))?$" if section == "labels" else r"^(\s*)(\S+)(?:\s+(.*))?$"
        found = re.match(pattern, line)
        assert found, f"BRAT cannot parse line {line!r}"
        indent, terms, args = found.groups()
        assert indent == "", f"no hierarchy expected: {line!r}"
        names = [t.strip() for t in terms.split("|") if t.strip()]
        arguments: dict[str, list[str]] = {}
        if section != "labels":
            for arg in (a.strip() for a in (args or "").split(",") if a.strip()):
                kv = re.match(r"^(\S*?):(\S*)$", arg)
                assert kv, f"BRAT cannot parse argument {arg!r} of {line!r}"
                arguments.setdefault(kv.group(1), []).extend(kv.group(2).split("|"))
        sections.setdefault(section, []).append((names, arguments))
    return sections


class BratConf:
    """What a BRAT annotation.conf allows."""

    def __init__(self, content: str) -> None:
        sections = parse_brat_conf(content)
        assert {"entities", "relations", "events", "attributes"} <= set(sections)
        self.entities = {terms[0] for terms, _ in sections["entities"]}
        self.relations: dict[str, list[tuple[set[str], set[str], dict[str, list[str]]]]] = {}
        for terms, args in sections["relations"]:
            self.relations.setdefault(terms[0], []).append((set(args["Arg1"]), set(args["Arg2"]), args))

    def allows(self, relation: str, arg1: str, arg2: str) -> bool:
        def match(allowed: set[str], kind: str) -> bool:
            return kind in allowed or "<ANY>" in allowed or ("<ENTITY>" in allowed and kind in self.entities)

        return any(match(a1, arg1) and match(a2, arg2) for a1, a2, _ in self.relations.get(relation, []))


@pytest.fixture(scope="module")
def conf() -> BratConf:
    return BratConf(annotation_conf())


def test_the_gold_ships_the_generated_conf_files() -> None:
    assert (GOLD / "annotation.conf").read_text(encoding="utf-8") == annotation_conf()
    assert (GOLD / "visual.conf").read_text(encoding="utf-8") == visual_conf()


def test_visual_conf_turns_right_to_left_on_and_labels_every_type() -> None:
    sections = parse_brat_conf(visual_conf())
    options = {terms[0]: args for terms, args in sections["options"]}
    assert options["Text"] == {"direction": ["rtl"]}
    labels = {terms[0] for terms, _ in sections["labels"]}
    conf = BratConf(annotation_conf())
    assert conf.entities | (set(conf.relations) - {"<OVERLAP>"}) == labels


@pytest.mark.parametrize("directory", [GOLD, *sorted(p for p in PASSES.iterdir() if p.is_dir())], ids=lambda p: p.name)
def test_every_annotation_of_the_gold_and_the_passes_is_allowed(conf: BratConf, directory: Path) -> None:
    for document in read_corpus(directory):
        for span in document.entities.values():
            assert span.label in conf.entities
        for relation in document.relations.values():
            assert conf.allows(relation.label, relation.arg1.label, relation.arg2.label), relation
        for cluster in document.clusters:
            for x, y in itertools.permutations(cluster, 2):
                a, b = document.entities[x].label, document.entities[y].label
                assert conf.allows("Equiv", a, b), (document.id, x, y, a, b)
            assert all(args.get("<REL-TYPE>") == ["symmetric-transitive"] for *_, args in conf.relations["Equiv"])


@pytest.mark.parametrize(
    ("a", "b", "allowed"),
    [
        ("PERS", "PERS", True),
        ("GPE", "NORP", True),
        ("NORP", "GPE", True),
        ("ORG", "ORG", True),
        ("DATE", "DATE", False),  # value types are never clustered (validate refuses them)
        ("CARDINAL", "CARDINAL", False),
        ("PERS", "ORG", False),
        ("ORG", "GPE", False),
    ],
)
def test_equiv_only_between_types_that_may_corefer(conf: BratConf, a: str, b: str, allowed: bool) -> None:
    assert conf.allows("Equiv", a, b) is allowed


def test_what_brat_allows_in_equiv_is_what_validate_accepts(tmp_path: Path, conf: BratConf) -> None:
    """Every pair of types: BRAT's conf allows the Equiv exactly when validate accepts the two-mention cluster."""
    text = "ا ب"
    types = list(conf.entities)
    for a, b in itertools.product(types, repeat=2):
        (tmp_path / "d.txt").write_text(text, encoding="utf-8")
        (tmp_path / "d.ann").write_text(f"T1\t{a} 0 1\tا\nT2\t{b} 2 3\tب\n*\tEquiv T1 T2\n", encoding="utf-8")
        accepted = validate(tmp_path).ok
        assert conf.allows("Equiv", a, b) is accepted, (a, b)
    assert all(t not in UNCLUSTERED_TYPES for group in coreferable_groups() for t in group)


def test_convert_to_brat_writes_both_conf_files(tmp_path: Path) -> None:
    from arabench.benchmark.cli import main

    out = tmp_path / "out"
    assert main(["convert", str(GOLD), str(out), "--to", "brat"]) == 0
    assert (out / "annotation.conf").read_text(encoding="utf-8") == annotation_conf()
    assert (out / "visual.conf").read_text(encoding="utf-8") == visual_conf()
    assert validate(out).ok


def test_conf_files_are_not_written_through_a_link(tmp_path: Path) -> None:
    from arabench.annotations.brat import write_brat_conf
    from arabench.annotations.errors import ConversionError

    shutil.copy(GOLD / "visual.conf", tmp_path / "elsewhere.conf")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "visual.conf").symlink_to(tmp_path / "elsewhere.conf")
    with pytest.raises(ConversionError, match="symbolic link"):
        write_brat_conf(tmp_path / "out")
