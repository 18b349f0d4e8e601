"""UIMA CAS XMI for INCEpTION: the gold round-trips exactly, and the XMI is a CAS that cassis loads strictly.

The XMI is checked against the format's rules (UIMA XMI serialization, XML 1.0): the root is ``xmi:XMI``
version 2.0; each feature structure is an element whose namespace ``http:///<package as path>.ecore`` and
local name spell its type; ``begin``/``end`` count UTF-16 code units (Java strings); references
(``Governor``, ``Dependent``, ``first``, ``next``, ``sofa``) are ``xmi:id`` values of elements of the declared
range type; ``cas:View`` lists every annotation of the view.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from arabench.annotations.corpus import read_corpus
from arabench.annotations.errors import ConversionError
from arabench.annotations.spans import Document, Relation, Span

cassis = pytest.importorskip("cassis")

from arabench.annotations.cas import (  # noqa: E402
    CHAIN_TYPE,
    LINK_TYPE,
    NAMED_ENTITY_TYPE,
    RELATION_TYPE,
    TYPE_SYSTEM_FILE,
    read_xmi,
    type_system,
    write_xmi,
)

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
XMI = "{http://www.omg.org/XMI}"


def content(doc: Document) -> tuple:
    def key(s: Span) -> tuple[int, int, str]:
        return (s.start, s.end, s.label)

    return (
        doc.text,
        sorted(key(s) for s in doc.entities.values()),
        sorted((r.label, key(r.arg1), key(r.arg2)) for r in doc.relations.values()),
        sorted(sorted(key(doc.entities[i]) for i in c) for c in doc.clusters),
    )


def type_name(tag: str) -> str:
    namespace, local = tag[1:].split("}")
    assert namespace.startswith("http:///") and namespace.endswith(".ecore"), namespace
    return namespace[len("http:///") : -len(".ecore")].replace("/", ".") + "." + local


def utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def gold() -> Document:
    (doc,) = read_corpus(GOLD)
    return doc


def test_the_gold_round_trips_exactly(gold: Document, tmp_path: Path) -> None:
    written = write_xmi([gold], tmp_path)
    assert sorted(p.name for p in written) == sorted([TYPE_SYSTEM_FILE, f"{gold.id}.xmi"])
    (back,) = read_xmi(tmp_path)
    assert back.id == gold.id
    assert content(back) == content(gold)
    assert len(back.entities) == 56 and len(back.relations) == 21 and len(back.clusters) == 12
    # and once more: XMI -> arabench -> XMI -> arabench is a fixed point, ids included
    write_xmi([back], tmp_path / "again")
    assert read_xmi(tmp_path / "again") == [back]


def test_the_xmi_is_a_cas_of_the_declared_type_system(gold: Document, tmp_path: Path) -> None:
    write_xmi([gold], tmp_path)
    ts = cassis.load_typesystem(tmp_path / TYPE_SYSTEM_FILE)
    cas = cassis.load_cas_from_xmi(tmp_path / f"{gold.id}.xmi", typesystem=ts, lenient=False)
    assert cas.sofa_string == gold.text
    assert len(cas.select(NAMED_ENTITY_TYPE)) == 56 and len(cas.select(RELATION_TYPE)) == 21
    assert len(cas.select(CHAIN_TYPE)) == 12
    assert len(cas.select(LINK_TYPE)) == sum(len(c) for c in gold.clusters)
    relation = ts.get_type(RELATION_TYPE)
    assert relation.supertype.name == "uima.tcas.Annotation"
    assert {f.name: f.rangeType.name for f in relation.features} == {
        "Governor": NAMED_ENTITY_TYPE,
        "Dependent": NAMED_ENTITY_TYPE,
        "label": "uima.cas.String",
    }


def test_the_xmi_follows_the_serialization_rules(tmp_path: Path) -> None:
    """Every element spells its type, offsets are UTF-16 units, references resolve to the right types."""
    text = "😀 زار الرئيس\u0651 تونس\u200d ثم 𝐀 «مصر»."
    occ, gpe, gpe2 = (
        Span(text.index("الرئيس"), text.index("الرئيس") + 7, "OCC"),
        Span(text.index("تونس"), text.index("تونس") + 4, "GPE"),
        Span(text.index("مصر"), text.index("مصر") + 3, "GPE"),
    )
    entities = {"T1": occ, "T2": gpe, "T3": gpe2}
    doc = Document("astral", text, entities, {"R1": Relation("LOCATED_IN", occ, gpe)}, clusters=(("T2", "T3"),))
    write_xmi([doc], tmp_path)
    root = ET.parse(tmp_path / "astral.xmi").getroot()
    assert root.tag == f"{XMI}XMI" and root.get(f"{XMI}version") == "2.0"
    ts = cassis.load_typesystem(tmp_path / TYPE_SYSTEM_FILE)
    by_id = {el.get(f"{XMI}id"): el for el in root}
    (sofa,) = [el for el in root if el.tag == "{http:///uima/cas.ecore}Sofa"]
    assert sofa.get("sofaString") == text
    entities = sorted((s.start, s.end, s.label) for s in doc.entities.values())
    found = []
    view_members = set()
    for el in root:
        if el.tag == "{http:///uima/cas.ecore}View":
            view_members |= set(el.get("members", "").split())
            continue
        if el.tag.startswith("{http:///uima/cas.ecore}"):
            continue
        name = type_name(el.tag)
        t = ts.get_type(name)  # every element is a type of the declared type system
        for feature in t.all_features:
            value = el.get(feature.name)
            if value is None or (feature.rangeType.name.startswith("uima.cas.") and feature.name != "sofa"):
                continue
            if feature.name in ("begin", "end"):
                continue
            target = by_id[value]  # a reference resolves ...
            target_type = ts.get_type(type_name(target.tag)) if target.tag != sofa.tag else None
            if target_type is not None:  # ... to an element of the range type (or a subtype)
                assert ts.subsumes(feature.rangeType, target_type), (name, feature.name)
        if name == NAMED_ENTITY_TYPE:
            begin, end = int(el.get("begin")), int(el.get("end"))
            # UTF-16 units: the emoji and the mathematical A count two each
            match = [e for e in entities if utf16(text, e[0]) == begin and utf16(text, e[1]) == end]
            assert match and match[0][2] == el.get("value")
            found.append(match[0])
    assert sorted(found) == entities
    assert {el.get(f"{XMI}id") for el in root if type_name(el.tag).startswith("de.") or "custom" in el.tag} <= (
        view_members
    )
    (back,) = read_xmi(tmp_path)
    assert content(back) == content(doc)


def test_inception_style_links_are_read_by_offsets(tmp_path: Path) -> None:
    """INCEpTION's coreference tagsets put their own words in referenceType: the link is found by its offsets."""
    ts = type_system()
    text = "قال محمد إن محمد سيعود"
    cas = cassis.Cas(typesystem=ts)
    cas.sofa_string = text
    NE, Link, Chain = ts.get_type(NAMED_ENTITY_TYPE), ts.get_type(LINK_TYPE), ts.get_type(CHAIN_TYPE)
    cas.add(NE(begin=4, end=8, value="PERS"))
    cas.add(NE(begin=12, end=16, value="PERS"))
    second = Link(begin=12, end=16, referenceType="nam")
    first = Link(begin=4, end=8, referenceType="nam", next=second)
    cas.add(first)
    cas.add(second)
    cas.add(Chain(first=first))
    cas.to_xmi(tmp_path / "d.xmi")
    (doc,) = read_xmi(tmp_path / "d.xmi")
    assert doc.clusters == (("T1", "T2"),)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        ("link", "a coreference link is on no named entity"),
        ("label", "a relation has no type"),
        ("value", "a named entity has no type"),
    ],
)
def test_what_does_not_map_is_an_error(tmp_path: Path, build: str, message: str) -> None:
    ts = type_system()
    cas = cassis.Cas(typesystem=ts)
    cas.sofa_string = "قال محمد إن محمد سيعود"
    NE, Link, Chain, Rel = (ts.get_type(n) for n in (NAMED_ENTITY_TYPE, LINK_TYPE, CHAIN_TYPE, RELATION_TYPE))
    a, b = NE(begin=4, end=8, value="PERS"), NE(begin=12, end=16, value=None if build == "value" else "PERS")
    cas.add(a)
    cas.add(b)
    if build == "link":
        link = Link(begin=0, end=3)
        cas.add(link)
        cas.add(Chain(first=link))
    if build == "label":
        cas.add(Rel(begin=12, end=16, Governor=a, Dependent=b))
    cas.to_xmi(tmp_path / "d.xmi")
    with pytest.raises(ConversionError, match=message):
        read_xmi(tmp_path)


def test_hostile_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "d.xmi").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xmi:XMI xmlns:xmi="http://www.omg.org/XMI"/>',
        encoding="utf-8",
    )
    with pytest.raises(ConversionError, match="DOCTYPE or entity declarations is refused"):
        read_xmi(tmp_path)
    (tmp_path / "d.xmi").write_text("<not xmi", encoding="utf-8")
    with pytest.raises(ConversionError, match="cannot load the CAS"):
        read_xmi(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConversionError, match=r"no \.xmi files"):
        read_xmi(tmp_path / "empty")


def test_convert_to_xmi_and_back(tmp_path: Path, gold: Document) -> None:
    from arabench.benchmark.cli import main

    assert main(["convert", str(GOLD), str(tmp_path / "xmi"), "--to", "xmi"]) == 0
    assert main(["validate", str(tmp_path / "xmi")]) == 0  # the format is told from the .xmi files
    assert main(["convert", str(tmp_path / "xmi"), str(tmp_path / "brat"), "--to", "brat"]) == 0
    assert content(read_corpus(tmp_path / "brat")[0]) == content(gold)
    with pytest.raises(ConversionError, match="written as a directory"):
        write_xmi([gold], tmp_path / "one.xmi")
