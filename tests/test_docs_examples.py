"""Run the shell examples of README.md and docs/*.md verbatim and check that each succeeds.

Every fenced ``bash``/``sh``/``shell``/``console`` block of those files must be preceded (on the line
before, blank lines allowed) by a marker comment:

* ``<!-- docs-test: run -->``: the block is run as written, as one bash script with ``set -euo pipefail``
  (so every command's exit status is checked, and a failing one is named), in a fresh temporary copy of the
  repository, offline (``HF_HUB_OFFLINE=1``) with a temporary ``ARABENCH_CACHE`` and ``TMPDIR``; it must
  exit 0 and print something (unless it asks for quiet: ``-q``, ``--quiet`` or output sent to /dev/null).
* ``<!-- docs-test: skip (REASON) -->``: not run (it needs a network, a GPU, a download or minutes);
  the reason is required.

A block without a marker fails the first test, so a new example cannot be left out by accident.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHELL_INFO = {"bash", "sh", "shell", "console"}
MARKER = re.compile(r"^<!--\s*docs-test:\s*(run|skip\s*\((?P<reason>[^)]+)\))\s*-->$")
FENCE = re.compile(r"^(```+)\s*(\S*)")
COPIED = ("annotations", "models", "eval", "benchmark", "tests/data", "pyproject.toml")


def markdown_files() -> list[Path]:
    """README.md and every Markdown file of docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shell_blocks(path: Path) -> list[tuple[int, str | None, str | None, list[str]]]:
    """Every shell block of one file: (line of its fence, marker, skip reason, its lines)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        ticks, info = fence.group(1), fence.group(2).lower()
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(ticks)), len(lines))
        if info in SHELL_INFO:
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            marker = MARKER.match(lines[k].strip()) if k >= 0 else None
            kind = None if marker is None else marker.group(1).split("(")[0].strip()
            reason = None if marker is None else marker.group("reason")
            blocks.append((i + 1, kind, reason, lines[i + 1 : end]))
        i = end + 1
    return blocks


def commands(block: list[str], *, console: bool) -> list[str]:
    """The commands of a block: comments and blank lines dropped, ``\\`` continuations joined."""
    out: list[str] = []
    pending = ""
    for raw in block:
        line = raw.rstrip()
        if console:
            if not line.startswith("$ ") and not pending:
                continue  # output shown in a console block
            line = line[2:] if line.startswith("$ ") else line
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    return out


def all_blocks() -> list[tuple[str, int, str | None, str | None, list[str], bool]]:
    found = []
    for path in markdown_files():
        text = path.read_text(encoding="utf-8")
        for lineno, kind, reason, block in shell_blocks(path):
            fence_info = FENCE.match(text.splitlines()[lineno - 1]).group(2).lower()
            found.append((path.relative_to(ROOT).as_posix(), lineno, kind, reason, block, fence_info == "console"))
    return found


def test_every_shell_block_is_marked() -> None:
    unmarked = [f"{name}:{lineno}" for name, lineno, kind, _, _, _ in all_blocks() if kind is None]
    assert not unmarked, (
        f"shell blocks without a marker: {', '.join(unmarked)}; fix: put '<!-- docs-test: run -->' or "
        "'<!-- docs-test: skip (reason) -->' on the line before the fence"
    )


def test_readme_has_runnable_examples() -> None:
    runnable = [b for b in all_blocks() if b[0] == "README.md" and b[2] == "run"]
    assert runnable, "README.md has no block marked '<!-- docs-test: run -->'"
    assert all(commands(b[4], console=b[5]) for b in runnable)


PRELUDE = "set -euo pipefail\ntrap 'echo \"failed: $BASH_COMMAND\" >&2' ERR\n"


def run_block(script: str, *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run one block as a bash script that stops at, and names, the first failing command."""
    return subprocess.run(
        ["bash", "-c", PRELUDE + script], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_failing_command_fails_its_block(tmp_path: Path) -> None:
    done = run_block("echo first\nls no-such-file\necho never", cwd=tmp_path)
    assert done.returncode != 0
    assert "never" not in done.stdout
    assert "failed: ls no-such-file" in done.stderr
    assert run_block("false | cat", cwd=tmp_path).returncode != 0  # pipefail: a pipeline fails with any part


RUNNABLE = [b for b in all_blocks() if b[2] == "run"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, lineno, block, console",
    [(b[0], b[1], b[4], b[5]) for b in RUNNABLE],
    ids=[f"{b[0]}:{b[1]}" for b in RUNNABLE],
)
def test_example_runs(name: str, lineno: int, block: list[str], console: bool, tmp_path: Path) -> None:
    work = tmp_path / "checkout"
    work.mkdir()
    for rel in COPIED:
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, work / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, work / rel)
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        ARABENCH_CACHE=str(tmp_path / "cache"),
        PYTHONPATH=str(work),
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    )
    env.pop("OPENAI_API_KEY", None)
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")
    script = "\n".join(commands(block, console=True) if console else block)
    done = run_block(script, cwd=work, env=env)
    where = f"{name}:{lineno}"
    assert done.returncode == 0, f"{where} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    quiet = re.search(r"(^|\s)(-q|--quiet)(\s|$)|>\s*/dev/null", script)
    assert quiet or (done.stdout + done.stderr).strip(), f"{where} printed nothing"


def test_quickstart_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    quickstart = [line for line in block.splitlines() if line.strip()]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert len(quickstart) == 2, f"README.md's Quickstart block holds {quickstart}; fix: keep its two commands"
    missing = [line for line in quickstart if line not in ci]
    assert not missing, f".ci/run does not run {missing} byte for byte; fix: keep README.md and .ci/run in step"


def test_readme_stays_short() -> None:
    n = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert n <= 250, f"README.md has {n} lines (at most 250); fix: move the detail to a page of docs/ and link it"


def test_relative_links_point_to_files() -> None:
    broken = []
    for path in markdown_files():
        text = re.sub(r"(?ms)^```.*?^```", "", path.read_text(encoding="utf-8"))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (path.parent / target.split("#", 1)[0]).exists():
                broken.append(f"{path.relative_to(ROOT).as_posix()}: {target}")
    assert not broken, f"links to missing files: {broken}; fix: correct the path or add the page"
