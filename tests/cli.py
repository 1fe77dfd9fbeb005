"""Run the `cercle` console script as an operator would, in a scratch var/ folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CERCLE = [sys.executable, "-m", "cercle"]
PROJECT_DIR = Path(__file__).resolve().parent.parent


def operator_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """A clean environment: embedded SQLite in `var_dir`, no test settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CERCLE_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["CERCLE_VAR_DIR"] = str(var_dir)
    env.update(overrides)
    return env


def run_cercle(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERCLE, *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
