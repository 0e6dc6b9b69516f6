"""Command line: ``python -m agentlab demo`` (offline demo) and other subcommands."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentlab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the offline demo and print its trace")
    show = commands.add_parser("show", help="print a saved trace (JSONL) as a span tree")
    show.add_argument("trace", help="path of a trace saved with trace.save(path)")
    view = commands.add_parser("view", help="write a saved trace as an offline HTML viewer")
    view.add_argument("trace", help="path of a trace saved with trace.save(path)")
    view.add_argument("-o", "--output", help="HTML file to write (default: the trace's name .html)")
    doctor = commands.add_parser(
        "doctor", help="check this machine is ready for the notebooks (exit 0 when ready)"
    )
    doctor.add_argument("--timeout", type=float, default=20.0, help="seconds for the model call")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from agentlab.teaching.doctor import main as run_doctor

        return run_doctor(timeout_s=args.timeout)
    if args.command == "demo":
        from agentlab.teaching.demo import main as demo

        return demo()
    if args.command == "show":
        from agentlab.trace import Trace

        try:
            trace = Trace.load(args.trace)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            _fail(show, exc)
        if not trace.spans:
            _fail(
                show, f"{args.trace} holds no spans; save a run's trace with run.trace.save(path)"
            )
        print(trace.pretty())
        return 0
    if args.command == "view":
        from agentlab.views.page import write_view

        try:
            print(f"wrote {write_view(args.trace, args.output)}")
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            _fail(view, exc)
        return 0
    return 2  # pragma: no cover - argparse rejects unknown commands


def _fail(command: argparse.ArgumentParser, problem: BaseException | str) -> NoReturn:
    """Say what is wrong in one line on stderr (with the usage), and exit with status 2."""
    if isinstance(problem, MemoryError | RecursionError):
        problem = f"{type(problem).__name__}: the file is too large or too deeply nested to read"
    text = " ".join(str(problem).split()) or type(problem).__name__
    usage = " ".join(command.format_usage().split())
    print(f"{command.prog}: error: {text} ({usage})", file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    sys.exit(main())
