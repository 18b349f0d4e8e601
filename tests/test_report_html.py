"""report.html: self-contained, right to left, rendered in headless Chromium (content after JS, screenshot)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus

from arabench import benchmark
from arabench.annotations.corpus import read_corpus
from arabench.benchmark.report_html import confusion_matrix, render_html
from arabench.benchmark.report_text import read_errors

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_skip_without_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run installs it)",
)


def needs_chromium(test):
    return pytest.mark.chromium(_skip_without_chromium(test))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, benchmark.Results, Path]:
    root = tmp_path_factory.mktemp("html")
    corpus = write_brat_corpus(root / "gold")
    results = benchmark.run(["rules", "oracle", "empty"], corpus=corpus, out=root / "out", cache=False, bootstrap=50)
    return root / "out" / "report.html", results, corpus


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_report_is_self_contained(report: tuple[Path, benchmark.Results, Path]) -> None:
    path, _, _ = report
    page = path.read_text(encoding="utf-8")
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    # The only URL is the SVG namespace name, which is never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "Noto Naskh Arabic" in page  # an Arabic-capable font stack
    data = json.loads(re.search(r'<script type="application/json" id="arabench-data">(.*?)</script>', page, re.S)[1])
    assert [m["name"] for m in data["models"]] == ["rules", "oracle", "empty"]
    assert "<svg" in page and "whisker" in page


def test_confusion_matrix_counts(report: tuple[Path, benchmark.Results, Path]) -> None:
    _, results, corpus = report
    empty = confusion_matrix(results, "empty", "native")
    gold = read_corpus(corpus)
    flat = sorted(s.label for d in gold for s in d.flat_spans)
    missed = {row: cells[-1] for row, cells in zip(empty["rows"], empty["cells"], strict=True)}
    assert sum(missed.values()) == len(flat)
    assert all(missed[t] == flat.count(t) for t in set(flat))
    oracle = confusion_matrix(results, "oracle", "native")
    diag = sum(oracle["cells"][i][oracle["cols"].index(r)] for i, r in enumerate(oracle["rows"]) if r in oracle["cols"])
    assert diag == len(flat) and oracle["cells"][-1][-1] == 0


def test_html_escapes_script_end_in_data(report: tuple[Path, benchmark.Results, Path]) -> None:
    _, results, _ = report
    from dataclasses import replace

    from arabench.annotations.spans import Document

    doc = results.documents[0]
    tricky = Document(doc.id, doc.text + " </script><script>alert(1)</script> __CSS__", dict(doc.entities))
    page = render_html(replace(results, documents=[tricky, *results.documents[1:]]))
    assert page.count("</script>") == 2  # the data block and the code block, nothing injected
    assert "__CSS__" in page.split('id="arabench-data">')[1]  # placeholders in data are not substituted


@needs_chromium
def test_rendered_dom_after_javascript(report: tuple[Path, benchmark.Results, Path], tmp_path: Path) -> None:
    path, results, corpus = report
    done = _chromium(["--dump-dom", path.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-ready="1"' in dom, "the report's script did not finish"
    # The switch: gold plus each scored model.
    assert re.findall(r'data-source="([^"]+)"', dom) == ["gold", "m0", "m1", "m2"]
    # Gold view of document 1: one highlighted box per gold span (nested ones included).
    gold = read_corpus(corpus)
    text_box = dom.split('id="text"')[1].split("</section>")[0]
    assert text_box.count('class="ent') == len(gold[0].spans)
    assert len(re.findall(r'class="tag"', text_box)) == len(gold[0].spans)
    # The legend lists every type of the document.
    legend = dom.split('id="legend"')[1].split("</div>")[0]
    assert set(re.findall(r'data-type="([A-Z]+)"', legend)) == {s.label for s in gold[0].spans}
    # Error table: by default the flat-layer errors of every model in the leaderboard view.
    records = list(read_errors(path.parent / "errors.jsonl.gz"))
    flat = [e for e in records if e["layer"] == "flat" and e["view"] == results.leaderboard_view]
    assert 0 < len(flat) < len(records)
    assert dom.count("<tr data-model=") == len(flat)
    assert f"{len(flat)} errors" in dom
    # Skipped-model table and diagnostics are present.
    assert "Every model was scored." in dom


@needs_chromium
def test_screenshot_is_not_blank(report: tuple[Path, benchmark.Results, Path], tmp_path: Path) -> None:
    path, _, _ = report
    png = tmp_path / "shot.png"
    done = _chromium([f"--screenshot={png}", "--window-size=1280,2000", "--hide-scrollbars", path.as_uri()], tmp_path)
    assert done.returncode == 0 and png.exists(), done.stderr[-2000:]
    width, height, rows = _decode_png(png.read_bytes())
    assert (width, height) == (1280, 2000)
    colours = {bytes(row[i : i + 3]) for row in rows[::20] for i in range(0, len(row), 3 * 7)}
    assert len(colours) > 20, "the screenshot looks blank"


def _decode_png(data: bytes, max_rows: int = 800) -> tuple[int, int, list[bytearray]]:
    """Decode the first rows of an 8-bit RGB/RGBA non-interlaced PNG into RGB bytes (enough to see it is not blank)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(min(height, max_rows)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytearray(b for i in range(0, stride, channels) for b in line[i : i + 3]))
        previous = line
    return width, height, rows
