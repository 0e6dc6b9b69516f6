"""``make test-real``: the real-model path end to end, against the local model.

Builds (if needed) and starts SmolLM2-135M on a free port, runs the provider structure
tests (``tests/models/test_provider_local_model.py``), then executes every notebook with
``AGENTLAB_MODEL`` pointing at it (into a temporary copy: the notebooks in the tree are
untouched) and checks each real-model cell (``run_real_cells.py``): it ran its real
branch, raised nothing, and made no ``failed`` run. Stops the server whatever happens; every step
has a timeout.

    python3 scripts/test_real.py --python .venv/bin/python --venv .venv/local-model
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import local_model  # the script beside this one

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], timeout_s: float, env: dict[str, str]) -> tuple[int, str]:
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, timeout=timeout_s, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout_s:g} s"
    return done.returncode, done.stdout[-4000:] + done.stderr[-4000:]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=str(ROOT / ".venv/bin/python"))
    parser.add_argument("--venv", default=str(ROOT / ".venv/local-model"))
    parser.add_argument("--cell-timeout", type=float, default=300, help="seconds per cell")
    parser.add_argument("--deadline", type=float, default=25, help="minutes for everything")
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/*.ipynb")
    args = parser.parse_args()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="agentlab-test-real-"))
    pid_file, url_file = work / "server.pid", work / "server.url"
    local_model.main(
        [
            "--venv",
            args.venv,
            "--port",
            "0",
            "--detach",
            "--pid-file",
            str(pid_file),
            "--url-file",
            str(url_file),
            "--log",
            str(work / "server.log"),
        ]
    )
    failures: list[str] = []
    try:
        url = url_file.read_text()
        env = {
            k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")
        }
        env |= {
            "AGENTLAB_LOCAL_MODEL_URL": url,
            "PYTHONPATH": str(ROOT),
            "AGENTLAB_MODEL": f"openai:smollm2@{url}",
            "AGENTLAB_CASSETTE_MODE": "replay",
        }
        code, out = run(
            [
                args.python,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/models/test_provider_local_model.py",
            ],
            600,
            env,
        )
        print(out.strip().splitlines()[-1] if out.strip() else "(no output)", flush=True)
        if code != 0:
            print(out, flush=True)  # at once: the notebooks take a while
            failures.append(f"provider structure tests (exit {code}):\n{out}")
        notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
        for notebook in notebooks:
            if time.monotonic() - started > args.deadline * 60:
                failures.append(
                    f"{Path(notebook).name}: not run, past the {args.deadline:g} min deadline"
                )
                continue
            failures += check_notebook(Path(notebook), work, env, args)
    finally:
        local_model.main(["--stop", str(pid_file)])
    minutes = (time.monotonic() - started) / 60
    for failure in failures:
        print(f"FAILED {failure}")
    print(f"test-real: {len(failures)} failed, in {minutes:.1f} min")
    return 1 if failures else 0


def check_notebook(
    notebook: Path, work: Path, env: dict[str, str], args: argparse.Namespace
) -> list[str]:
    """Execute a copy with its real-model cells checked (``run_real_cells.py``)."""
    runner = Path(__file__).parent / "run_real_cells.py"
    out_file = work / notebook.name
    began = time.monotonic()
    command = [args.python, str(runner), str(notebook), str(out_file),
               "--timeout", f"{args.cell_timeout:g}"]  # fmt: skip
    code, out = run(command, args.cell_timeout * 3, env)
    took = time.monotonic() - began
    print(f"  {notebook.name}: {'FAILED' if code else 'ok'} in {took:.0f} s", flush=True)
    if not code:  # what each real run did (not the kernel's own warnings)
        print(
            "\n".join(ln for ln in out.splitlines() if not ln.startswith("[IPKernel")), flush=True
        )
    return [f"{notebook.name} (exit {code}):\n{out[-2500:]}"] if code else []


if __name__ == "__main__":
    raise SystemExit(main())
