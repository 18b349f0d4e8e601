"""Shared test setup: no test may reach a model hub, and no test writes outside temporary directories.

Every place a test run could write to (arabench's cache, Hugging Face's, CAMeL Tools' data folder, the
home directory itself, which ``camel_tools`` and Chromium write into, Hypothesis' example database) is
pointed into one temporary folder made at start-up and removed at the end, so the suite leaves nothing in
the user's home or in ``$TMPDIR``, from whichever directory it is started.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

#: The one folder this test session may write to outside pytest's own ``tmp_path``.
SESSION_ROOT = Path(tempfile.mkdtemp(prefix="arabench-tests-"))
if "PYENV_ROOT" not in os.environ and (Path.home() / ".pyenv").is_dir():
    os.environ["PYENV_ROOT"] = str(Path.home() / ".pyenv")  # pyenv's shims find their root through $HOME
os.environ["HOME"] = str(SESSION_ROOT / "home")
(SESSION_ROOT / "home").mkdir()
os.environ["XDG_CONFIG_HOME"] = str(SESSION_ROOT / "xdg-config")
os.environ["ARABENCH_CACHE"] = str(SESSION_ROOT / "arabench-cache")
os.environ["HF_HOME"] = str(SESSION_ROOT / "hf-home")
os.environ["HF_DATASETS_CACHE"] = str(SESSION_ROOT / "hf-datasets")
os.environ["XDG_CACHE_HOME"] = str(SESSION_ROOT / "xdg-cache")
if "CAMELTOOLS_DATA" not in os.environ:
    # camel_tools.ner reads catalogue.json on import; offline tests give it an empty catalogue
    _camel = SESSION_ROOT / "camel-data"
    _camel.mkdir()
    (_camel / "catalogue.json").write_text(json.dumps({"version": "1.6", "packages": {}, "components": {}}))
    os.environ["CAMELTOOLS_DATA"] = str(_camel)

settings.register_profile("arabench", database=DirectoryBasedExampleDatabase(str(SESSION_ROOT / "hypothesis")))
settings.load_profile("arabench")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(SESSION_ROOT, ignore_errors=True)
