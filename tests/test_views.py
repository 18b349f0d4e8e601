"""Label views: the anercorp/conll4 rows against their evidence, the ace and fane views, user views files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from arabench.annotations.errors import SchemaError
from arabench.annotations.evidence.views_evidence import ANERCORP_PROBES, count_probes, derive_label, read_table
from arabench.annotations.schema import ViewSource, default_schema, load_views, register_view, unregister_view
from arabench.models.cards import known_cards, resolve_view

SCHEMA = default_schema()
VIEWS = SCHEMA.views
EVIDENCE = read_table()


def _summary(corpus: str, schema_type: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for _, tag, n in EVIDENCE[corpus][schema_type]:
        counts[tag] += n
    return counts


@pytest.mark.parametrize("schema_type", list(SCHEMA.entity_types))
def test_anercorp_row_is_what_anercorp_train_does(schema_type: str) -> None:
    """Each anercorp row is the label the evidence rule derives from ANERcorp's train split."""
    assert set(ANERCORP_PROBES) == set(SCHEMA.entity_types)
    derived = derive_label(_summary("anercorp_train", schema_type).items())
    assert VIEWS["anercorp"].label_of(schema_type) == derived


@pytest.mark.parametrize(
    ("schema_type", "probe", "tag", "count"),
    [
        ("NORP", "الفلسطيني", "O", 22),  # nationality adjectives are O ...
        ("NORP", "الإسرائيلي", "O", 67),
        ("CURR", "دولار", "B-MISC", 107),  # ... currency words MISC
        ("DATE", "سبتمبر", "O", 42),
        ("LANGUAGE", "after:اللغة", "O", 19),
        ("GPE", "العراق", "B-LOC", 111),
    ],
)
def test_evidence_table_holds_the_facts_behind_the_rows(schema_type: str, probe: str, tag: str, count: int) -> None:
    rows = {(p, t): n for p, t, n in EVIDENCE["anercorp_train"][schema_type]}
    assert rows[(probe, tag)] == count


def test_derive_label_rule() -> None:
    assert derive_label([("O", 6), ("B-LOC", 4)]) is None  # mostly untagged
    assert derive_label([("O", 4), ("B-ORG", 3), ("I-ORG", 1), ("B-LOC", 2)]) == "ORG"  # tagged: plurality
    with pytest.raises(ValueError, match="tie between"):
        derive_label([("B-ORG", 2), ("B-LOC", 2)])
    with pytest.raises(ValueError, match="no probe occurrences"):
        derive_label([])


def test_count_probes_reads_conll(tmp_path: Path) -> None:
    """The script counts word, after:, before:, phrase: and url probes (quotes skipped after a head)."""
    conll = tmp_path / "c.conll"
    lines = [
        "مطار\tO",
        '"\tO',
        "دبي\tB-LOC",
        "",
        "5\tO",
        "دولار\tB-MISC",
        "كأس\tB-MISC",
        "العالم\tI-MISC",
        "www.x.com\tO",
    ]
    conll.write_text("\n".join(lines) + "\n", encoding="utf-8")
    probes = {"FAC": ["after:مطار"], "MONEY": ["before:دولار"], "CURR": ["دولار"], "EVENT": ["phrase:كأس العالم"]}
    probes["WEBSITE"] = ["url"]
    assert count_probes(conll, probes) == [
        ("CURR", "دولار", "B-MISC", 1),
        ("EVENT", "phrase:كأس العالم", "B-MISC", 1),
        ("FAC", "after:مطار", "B-LOC", 1),
        ("MONEY", "before:دولار", "O", 1),
        ("WEBSITE", "url", "O", 1),
    ]


# CoNLL-2003 guideline categories (docs/views.md): nationalities, languages, events, titles and object types
# are MISC; facilities (airports, stations, hospitals) are LOC; dates, numbers, titles of office are no entity.
CONLL4_GUIDELINE = {
    "PERS": "PER",
    "NORP": "MISC",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "EVENT": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "OCC": None,
    "DATE": None,
    "CARDINAL": None,
    "CURR": None,
}


@pytest.mark.parametrize(("schema_type", "label"), CONLL4_GUIDELINE.items())
def test_conll4_rows_follow_the_conll2003_guidelines(schema_type: str, label: str | None) -> None:
    assert VIEWS["conll4"].label_of(schema_type) == label


