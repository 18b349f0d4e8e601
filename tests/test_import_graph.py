"""The import graph of the four packages, read from the source (``ast``; nothing is imported).

Data flows one way: annotations → models → eval → benchmark. No module in
``annotations/``, ``models/`` or ``eval/`` imports ``benchmark``; ``eval/``
imports nothing from ``models/``; and no two modules import each other,
directly or around a longer circle. Every import counts, including the ones
inside functions and under ``TYPE_CHECKING``: a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("annotations", "models", "eval", "benchmark")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["arabench", *parts])


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that module ``name`` imports (``from pkg import sub`` counts as ``pkg.sub``)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:  # ``import a.b.c`` of a non-module attribute: its module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _package(module: str) -> str:
    return module.split(".")[1]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


GRAPH = _graph()

#: Known import circles and backward imports other changes are removing; each mark is strict, so the
#: test turns red once the circle is gone and the mark must be removed with it.
KNOWN: dict[tuple[str, object], str] = {}


def _case(key: tuple[str, object]) -> object:
    reason = KNOWN.get(key)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(key, marks=marks, id=f"{key[0]}:{key[1] if isinstance(key[1], str) else '-'.join(key[1])}")


def test_the_graph_sees_the_packages() -> None:
    """The parser finds the modules and known arrows (the checks below would pass vacuously otherwise)."""
    assert {
        "arabench.annotations.spans",
        "arabench.models.base",
        "arabench.eval.spans",
        "arabench.benchmark.runner",
    } <= set(GRAPH)
    assert "arabench.annotations.spans" in GRAPH["arabench.eval.spans"]
    assert "arabench.eval.modes" in GRAPH["arabench.benchmark.scoring"]
    assert (
        "arabench.benchmark.runner" in GRAPH["arabench.benchmark"]
    )  # the lazy ``arabench.benchmark.run`` export counts too


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    "key",
    [_case(("backward", name)) for name in sorted(GRAPH) if _package(name) != "benchmark"]
    + [_case(("backward", "arabench.models.llm"))] * ("arabench.models.llm" not in GRAPH),
)
def test_no_backward_imports(key: tuple[str, str]) -> None:
    """Nothing below ``benchmark`` imports it; ``eval`` imports nothing from ``models``."""
    name = key[1]
    layer = _package(name)
    forbidden = {"benchmark"} | ({"models"} if layer == "eval" else set())
    wrong = sorted(target for target in GRAPH.get(name, ()) if _package(target) in forbidden)
    assert wrong == [], f"{name} ({layer}) imports {', '.join(wrong)}"


@pytest.mark.parametrize(
    "key",
    [_case(("cycle", tuple(c))) for c in _cycles(GRAPH)]
    + [_case(k) for k in KNOWN if k[0] == "cycle" and list(k[1]) not in _cycles(GRAPH)]
    + [_case(("cycle", ("none",)))],
)
def test_no_import_cycles(key: tuple[str, tuple[str, ...]]) -> None:
    """No module reaches itself through its imports (every strongly connected component is one module)."""
    members = list(key[1])
    if members == ["none"]:
        unknown = [c for c in _cycles(GRAPH) if ("cycle", tuple(c)) not in KNOWN]
        assert unknown == [], f"import cycles: {unknown}"
        return
    assert members not in _cycles(GRAPH), f"import cycle: {' <-> '.join(members)}"
