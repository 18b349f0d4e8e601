"""report.html embeds any string: ``<!--``, ``</script>``, ``<script>``, U+2028 in the data leave the page working.

Before the fix ``<!--`` was written as ``<\\!--``, which is not JSON: the
page's data did not parse and the article and errors stayed empty (exit 0).
The data is now JSON with ``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\u``
escapes: it parses back to the same object, and headless Chromium shows the
article and the errors with no console error.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arabench import benchmark
from arabench.benchmark.escape import json_for_html
from arabench.benchmark.report_html import _data_and_cells, render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TRICKS = "<!-- </script> <script>alert(1)</script> \u2028 \u2029 & <\\!-- ]]> -->"
DOC_ID = "doc <!-- <script> \u2028 &amp;"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, benchmark.Results]:
    root = tmp_path_factory.mktemp("html")
    gold = root / "gold"
    gold.mkdir()
    text = f"زار محمد القاهرة أمس. {TRICKS}"
    (gold / f"{DOC_ID}.txt").write_text(text, encoding="utf-8")
    (gold / f"{DOC_ID}.ann").write_text("T1\tPERS 4 8\tمحمد\nT2\tGPE 9 16\tالقاهرة\n", encoding="utf-8")
    folder = root / "<!-- <script> \u2028"
    folder.mkdir()
    preds = folder / "p.jsonl"
    entity = {"start": 4, "end": 8, "type": "PERS"}
    preds.write_text(json.dumps({"id": DOC_ID, "text": text, "entities": [entity]}) + "\n", encoding="utf-8")
    results = benchmark.run([f"file:{preds}", "empty"], corpus=gold, out=root / "out", cache=False, bootstrap=20)
    return root / "out" / "report.html", results


def _embedded(page: str) -> str:
    return re.search(r'<script type="application/json" id="arabench-data">(.*?)</script>', page, re.S)[1]


def test_embedded_json_parses_back_to_the_data(hostile_report: tuple[Path, benchmark.Results]) -> None:
    path, results = hostile_report
    page = path.read_text(encoding="utf-8")
    embedded = _embedded(page)
    for raw in ("<", ">", "\u2028", "\u2029", "&"):
        assert raw not in embedded
    data = json.loads(embedded)
    assert {k: v for k, v in data.items() if k != "colors"} == _data_and_cells(results)[0]
    assert data["documents"][0]["id"] == DOC_ID and TRICKS in data["documents"][0]["text"]
    assert page == render_html(results)


@given(st.recursive(st.text(), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner)))
def test_json_for_html_round_trips_and_never_closes_the_element(value: object) -> None:
    text = json_for_html(value)
    assert json.loads(text) == value
    assert "<" not in text and ">" not in text and "\u2028" not in text and "\u2029" not in text
    text.encode("utf-8")  # lone surrogates are \u escapes too


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_chromium_shows_article_and_errors_without_console_errors(
    hostile_report: tuple[Path, benchmark.Results], tmp_path: Path
) -> None:
    path, results = hostile_report
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        path.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    dom = done.stdout
    assert 'data-ready="1"' in dom, "the report's script did not finish"
    article = dom.split('id="text"')[1].split("</section>")[0]
    assert "محمد" in article and "&lt;/script&gt;" in article and "&lt;!--" in article
    assert article.count('class="ent') == 2
    errors = [e for e in results.errors.get("empty", {}).get(results.leaderboard_view, []) if e["layer"] == "flat"]
    assert len(errors) > 0 and f"{len(errors) + 1} errors" in dom  # empty misses both, the file misses one