def test_aqmar_tags_nationality_adjectives_only_inside_names() -> None:
    """AQMAR (a conll4-style corpus) differs from CoNLL-2003 on NORP: no standalone B-MISC adjective."""
    norp = _summary("aqmar_dev", "NORP")
    assert not any(tag.startswith("B-") for tag in norp) and norp["O"] > 0 and norp["I-MISC"] > 0
    assert derive_label(_summary("aqmar_dev", "EVENT").items()) == VIEWS["conll4"].label_of("EVENT") == "MISC"


def test_ace_and_fane_views() -> None:
    ace, fane = VIEWS["ace"], VIEWS["fane"]
    assert ace.labels == {"PER", "ORG", "GPE", "LOC", "FAC", "VEH", "WEA"}
    assert fane.labels == ace.labels | {"PRO"}
    assert ace.extra_labels == {"VEH", "WEA"} and fane.label_of("PRODUCT") == "PRO"
    # A FANE-tagged corpus can be scored in ace (PRO has no ace label), an ACE model not in fane.
    assert fane.coarsening_to(ace) == {
        "PER": "PER", "GPE": "GPE", "ORG": "ORG", "LOC": "LOC", "FAC": "FAC", "PRO": None, "VEH": "VEH", "WEA": "WEA"
    }  # fmt: skip
    assert ace.coarsening_to(fane) is None
    assert ace.coarsening_to(VIEWS["conll4"]) is None  # VEH/WEA would be dropped
    card = known_cards()["ychennlp-arabic-ner-ace"]
    assert card.view is ace and set(card.label_map.mapping.values()) == ace.labels


@pytest.mark.parametrize(
    ("labels", "views"),
    [
        ({"PER", "GPE", "ORG", "FAC", "PRO", "LOC", "VEH", "WEA"}, ["fane"]),
        ({"PER", "GPE", "VEH"}, ["ace", "fane"]),
        ({"PER", "LOC", "ORG", "MISC"}, ["conll4"]),
        ({"PERS", "MISC"}, ["anercorp"]),
        ({"PER", "PERS"}, []),
    ],
)
def test_views_with_labels(labels: set[str], views: list[str]) -> None:
    assert SCHEMA.views_with_labels(labels) == views


FANE_CONLL = """\
زار	O
أحمد	B-PER
مطار	B-FAC
دبي	I-FAC
بطائرة	O
بوينغ	B-VEH
ومعه	O
آيفون	B-PRO

قالت	O
الأمم	B-ORG
المتحدة	I-ORG
إن	O
مصر	B-GPE
تملك	O
صواريخ	B-WEA
"""


def test_a_fane_corpus_is_scored_in_fane_and_ace(tmp_path: Path) -> None:
    from arabench import benchmark

    corpus = tmp_path / "fane.conll"
    corpus.write_text(FANE_CONLL, encoding="utf-8")
    results = benchmark.run(
        ["oracle", "empty"], corpus=corpus, corpus_view="fane", out=tmp_path / "out", cache=False, bootstrap=0
    )
    assert results.exit_status == 0 and results.leaderboard_view == "fane"
    oracle = next(m for m in results.models if m.name == "oracle")
    micro = {v: oracle.setting(v, "strict", "word", "flat")["micro"] for v in ("fane", "ace")}
    assert (micro["fane"]["tp"], micro["fane"]["f1"]) == (7, 1.0)  # PER FAC VEH PRO ORG GPE WEA
    assert (micro["ace"]["tp"], micro["ace"]["f1"]) == (6, 1.0)  # PRO has no ace label


