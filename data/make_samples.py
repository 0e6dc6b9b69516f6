"""Write the sample traces in data/traces/ (run: .venv/bin/python data/make_samples.py).

They are SIMULATIONS: the model replies are scripted (agentlab.teaching.demo), tokens are
estimated and priced as openai:gpt-4o-mini. They show the trace format and let
notebooks load a trace from disk; they are not recordings of any real model.
"""

from __future__ import annotations

from pathlib import Path

from agentlab.teaching.demo import support_agent

HERE = Path(__file__).parent / "traces"


def main() -> None:
    HERE.mkdir(exist_ok=True)
    run = support_agent().run_sync("Where is order 42? I think I was charged twice.")
    run.trace.save(HERE / "tour_support.jsonl")
    print("wrote", HERE / "tour_support.jsonl", run.status)


if __name__ == "__main__":
    main()
