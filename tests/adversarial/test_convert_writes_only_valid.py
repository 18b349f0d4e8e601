"""Property: whatever ``convert`` accepts from a Label Studio export, ``validate --no-type-check`` accepts once written.

Random exports (texts with white space, astral characters and CRLF, regions
at random offsets and labels, relations between them) either fail with a
``BenchmarkError`` and leave nothing behind, or convert into JSONL and BRAT
that validate.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arabench.annotations.convert import convert
from arabench.annotations.errors import BenchmarkError
from arabench.annotations.formats import check_path

texts = st.text(alphabet=st.sampled_from(list("زار محمد القاهرة\n\r\t 😀a")), min_size=1, max_size=24)
labels = st.sampled_from(["PERS", "GPE", "PER", "LOC", "BOGUS"])


@st.composite
def exports(draw: st.DrawFn) -> list[dict[str, object]]:
    tasks = []
    for n in range(draw(st.integers(1, 3))):
        text = draw(texts)
        units = len(text.encode("utf-16-le")) // 2
        regions = []
        for k in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, units))
            end = draw(st.integers(0, units))
            value = {"start": start, "end": end, "labels": [draw(labels)]}
            regions.append({"id": f"r{k}", "type": "labels", "value": value})
        if len(regions) >= 2 and draw(st.booleans()):
            regions.append(
                {
                    "type": "relation",
                    "from_id": "r0",
                    "to_id": "r1",
                    "labels": [draw(st.sampled_from(["HAS_ROLE", "X"]))],
                }
            )
        doc_id = draw(st.sampled_from([f"doc{n}", n, None]))
        data = {"text": text} if doc_id is None else {"text": text, "doc_id": doc_id}
        tasks.append({"id": 100 + n, "data": data, "annotations": [{"result": regions}]})
    return tasks


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(export=exports())
def test_converted_output_validates(export: list[dict[str, object]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="arabench-convert-"))
    try:
        src = root / "export.json"
        src.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
        for dst, fmt in ((root / "out.jsonl", "jsonl"), (root / "brat", "brat")):
            try:
                convert(src, dst, dst_format=fmt)
            except BenchmarkError:
                assert not dst.exists()
                assert sorted(p.name for p in root.iterdir()) == sorted(
                    ["export.json", *(p.name for p in root.iterdir() if p.name in ("out.jsonl", "brat"))]
                )
                continue
            report = check_path(dst, check_types=False)
            assert report.ok, [str(p) for p in report.errors]
    finally:
        shutil.rmtree(root, ignore_errors=True)
