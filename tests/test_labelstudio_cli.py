"""Label Studio on the command line: the labelling configuration, and the annotator chosen by completed_by."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arabench.annotations.corpus import read_corpus
from arabench.annotations.labelstudio import CONFIG_NAME, documents_to_labelstudio, labeling_config
from arabench.annotations.spans import Document
from arabench.benchmark.cli import main as cli

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"


def _two_annotator_export(path: Path) -> Document:
    """The gold twice in one export: user 7 annotated it all, user 3 (created first) dropped one entity."""
    (gold,) = read_corpus(GOLD)
    (task,) = json.loads(json.dumps(documents_to_labelstudio([gold]), ensure_ascii=False))
    full = task["annotations"][0]["result"]
    used = {i for pair in gold.relation_arg_ids().values() for i in pair} | {i for g in gold.clusters for i in g}
    victim = next(i for i in gold.entities if i not in used)
    partial = [r for r in full if r.get("id") != victim]
    task["annotations"] = [
        {"id": 11, "completed_by": 3, "result": partial},
        {"id": 12, "completed_by": 7, "result": full},
    ]
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    return gold


def test_convert_writes_the_labelling_configuration_beside_the_tasks(tmp_path: Path) -> None:
    assert cli(["convert", str(GOLD), str(tmp_path / "tasks.json")]) == 0
    assert (tmp_path / CONFIG_NAME).read_text(encoding="utf-8") == labeling_config()
    assert cli(["convert", str(GOLD), str(tmp_path / "c4" / "tasks.json"), "--config-view", "conll4"]) == 0
    assert (tmp_path / "c4" / CONFIG_NAME).read_text(encoding="utf-8") == labeling_config(view="conll4")


def test_labeling_config_command_prints_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(["labeling-config"]) == 0
    assert capsys.readouterr().out == labeling_config()
    assert cli(["labeling-config", "--view", "anercorp", "--out", str(tmp_path / "c.xml")]) == 0
    assert (tmp_path / "c.xml").read_text(encoding="utf-8") == labeling_config(view="anercorp")


def test_convert_and_validate_choose_the_annotator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export.json"
    gold = _two_annotator_export(export)
    assert cli(["convert", str(export), str(tmp_path / "seven"), "--to", "brat", "--annotator", "7"]) == 0
    assert (tmp_path / "seven" / f"{gold.id}.ann").read_bytes() == (GOLD / f"{gold.id}.ann").read_bytes()
    capsys.readouterr()
    assert cli(["validate", str(export)]) == 1
    err = capsys.readouterr().out
    assert "task has 2 annotations by 3, 7; which one to read is not guessed" in err
    assert "--annotator" in err
    assert cli(["validate", str(export), "--annotator", "3"]) == 0


def test_agree_reads_every_annotator_as_its_own_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export.json"
    gold = _two_annotator_export(export)
    assert cli(["agree", str(export), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # A is user 3 (the lower id), whatever the creation order: one mention only in B
    assert data["reference"].endswith("(annotator 3)") and data["other"].endswith("(annotator 7)")
    n = len(gold.entities)
    assert data["entity_counts"] == {"reference": n - 1, "other": n}
    assert cli(["agree", str(export), "--annotator-a", "7", "--annotator-b", "3", "--json"]) == 0
    swapped = json.loads(capsys.readouterr().out)
    assert swapped["entity_counts"] == {"reference": n, "other": n - 1}
    assert cli(["agree", str(GOLD)]) == 2
    assert "one path is two passes only for a Label Studio export" in capsys.readouterr().err
