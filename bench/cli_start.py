"""CLI start-up: wall time of short trailmask commands against the bare interpreter.

Usage:
    .venv/bin/python bench/cli_start.py [--runs 15]

Runs, in the same process, each command ``--runs`` times as a fresh subprocess and reports the median wall
time, and the median of ``python -c pass`` (what any Python CLI pays) and ``python -c "import duckdb"`` (what
any command that touches the store pays) as baselines. Commands: ``--version``, ``--help``, and a one-row
``sql --as admin`` on a tiny store made in a temporary folder. Not a test; the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
CLI = [str(Path(PY).with_name("trailmask"))]  # the installed console script, as a user runs it


def _median(cmd: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        events = cwd / "one.json"
        events.write_text(
            '{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-01T00:00:00Z","eventSource":"s3.amazonaws.com",'
            '"eventName":"ListBuckets","awsRegion":"us-east-1","eventID":"e1","recipientAccountId":"111122223333"}]}'
        )
        subprocess.run([*CLI, "--db", "s.duckdb", "ingest", str(events)], cwd=cwd, check=True, capture_output=True)
        baselines = {
            "python -c pass": [PY, "-c", "pass"],
            "python -c 'import duckdb'": [PY, "-c", "import duckdb"],
        }
        commands = {
            "trailmask --version": [*CLI, "--version"],
            "trailmask --help": [*CLI, "--help"],
            "trailmask sql --as admin 'SELECT 1'": [*CLI, "--db", "s.duckdb", "sql", "--as", "admin", "SELECT 1 AS x"],
        }
        base = {name: _median(cmd, args.runs, cwd) for name, cmd in baselines.items()}
        print(f"{'command':45} {'median s':>9} {'- python':>9} {'x python':>9}")
        for name, seconds in base.items():
            print(f"{name:45} {seconds:9.3f}")
        for name, cmd in commands.items():
            seconds = _median(cmd, args.runs, cwd)
            over = seconds - base["python -c pass"]
            print(f"{name:45} {seconds:9.3f} {over:9.3f} {seconds / base['python -c pass']:9.1f}")


if __name__ == "__main__":
    main()
