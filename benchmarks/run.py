"""Run the benchmarks and write their results to benchmarks/results/*.md.

    .venv/bin/python benchmarks/run.py                     # everything (an hour or more here)
    .venv/bin/python benchmarks/run.py --quick             # smaller sizes, fewer repeats
    .venv/bin/python benchmarks/run.py --only latency      # one of: indexing latency memory ann lexical load
    .venv/bin/python benchmarks/run.py --quiet-below 1.5   # wait for a quiet machine before each

The first run embeds a few thousand Limerick chunks with the real model and builds the large
indexes (cached in .cache/bench, gitignored); later runs reuse them. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

BENCHMARKS = ("indexing", "latency", "memory", "ann", "lexical", "load")


def wait_for_quiet(limit: float, timeout: float = 1800.0) -> None:
    from common import say

    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        say(f"load average {os.getloadavg()[0]:.2f} >= {limit}; waiting")
        time.sleep(30)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the council papers search benchmarks.")
    ap.add_argument("--quick", action="store_true", help="smaller collections and fewer repeats")
    ap.add_argument("--only", action="append", choices=BENCHMARKS, metavar="NAME",
                    help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    ap.add_argument("--quiet-below", type=float, metavar="LOAD",
                    help="on a shared machine: before each benchmark, wait (up to 30 min) until the "
                         "1-minute load average is below LOAD")
    args = ap.parse_args(argv)
    # The model is local; make sure nothing reaches for a hub (also for `council serve` children).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    command = " ".join([".venv/bin/python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])

    from common import say

    failed = []
    for name in args.only or BENCHMARKS:
        say(f"== {name} ==")
        if args.quiet_below is not None:
            wait_for_quiet(args.quiet_below)
        t = time.perf_counter()
        module = importlib.import_module(name)
        try:
            module.run(args.quick, command)
        except Exception as exc:  # one broken benchmark should not lose the others' results
            failed.append(name)
            say(f"{name} failed: {type(exc).__name__}: {exc}")
            import traceback

            traceback.print_exc()
        say(f"{name}: {time.perf_counter() - t:.0f} s")
    if failed:
        say(f"failed: {', '.join(failed)}")
        return 1
    say("results written to benchmarks/results/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
