"""``make test-real``: the real-model path end to end, against the local model.

Builds (if needed) and starts SmolLM2-135M on a free port, runs the provider structure
tests (``tests/models/test_provider_local_model.py``), then executes every notebook with
``AGENTLAB_MODEL`` pointing at it (into a temporary copy: the notebooks in the tree are
untouched) and checks each real-model cell: it ran its real branch, raised nothing, and
showed no ``failed`` run. Stops the server whatever happens. Every step has a timeout.

    python3 scripts/test_real.py --python .venv/bin/python --venv .venv/local-model
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import local_model  # the script beside this one

ROOT = Path(__file__).resolve().parent.parent
REAL_CELL = 'REAL_MODEL = os.environ.get("AGENTLAB_MODEL")'
FAILED_MARKS = ("<Run failed", "status='failed'", "Traceback", "Error:")


def run(command: list[str], timeout_s: float, env: dict[str, str]) -> tuple[int, str]:
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, timeout=timeout_s, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout_s:g} s"
    return done.returncode, done.stdout[-4000:] + done.stderr[-4000:]


def real_cell_problems(executed: Path) -> list[str]:
    """What is wrong with the notebook's real-model cells (empty list: nothing)."""
    cells = json.loads(executed.read_text())["cells"]
    problems = []
    real = [c for c in cells if c["cell_type"] == "code" and REAL_CELL in "".join(c["source"])]
    if not real:
        return []
    for cell in real:
        texts = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"raised {out.get('ename')}: {out.get('evalue')}")
            texts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            texts.append("".join(data.get("text/plain", "")) + "".join(data.get("text/html", "")))
        shown = "\n".join(texts)
        if "offline; with AGENTLAB_MODEL" in shown:
            problems.append("ran its offline branch")
        problems += [f"shows {mark!r}" for mark in FAILED_MARKS if mark in shown]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=str(ROOT / ".venv/bin/python"))
    parser.add_argument("--venv", default=str(ROOT / ".venv/local-model"))
    parser.add_argument("--notebook-timeout", type=float, default=600)
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
            900,
            env,
        )
        print(out.strip().splitlines()[-1] if out.strip() else "(no output)", flush=True)
        if code != 0:
            failures.append(f"provider structure tests (exit {code}):\n{out}")
        notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
        for notebook in notebooks:
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
    out_file = work / notebook.name
    began = time.monotonic()
    code, out = run(
        [
            args.python,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--output",
            str(out_file),
            f"--ExecutePreprocessor.timeout={args.notebook_timeout:g}",
            "--ExecutePreprocessor.store_widget_state=False",
            str(notebook),
        ],
        args.notebook_timeout + 60,
        env,
    )
    took = time.monotonic() - began
    if code != 0:
        print(f"  {notebook.name}: FAILED in {took:.0f} s", flush=True)
        return [f"{notebook.name}: execution failed (exit {code}):\n{out[-2000:]}"]
    problems = real_cell_problems(out_file)
    print(f"  {notebook.name}: {'FAILED' if problems else 'ok'} in {took:.0f} s", flush=True)
    return [f"{notebook.name}: real-model cell {p}" for p in problems]


if __name__ == "__main__":
    raise SystemExit(main())