VALID = """\
views:
  merged8:
    description: PER/LOC/ORG/TIME/NUM/MON/EVE/LAN
    labels: [PER, LOC, ORG, TIME, NUM, MON, EVE, LAN]
    map:
      PERS: PER
      NORP: null
      OCC: null
      ORG: ORG
      GPE: LOC
      LOC: LOC
      FAC: LOC
      EVENT: EVE
      DATE: TIME
      TIME: TIME
      LANGUAGE: LAN
      WEBSITE: null
      LAW: null
      PRODUCT: null
      CARDINAL: NUM
      ORDINAL: NUM
      PERCENT: NUM
      QUANTITY: NUM
      UNIT: null
      MONEY: MON
      CURR: null
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "views.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_views_and_register(tmp_path: Path) -> None:
    views = load_views(_write(tmp_path, VALID))
    view = views["merged8"]
    assert view.labels == {"PER", "LOC", "ORG", "TIME", "NUM", "MON", "EVE", "LAN"}
    assert view.label_of("MONEY") == "MON" and view.label_of("NORP") is None
    assert view.description == "PER/LOC/ORG/TIME/NUM/MON/EVE/LAN"
    source = ViewSource("user", str(tmp_path / "views.yaml"))
    register_view(view, source)
    try:
        assert SCHEMA.view("merged8") is view and resolve_view("merged8") is view
        register_view(view, source)  # the same definition from the same file again is harmless
        assert load_views(_write(tmp_path, VALID))["merged8"] == view  # re-reading a registered file works
    finally:
        unregister_view("merged8")
    assert "merged8" not in SCHEMA.views


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "      NORP: null\n",
            "      NROP: null\n",
            r"views.yaml:7: field 'views.merged8.map': unknown schema type \(got 'NROP'\); fix: did you mean 'NORP'\?",
        ),
        (
            "      MONEY: MON\n",
            "      MONEY: CASH\n",
            r"views.yaml:25: field 'views.merged8.map.MONEY': label not in the view's labels \(got 'CASH'\); "
            r"fix: use one of PER, LOC, ORG, TIME, NUM, MON, EVE, LAN or null, or add CASH to labels",
        ),
        (
            "      OCC: null\n",
            "      OCC: null\n      PERS: PER\n",
            r"views.yaml:9: field 'views.merged8.map.PERS': key given twice \(first on line 6",
        ),
        (
            "      CURR: null\n",
            "",
            r"views.yaml:5: field 'views.merged8.map': map misses schema types \(got \['CURR'\]\); fix: map each",
        ),
        (
            "  merged8:\n",
            "  conll4:\n",
            r"views.yaml:2: field 'views.conll4': a user view must not reuse the name of a packaged view",
        ),
        ("    labels:", "    label:", r"views.yaml:4: field 'views.merged8.label': unknown field of a view"),
        ("TIME, NUM, MON", "TIME, NUM, TIME, MON", r"views.yaml:4: field 'views.merged8.labels': label listed twice"),
        ("      GPE: LOC\n", "      GPE: [LOC]\n", r"views.yaml:10: field 'views.merged8.map.GPE': expected a label"),
        ("views:\n", "view:\n", r"views.yaml:1: field 'view': unknown top-level key; fix: put views under 'views:'"),
        ("    map:\n", "    map: [\n", r"views.yaml:\d+: views file is not valid YAML"),
    ],
)
def test_load_views_errors_name_file_line_field_and_fix(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in VALID
    with pytest.raises(SchemaError, match=message):
        load_views(_write(tmp_path, VALID.replace(old, new, 1)))


def test_register_refuses_a_different_view_of_a_known_name() -> None:
    with pytest.raises(SchemaError, match=r"field 'views.anercorp': view name 'anercorp' is taken by a packaged view"):
        register_view(VIEWS["conll4"].__class__("anercorp", "", dict(VIEWS["conll4"].mapping)))


ACE_LABELS = known_cards()["ychennlp-arabic-ner-ace"].labels


@pytest.mark.parametrize(("labels", "force"), [(ACE_LABELS, "B-VEH"), (("O", "B-PERS", "I-PERS"), None)])
def test_the_ace_card_runs_its_label_set_and_refuses_another(
    tmp_path: Path, labels: tuple[str, ...], force: str | None
) -> None:
    """A model with the card's id2label predicts in the ace view (VEH included); other labels are refused."""
    pytest.importorskip("transformers")
    from tiny_models import build_tiny_bert

    from arabench.annotations.errors import ModelError
    from arabench.models.hf import HFTokenClassificationModel

    card = known_cards()["ychennlp-arabic-ner-ace"]
    directory = build_tiny_bert(tmp_path / "ace", labels=labels, force=force)
    if force is None:
        with pytest.raises(ModelError, match=r"model card 'ychennlp-arabic-ner-ace' lists other labels"):
            HFTokenClassificationModel.from_spec(str(directory), card=card)
        return
    model = HFTokenClassificationModel.from_spec(str(directory), card=card)
    assert model.view == "ace"
    assert {s.label for s in model.predict(["ركب أحمد الطائرة"])[0].spans} == {"VEH"}
