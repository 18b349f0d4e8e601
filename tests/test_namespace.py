"""One import namespace: arabench installs ``arabench.*`` and nothing else at top level.

The four folders of the checkout (``annotations/``, ``models/``, ``eval/``, ``benchmark/``) install as
``arabench.annotations``, ``arabench.models``, ``arabench.eval`` and ``arabench.benchmark``. A user's own
``models/`` or ``eval/`` package beside their script must neither shadow arabench's nor be shadowed by it.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("annotations", "models", "eval", "benchmark")


def _run(argv: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600, **kwargs)


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_source_imports_only_the_namespace(folder: str) -> None:
    """No module of the distribution imports a bare ``annotations``, ``models``, ``eval`` or ``benchmark``."""
    bare = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bare += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] in FOLDERS]
    assert bare == []


@pytest.mark.slow
def test_the_wheel_installs_only_arabench_at_top_level(tmp_path: Path) -> None:
    """Build the wheel, install it with ``--no-deps`` into a fresh virtual environment, look at what imports."""
    source = tmp_path / "source"  # a copy: setuptools writes build/ and *.egg-info into the tree it builds
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)],
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("arabench-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    listing = "import os, sysconfig; print('\\n'.join(sorted(os.listdir(sysconfig.get_paths()['purelib']))))"
    before = set(_run([str(python), "-c", listing], cwd=tmp_path).stdout.split())
    installed = _run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]
    probe = textwrap.dedent(
        """
        import importlib.util, json, sysconfig, os
        site = sysconfig.get_paths()["purelib"]
        top = sorted(os.listdir(site))
        names = ("annotations", "models", "eval", "benchmark")
        found = {name: importlib.util.find_spec(name) is not None for name in names}
        subs = {name: importlib.util.find_spec("arabench." + name) is not None for name in found}
        print(json.dumps({"top": top, "bare": found, "namespaced": subs}))
        """
    )
    neutral = tmp_path / "neutral"
    neutral.mkdir()
    out = _run([str(python), "-c", probe], cwd=neutral)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert set(seen["top"]) - before == {"arabench", "arabench-0.1.0.dist-info"}
    assert seen["bare"] == {"annotations": False, "models": False, "eval": False, "benchmark": False}
    assert seen["namespaced"] == {"annotations": True, "models": True, "eval": True, "benchmark": True}
    assert (env_dir / "bin" / "arabench").is_file()


def test_a_users_own_models_and_eval_packages_do_not_shadow_arabench(tmp_path: Path) -> None:
    """Called from a project with its own ``models/`` and ``eval/``, the API gets arabench's; theirs stay theirs."""
    project = tmp_path / "project"
    for name in ("models", "eval", "annotations", "benchmark"):
        (project / name).mkdir(parents=True)
        (project / name / "__init__.py").write_text(f"OWNER = 'the user'\nNAME = {name!r}\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import models, eval as user_eval
        from arabench import benchmark
        from arabench.models.registry import create_model
        results = benchmark.run(["rules"], corpus={str(ROOT / "annotations" / "gold")!r},
                                out={str(tmp_path / "out")!r}, cache_dir={str(tmp_path / "cache")!r}, bootstrap=0)
        import arabench.models, arabench.eval
        assert models.OWNER == user_eval.OWNER == "the user", (models.__file__, user_eval.__file__)
        assert not hasattr(arabench.models, "OWNER") and not hasattr(arabench.eval, "OWNER")
        print(results.exit_status, results.models[0].status)
        """
    )
    out = _run([sys.executable, "-c", script], cwd=project)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["0", "scored"]
