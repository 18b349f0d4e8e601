"""How much concurrency buys the ``llm:`` adapter, against a local server that answers after a fixed delay.

A fake OpenAI-compatible server (tests/fake_llm_server.py, in its own process on
127.0.0.1) answers every chat completion after 200 ms. 1,000 windows (one per
line, 50 texts of 20 lines) are predicted at concurrency 1, 4, 8 and 16, each
level with its own empty response cache; the table gives the wall time and the
speed-up against concurrency 1 (goal: at least 6x at 8), and the script checks
that the predictions and the cache entries are byte-identical across levels.
Then the dev corpus ../shared/data/aqmar_dev.conll (ANERcorp-sized) is run
through ``arabench.benchmark.run`` at concurrency 8 against a server that
reports ``usage``, and the token totals are printed.

    python tests/benchmarks/bench_llm_concurrency.py [--windows 1000] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "tests" / "fake_llm_server.py"
DATA = next((p for p in (ROOT / ".." / "shared" / "data", ROOT / ".." / ".." / "shared" / "data") if p.is_dir()), None)
CITIES = ["القاهرة", "دمشق", "بغداد", "الرباط", "عمّان"]


def start_server(delay: float, *, usage: bool = False) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, str(SERVER), str(delay), *(["--usage"] if usage else []), *CITIES]
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def stop_server(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=30)


def frozen(predictions: list) -> str:
    return json.dumps(
        [
            [[[s.start, s.end, s.label] for s in p.spans], sorted(map(str, p.relations)), sorted(p.diagnostics.items())]
            for p in predictions
        ],
        ensure_ascii=False,
    )


def main() -> None:
    from arabench.models.llm.adapters import OpenAIChatModel

    parser = argparse.ArgumentParser()
    parser.add_argument("--windows", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    lines = [f"زار الوزير {CITIES[i % 5]} في اليوم {i}." for i in range(args.windows)]
    texts = ["\n".join(lines[k : k + 20]) for k in range(0, len(lines), 20)]
    process, url = start_server(args.delay)
    rows, outputs, entries = [], {}, {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for level in (1, 4, 8, 16):
                model = OpenAIChatModel.from_spec(
                    "fake", base_url=url, max_window_chars=40, concurrency=level, cache_dir=f"{tmp}/{level}"
                )
                started = time.perf_counter()
                predictions = model.predict(texts)
                elapsed = time.perf_counter() - started
                windows = sum(p.diagnostics["windows"] for p in predictions)
                assert windows == args.windows and model.stats["requests"] == args.windows
                outputs[level] = frozen(predictions)
                entries[level] = {p.name: p.read_bytes() for p in Path(tmp, str(level)).rglob("*.json")}
                rows.append((level, elapsed))
    finally:
        stop_server(process)
    base = rows[0][1]
    print(f"{args.windows} windows, server delay {args.delay * 1000:.0f} ms (python {sys.version.split()[0]})")
    print("| concurrency | wall time (s) | windows/s | speed-up vs 1 |")
    print("| ---: | ---: | ---: | ---: |")
    for level, elapsed in rows:
        print(f"| {level} | {elapsed:.1f} | {args.windows / elapsed:.1f} | {base / elapsed:.2f}x |")
    identical = len({outputs[k] for k in outputs}) == 1 and all(entries[k] == entries[1] for k in entries)
    print(f"predictions and cache entries byte-identical across levels: {identical}")
    speedup8 = base / dict(rows)[8]
    print(f"speed-up at 8: {speedup8:.2f}x (goal >= 6x): {'met' if speedup8 >= 6 else 'NOT met'}")
    if DATA is None or not (DATA / "aqmar_dev.conll").is_file():
        print("../shared/data/aqmar_dev.conll not found: the dev-corpus run is skipped")
        return
    dev_run(args.delay)


def dev_run(delay: float) -> None:
    from arabench import benchmark

    assert DATA is not None
    process, url = start_server(delay, usage=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            results = benchmark.run(
                ["llm:fake"],
                corpus=DATA / "aqmar_dev.conll",
                out=Path(tmp) / "out",
                cache_dir=Path(tmp) / "cache",
                bootstrap=0,
                model_options={"llm:fake": {"base_url": url, "concurrency": 8, "cache_dir": str(Path(tmp) / "cache")}},
            )
            elapsed = time.perf_counter() - started
            summary = (Path(tmp) / "out" / "summary.md").read_text(encoding="utf-8")
    finally:
        stop_server(process)
    (model,) = results.models
    d = model.diagnostics
    print(
        f"\naqmar_dev.conll ({len(results.documents)} document(s)) at concurrency 8, "
        f"server delay {delay * 1000:.0f} ms:"
    )
    print(f"status {model.status}; {d.get('windows', 0)} windows in {elapsed:.1f} s (whole run, scoring included)")
    print(f"tokens: prompt {d.get('prompt_tokens', 0):,}, completion {d.get('completion_tokens', 0):,} (server usage)")
    line = next((x for x in summary.splitlines() if "tokens in" in x), "")
    print(f"summary.md shows: ...{line[line.find('tokens in') - 3 :][:80]}")


if __name__ == "__main__":
    main()
