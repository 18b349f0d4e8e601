"""Markdown, CSV and terminal injection: user-controlled strings never become markup, formulas or escapes.

A run whose model name (a ``file:`` path), dropped label (a diagnostic key)
and gold document id hold backticks, ``|``, ``<img onerror>``, a newline and
``#`` renders ``summary.md`` and ``compare --markdown`` (parsed by a
CommonMark renderer) with exactly the headings and table cells arabench
wrote, and no live HTML; CSV cells that a spreadsheet would run are
neutralized; the terminal gets no raw control character.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from arabench import benchmark
from arabench.benchmark.cli import main as cli
from arabench.benchmark.compare import compare
from arabench.benchmark.escape import csv_cell, md_code, md_text, terminal
from arabench.benchmark.report_text import render_summary, write_per_type

HOSTILE = "`x` | <img src=x onerror=alert(1)> &amp;\n# injected"
TEXT = "زار محمد القاهرة أمس"


def _render(markdown: str) -> tuple[str, list[list[str]]]:
    """HTML and the table rows (cell counts per row) of Markdown, as a CommonMark + tables renderer sees it."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(markdown)
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            rows[-1].append("")
    return md.render(markdown), rows


def _headings(html: str) -> list[str]:
    return re.findall(r"<h[1-6]>(.*?)</h[1-6]>", html)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[benchmark.Results, Path]:
    root = tmp_path_factory.mktemp("escape")
    gold = root / "gold"
    gold.mkdir()
    doc_id = "doc`|<b>#1"
    (gold / f"{doc_id}.txt").write_text(TEXT, encoding="utf-8")
    (gold / f"{doc_id}.ann").write_text("T1\tPERS 4 8\tمحمد\nT2\tGPE 9 16\tالقاهرة\n", encoding="utf-8")
    folder = root / "`evil` |<img src=x onerror=alert(1)>\n# heading"
    folder.mkdir()
    preds = folder / "p.jsonl"
    entities = [
        {"start": 4, "end": 8, "type": "PERS"},
        {"start": 9, "end": 16, "type": HOSTILE.replace("\n", " ")},
    ]
    preds.write_text(json.dumps({"id": doc_id, "text": TEXT, "entities": entities}, ensure_ascii=False) + "\n")
    name = f"file:{preds}"
    results = benchmark.run(
        [name, "empty"],
        corpus=gold,
        out=root / "out",
        cache=False,
        bootstrap=20,
        progress=False,
        model_options={name: {"drop": [HOSTILE.replace("\n", " ")]}},
    )
    assert [m.status for m in results.models] == ["scored", "scored"]
    return results, root / "out"


def test_summary_markdown_holds_no_injected_markup(hostile_run: tuple[benchmark.Results, Path]) -> None:
    results, out = hostile_run
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert markdown == render_summary(results)
    html, rows = _render(markdown)
    assert "<img" not in html and "<b>" not in html  # shown as text (&lt;img ...), never live
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    names = [m.name for m in results.models]
    assert [re.sub(r"<[^>]+>", "", h) for h in _headings(html)] == [
        "arabench results",
        "Leaderboard",
        *(f"{n.replace(chr(10), ' ').replace('<', '&lt;').replace('>', '&gt;')} — view native" for n in names),
    ]
    widths = {len(r) for r in rows}
    assert widths <= {10, 9, 7}, widths  # leaderboard, per-type and relation tables keep their columns


def test_compare_markdown_holds_no_injected_markup(hostile_run: tuple[benchmark.Results, Path], tmp_path: Path) -> None:
    results, out = hostile_run
    names = [m.name for m in results.models]
    markdown = compare(out, model_a=names[1], model_b=names[0], n_resamples=20).to_markdown()
    html, rows = _render(markdown)
    assert "<img" not in html and len(_headings(html)) == 1
    assert {len(r) for r in rows} == {8}


def test_per_type_csv_neutralizes_formulas(hostile_run: tuple[benchmark.Results, Path], tmp_path: Path) -> None:
    results, _ = hostile_run
    evil = '=HYPERLINK("http://x","click")'
    renamed = replace(results, models=[replace(results.models[0], name=evil), *results.models[1:]])
    path = write_per_type(renamed, tmp_path / "per_type.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    cells = {row[0] for row in rows[1:]}
    assert "'" + evil in cells and evil not in cells
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for c in row if not _number(c))


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-0.5", "-0.5"),
        ("PERS", "PERS"),
        (None, ""),
        (0.1, "0.1"),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


@given(st.text(max_size=40))
def test_md_code_is_one_code_span_holding_the_text(value: str) -> None:
    html, _ = _render(f"| a |\n| --- |\n| {md_code(value)} |\n")
    assert html.count("<code>") == 1 and "<td>" in html and "<h" not in html


@given(st.text(max_size=40))
def test_md_text_is_plain_text(value: str) -> None:
    html, rows = _render(f"| a |\n| --- |\n| {md_text(value)} |\n")
    assert rows == [[""], [""]]
    for tag in ("<code", "<em", "<strong", "<a ", "<img", "<h1", "<h2"):
        assert tag not in html


def test_terminal_escapes_control_characters() -> None:
    assert terminal("\x1b[31mred\x1b[0m\r\x00\u202e") == "\\x1b[31mred\\x1b[0m\\x0d\\x00\\u202e"
    assert terminal("سطر\nآخر\u200c", newlines=True) == "سطر\nآخر\u200c"


def test_cli_output_escapes_ansi_in_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """validate prints a type read from the data: the ANSI sequence in it is shown, never run."""
    path = tmp_path / "c.jsonl"
    entity = {"id": "T1", "start": 4, "end": 8, "type": "\x1b[2J\x1b[31mPERS", "text": "محمد"}
    path.write_text(json.dumps({"id": "d", "text": TEXT, "entities": [entity]}) + "\n", encoding="utf-8")
    assert cli(["validate", str(path)]) == 1
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err
    assert "\\x1b[2J\\x1b[31mPERS" in out.out


def test_cli_error_escapes_ansi_in_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"data": {"text": "abc", "doc_id": ["\x1b[2J"]}, "annotations": [{"result": []}]}]))
    assert cli(["convert", str(path), str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J" in err


def test_run_stderr_escapes_ansi_in_a_failure_reason(
    hostile_run: tuple[benchmark.Results, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results, _ = hostile_run
    corpus = results.corpus["path"]
    model = f"file:{tmp_path}/\x1b[2J\x1b]0;title\x07missing.jsonl"
    argv = [
        "run",
        "-m",
        model,
        "--corpus",
        corpus,
        "--out",
        str(tmp_path / "o"),
        "--no-cache",
        "-q",
        "--bootstrap",
        "0",
    ]
    assert cli(argv) == 1
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.err
    assert "\\x1b[2J\\x1b]0;title\\x07missing.jsonl" in captured.err
