"""A FIFO in the cache directory is skipped with a warning; reading it never blocks.

Before: the cache read every entry with ``read_bytes()``, which waits forever
for a writer on a FIFO. The run happens in a subprocess with a timeout, so a
regression fails this test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from run_models import arabench, write_corpus


def test_fifos_in_the_cache_are_skipped_with_a_warning(tmp_path: Path) -> None:
    gold = write_corpus(tmp_path / "gold.jsonl")
    cache = tmp_path / "cache"
    argv = ["run", "-m", "trust-city", "--corpus", str(gold), "--bootstrap", "0", "-q"]
    first = arabench(*argv, "--out", str(tmp_path / "a"), cache=cache)
    assert first.returncode == 0, first.stderr
    entry = sorted((cache / "predictions").rglob("*.json"))[0]
    (index,) = (cache / "models").glob("*.json")
    for path in (entry, index):
        path.unlink()
        os.mkfifo(path)
    second = arabench(*argv, "--out", str(tmp_path / "b"), cache=cache)
    assert second.returncode == 0, second.stderr
    assert f"corrupted cache entry {entry} cannot be read (not a regular file" in second.stderr
    assert f"corrupted cache entry {index} cannot be read (not a regular file" in second.stderr
    results = [json.loads((tmp_path / d / "results.json").read_text(encoding="utf-8"))["models"] for d in "ab"]
    assert results[0] == results[1]
