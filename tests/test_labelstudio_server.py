"""The Label Studio round trip against a real Label Studio server (runs when ``label-studio`` is installed).

Set ``ARABENCH_LABEL_STUDIO`` to the ``label-studio`` executable (installed in a virtual environment of its
own: its pinned dependencies clash with arabench's), or put it on the PATH; ``.ci/run`` does the first. The
server runs on 127.0.0.1 in a temporary directory and is always stopped (``tests/labelstudio_server.py``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from labelstudio_server import Server, find_label_studio, label_studio_server

from arabench.annotations.brat import write_brat
from arabench.annotations.corpus import read_corpus
from arabench.annotations.errors import AnnotationError
from arabench.annotations.labelstudio import documents_to_labelstudio, labeling_config, read_labelstudio
from arabench.annotations.spans import Document, Span

EXECUTABLE = find_label_studio()
pytestmark = pytest.mark.skipif(
    EXECUTABLE is None,
    reason="label-studio is not installed: set ARABENCH_LABEL_STUDIO=/path/to/label-studio (a virtual environment "
    "of its own) or put label-studio on the PATH",
)

GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold"
#: A raw text with an emoji (an astral character: one code point, two UTF-16 units).
RAW = Document("raw-emoji", "\U0001f600 زار وزير الخارجية الكويت أمس.")
#: A pre-annotated text: a ZWJ family emoji (five code points), a combining shadda, an emoji; «تونس» is a GPE.
PRE_TEXT = "\U0001f468\u200d\U0001f469\u200d\U0001f467 التقى الرئيس في تونس \U0001f600 وعم\u0651ان."
MODEL_VERSION = "rules@server-test"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    assert EXECUTABLE is not None
    with label_studio_server(EXECUTABLE, tmp_path_factory.mktemp("label-studio")) as running:
        yield running


@pytest.fixture(scope="module")
def gold() -> Document:
    (document,) = read_corpus(GOLD)
    return document


def _pre() -> Document:
    tunis, amman = PRE_TEXT.index("تونس"), PRE_TEXT.index("عم\u0651ان")
    return Document("pre-1", PRE_TEXT, {"T1": Span(tunis, tunis + 4, "GPE"), "T2": Span(amman, amman + 5, "GPE")})


@pytest.fixture(scope="module")
def project(server: Server, gold: Document) -> dict[str, Any]:
    """A project with the generated configuration; the gold, the raw text and the pre-annotations imported."""
    made = server.client.post("/api/projects", json={"title": "arabench", "label_config": labeling_config()})
    assert made.status_code == 201, made.text
    tasks = documents_to_labelstudio([gold, RAW]) + documents_to_labelstudio(
        [_pre()], predictions=True, model_version=MODEL_VERSION
    )
    imported = server.client.post(f"/api/projects/{made.json()['id']}/import", json=tasks)
    assert imported.status_code == 201, imported.text
    return {"id": made.json()["id"], "import": imported.json()}


def _export(server: Server, project: dict[str, Any]) -> list[dict[str, Any]]:
    done = server.client.get(
        f"/api/projects/{project['id']}/export", params={"exportType": "JSON", "download_all_tasks": "true"}
    )
    assert done.status_code == 200, done.text
    return done.json()


def _task(tasks: list[dict[str, Any]], doc_id: str) -> dict[str, Any]:
    return next(t for t in tasks if t["data"].get("doc_id") == doc_id)


def _ann_lines(document: Document, tmp_path: Path) -> list[str]:
    write_brat(document, tmp_path)
    return (tmp_path / f"{document.id}.ann").read_text(encoding="utf-8").splitlines()


def test_the_generated_config_is_accepted_and_a_broken_one_refused(server: Server, project: dict[str, Any]) -> None:
    shown = server.client.get(f"/api/projects/{project['id']}").json()
    assert shown["label_config"].strip() == labeling_config().strip()
    broken = labeling_config().replace('toName="text"', 'toName="nowhere"')
    refused = server.client.post("/api/projects", json={"title": "broken", "label_config": broken})
    assert refused.status_code == 400  # the server checks configurations: acceptance above means something


def test_gold_and_a_raw_text_with_an_emoji_import_and_the_raw_one_is_served(
    server: Server, project: dict[str, Any]
) -> None:
    assert {k: project["import"][k] for k in ("task_count", "annotation_count", "prediction_count")} == {
        "task_count": 3,
        "annotation_count": 1,
        "prediction_count": 1,
    }
    raw = _task(_export(server, project), RAW.id)
    assert raw["data"]["text"] == RAW.text and raw["annotations"] == []
    shown = server.client.get(f"/api/tasks/{raw['id']}").json()
    assert (shown["is_labeled"], shown["total_annotations"]) == (False, 0)  # served to annotators


def test_pre_annotations_sit_on_the_right_characters(server: Server, project: dict[str, Any]) -> None:
    tasks = _export(server, project)
    task = _task(tasks, "pre-1")
    # Label Studio's export lists predictions by id: refused with the way out, never read as empty
    assert all(type(p) is int for p in task["predictions"])
    with pytest.raises(AnnotationError, match="lists its predictions by id only"):
        read_labelstudio([task], predictions=True)
    (prediction,) = server.client.get("/api/predictions", params={"task": task["id"]}).json()
    assert prediction["model_version"] == MODEL_VERSION
    code_points = list(task["data"]["text"])  # how Label Studio counts (its editor iterates [...text])
    regions = [r["value"] for r in prediction["result"]]
    assert ["".join(code_points[v["start"] : v["end"]]) for v in regions] == ["تونس", "عم\u0651ان"]
    assert [v["text"] for v in regions] == ["تونس", "عم\u0651ان"]
    # and the API's objects read back as the prediction arabench wrote
    (back,) = read_labelstudio([{**task, "predictions": [prediction]}], predictions=True)
    assert dict(back.entities) == dict(_pre().entities)


def test_the_gold_round_trips_through_the_server(
    server: Server, project: dict[str, Any], gold: Document, tmp_path: Path
) -> None:
    (back,) = read_labelstudio([_task(_export(server, project), gold.id)])
    assert back == gold and back.clusters == gold.clusters
    assert _ann_lines(back, tmp_path) == (GOLD / f"{gold.id}.ann").read_text(encoding="utf-8").splitlines()


def test_a_two_annotator_export_is_read_per_annotator(
    server: Server, project: dict[str, Any], gold: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from arabench.benchmark.cli import main as cli

    second = server.client.post(
        "/api/users", json={"email": "second@example.org", "username": "second", "password": "second-password-1"}
    )
    assert second.status_code == 201, second.text
    second_id = second.json()["id"]
    task = _task(_export(server, project), gold.id)
    first_id = task["annotations"][0]["completed_by"]
    keep = [
        r
        for r in task["annotations"][0]["result"]
        if r.get("id") != "T4" and "T4" not in (r.get("from_id"), r.get("to_id"))
    ]
    made = server.client.post(f"/api/tasks/{task['id']}/annotations", json={"result": keep, "completed_by": second_id})
    assert made.status_code == 201, made.text
    tasks = [_task(_export(server, project), gold.id)]
    with pytest.raises(AnnotationError, match="task has 2 annotations by"):
        read_labelstudio(tasks)
    (first,) = read_labelstudio(tasks, annotator=first_id)
    (other,) = read_labelstudio(tasks, annotator=second_id)
    assert first == gold
    assert set(first.entities) - set(other.entities) == {"T4"}
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    assert cli(["agree", str(export), "--json"]) == 0
    agreement = json.loads(capsys.readouterr().out)
    assert agreement["entity_counts"] == {"reference": len(gold.entities), "other": len(gold.entities) - 1}


def test_an_edit_round_trips_to_a_one_line_ann_change(
    server: Server, project: dict[str, Any], gold: Document, tmp_path: Path
) -> None:
    task = _task(_export(server, project), gold.id)
    annotation = task["annotations"][0]
    drawn = {
        "id": "Xy12_ab",  # a region drawn in the editor gets a random id
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 0, "end": 3, "text": gold.text[:3], "labels": ["MISC"]},
    }
    patched = server.client.patch(
        f"/api/annotations/{annotation['id']}", json={"result": [*annotation["result"], drawn]}
    )
    assert patched.status_code == 200, patched.text
    try:
        task = _task(_export(server, project), gold.id)
        (edited,) = read_labelstudio([task], annotator=annotation["completed_by"])
        before = (GOLD / f"{gold.id}.ann").read_text(encoding="utf-8").splitlines()
        diff = [
            d
            for d in difflib.unified_diff(before, _ann_lines(edited, tmp_path), lineterm="", n=0)
            if d[:1] in "+-" and d[:3] not in ("+++", "---")
        ]
        assert diff == [f"+T{len(gold.entities) + 1}\tMISC 0 3\t{gold.text[:3]}"]
    finally:
        server.client.patch(f"/api/annotations/{annotation['id']}", json={"result": annotation["result"]})
