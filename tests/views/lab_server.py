"""What the browser tests share: the Chromium check and a JupyterLab server on a free
port, started in a folder of the test's own and stopped when the test module ends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def require_chromium() -> str:
    """Chromium's path; without it the test skips (fails with AGENTLAB_REQUIRE_BROWSER=1)."""
    executable = shutil.which("chromium")
    if executable is None:
        reason = "needs Chromium: apt-get install -y chromium (then `chromium` is on PATH)"
        if os.environ.get("AGENTLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"AGENTLAB_REQUIRE_BROWSER=1 but no browser: {reason}")
        pytest.skip(reason)
    return executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def jupyterlab(root: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A JupyterLab serving ``root`` with no token; yields its URL once it answers."""
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [str(jupyter), "lab", "--allow-root", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
         "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}",
         f"--LabApp.workspaces_dir={root / '.ws'}", f"--LabApp.user_settings_dir={root / '.us'}"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not start within 60 s")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
