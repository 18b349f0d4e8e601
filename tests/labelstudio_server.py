"""A real Label Studio server for the tests: started on 127.0.0.1 in a temporary directory, always stopped.

Located by ``$ARABENCH_LABEL_STUDIO`` (the path of the ``label-studio`` executable, e.g. of a virtual
environment of its own, since its pinned dependencies clash with arabench's) or ``label-studio`` on the
PATH. The user and its API token are created non-interactively (``--username``/``--password``/
``--user-token``, legacy tokens enabled); telemetry, Sentry and the PyPI version check are off; ``HOME``
points into the temporary directory so nothing is written elsewhere. Only HTTP to 127.0.0.1, with bounded
timeouts.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

#: Seconds to wait for the first start (it creates and migrates its database: about two minutes here).
START_TIMEOUT = 420.0
#: Seconds of one API call.
CALL_TIMEOUT = 60.0
USER = "annotator@example.org"
PASSWORD = "arabench-test-password"  # a throw-away user of a throw-away server on 127.0.0.1
TOKEN = "arabenchtesttoken0123456789abcdef"


def find_label_studio() -> str | None:
    """The ``label-studio`` executable: ``$ARABENCH_LABEL_STUDIO``, else on the PATH, else None."""
    given = os.environ.get("ARABENCH_LABEL_STUDIO")
    if given:
        return given if Path(given).is_file() and os.access(given, os.X_OK) else None
    return shutil.which("label-studio")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server: its base URL, an authenticated client, its log file."""

    url: str
    client: httpx.Client
    log: Path

    def tail(self, n: int = 40) -> str:
        """The last lines of the server's log (for a failure message)."""
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return ""


@contextmanager
def label_studio_server(executable: str, root: Path) -> Iterator[Server]:
    """Start Label Studio on a free port of 127.0.0.1 with its data under ``root``; stop it on exit."""
    port = _free_port()
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "COLLECT_ANALYTICS": "false",
        "LATEST_VERSION_CHECK": "false",
        "LABEL_STUDIO_BASE_DATA_DIR": str(root / "data"),
        "LANG": "C.UTF-8",
        "TMPDIR": str(root / "tmp"),
    }
    (root / "tmp").mkdir(exist_ok=True)
    if os.environ.get("PYENV_ROOT"):  # a pyenv shim on the PATH finds its root through it
        env["PYENV_ROOT"] = os.environ["PYENV_ROOT"]
    url = f"http://127.0.0.1:{port}"
    command = [
        executable,
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--host",
        url,
        "--data-dir",
        str(root / "data"),
        "--username",
        USER,
        "--password",
        PASSWORD,
        "--user-token",
        TOKEN,
        "--enable-legacy-api-token",
    ]
    log = root / "label-studio.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    client = httpx.Client(
        base_url=url, headers={"Authorization": f"Token {TOKEN}"}, timeout=CALL_TIMEOUT, trust_env=False
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"label-studio exited with {process.returncode}:\n{Server(url, client, log).tail()}")
            try:
                if client.get("/api/projects", timeout=5.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"label-studio did not answer in {START_TIMEOUT:.0f} s")
            time.sleep(2.0)
        yield Server(url, client, log)
    finally:
        client.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
