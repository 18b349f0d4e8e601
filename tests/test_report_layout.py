"""report.html layout: no horizontal overflow at phone and desktop widths; letters stay joined at highlight edges.

Headless Chromium's window is at least 500 px wide, so the page is measured inside an iframe of the width under
test (``srcdoc``: same origin, so the parent page can read the frame's layout and writes it into its own DOM).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from harness_fixtures import write_brat_corpus
from test_report_html import _chromium, needs_chromium

from arabench import benchmark
from arabench.annotations.brat import write_brat
from arabench.annotations.spans import Document, Span

ZWJ = "\u200d"

_PROBE = """<script>
window.addEventListener("load", function () {
  var frame = document.getElementById("f"), doc = frame.contentDocument, width = frame.contentWindow.innerWidth;
  var wide = [];
  doc.querySelectorAll("body *").forEach(function (e) {
    var r = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !(p.right > width + 0.5)) wide.push(e.tagName + "." + e.className);
  });
  document.body.setAttribute("data-ready", doc.body.getAttribute("data-ready") || "");
  document.body.setAttribute("data-scroll-width", String(doc.scrollingElement.scrollWidth));
  document.body.setAttribute("data-inner-width", String(width));
  document.body.setAttribute("data-wide", wide.join(" "));
});
</script>"""


def _measure(page: str, width: int, tmp_path: Path) -> dict[str, str]:
    frame = tmp_path / f"frame-{width}.html"
    frame.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="f" style="border:0;width:{width}px;height:1200px" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>{_PROBE}</body></html>',
        encoding="utf-8",
    )
    done = _chromium(["--dump-dom", "--window-size=1400,1300", "--virtual-time-budget=5000", frame.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", done.stdout).group(1)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body))


@pytest.fixture(scope="module")
def wide_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("layout")
    corpus = write_brat_corpus(root / "gold")
    benchmark.run(["rules", "oracle", "empty"], corpus=corpus, out=root / "out", cache=False, bootstrap=50)
    return (root / "out" / "report.html").read_text(encoding="utf-8")


@needs_chromium
@pytest.mark.parametrize("width", [420, 1280])
def test_page_does_not_overflow_horizontally(wide_report: str, width: int, tmp_path: Path) -> None:
    got = _measure(wide_report, width, tmp_path)
    assert got["ready"] == "1", "the report's script did not finish"
    assert int(got["inner-width"]) == width
    assert int(got["scroll-width"]) <= width, f"wider than the page: {got['wide']}"


# "A delegation of the working group met in Kuwait and Cairo; the Jordanians ..." (made-up sentence)
TEXT = "التقى وفد لمجموعة العمل بالكويت والقاهرة مع الأردنيين."
#: (start, end, type) and whether a joiner belongs at its start and at its end.
SPANS = [
    ((11, 23, "ORG"), True, False),  # ل|مجموعة: lam joins meem; ends before a space
    ((25, 31, "GPE"), True, False),  # ب|الكويت: beh joins alef
    ((33, 40, "GPE"), False, False),  # و|القاهرة: waw does not join what follows
    ((44, 51, "NORP"), False, True),  # الأردني|ين: yeh joins yeh
]


def test_fixture_offsets() -> None:
    assert [TEXT[s:e] for (s, e, _), _, _ in SPANS] == ["مجموعة العمل", "الكويت", "القاهرة", "الأردني"]


def _text_box(dom: str) -> str:
    box = dom.split('id="text"')[1].split("</section>")[0]
    box = re.sub(r'<span class="tag"[^>]*>.*?</span>', "", box)
    return html.unescape(re.sub(r"<[^>]+>", "", box.split(">", 1)[1]))


@needs_chromium
def test_letters_stay_joined_across_highlight_edges(tmp_path: Path) -> None:
    entities = {f"T{n}": Span(*span) for n, (span, _, _) in enumerate(SPANS, 1)}
    write_brat(Document("doc", TEXT, entities), tmp_path / "gold")
    benchmark.run(["oracle"], corpus=tmp_path / "gold", out=tmp_path / "out", cache=False, bootstrap=0)
    done = _chromium(["--dump-dom", (tmp_path / "out" / "report.html").as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = _text_box(done.stdout).strip()
    assert shown.replace(ZWJ, "") == TEXT  # the offsets and the text are unchanged
    joiners: dict[int, int] = {}
    original = 0
    for ch in shown:
        if ch == ZWJ:
            joiners[original] = joiners.get(original, 0) + 1
        else:
            original += 1
    expected = {s: 2 for (s, _, _), at_start, _ in SPANS if at_start}
    expected |= {e: 2 for (_, e, _), _, at_end in SPANS if at_end}
    assert joiners == expected  # one on each side of every edge between two joining letters, none elsewhere
