"""Issue 12.5: the README's examples work exactly as written right after the demo, and the demo writes
nothing outside its folder.

The demo runs like `./scripts/demo --no-serve` (the real console script, in a fresh folder standing for
the repository root); then every line of the README's marked example block runs, in order, in bash.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
VENV_BIN = Path(sys.executable).parent


def readme_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- readme-examples -->\n```bash\n(.*?)```\n<!-- /readme-examples -->", text, re.S)
    assert block, "README.md lost its marked example block"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.mark.slow
def test_readme_examples_run_as_written_after_the_demo(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".venv").symlink_to(VENV_BIN.parent)  # the README's $PWD/.venv/bin
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAILMASK_")}
    demo = subprocess.run(
        [str(VENV_BIN / "trailmask"), "demo", "--no-serve", "--events", "2000"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert sorted(p.name for p in root.iterdir()) == [".venv", "trailmask-demo"], "the demo wrote outside its folder"
    printed = next(line.strip() for line in demo.stdout.splitlines() if line.strip().startswith("export PATH="))
    assert "TRAILMASK_DB=trailmask-demo/trailmask.duckdb" in printed
    script = "set -euo pipefail\n" + "\n".join(readme_lines()) + "\n"
    ran = subprocess.run(
        ["bash", "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert ran.returncode == 0, (ran.stdout[-2000:], ran.stderr[-2000:])
    assert "eventName" in ran.stdout  # sql
    assert re.search(r"verify: .*; 0 findings", ran.stdout)  # verify
    assert sorted(p.name for p in root.iterdir()) == [".venv", "trailmask-demo"], "a README command wrote outside"
