"""Run the `cercle` console script as an operator would, in a scratch var/ folder."""

from __future__ import annotations

import os
import shutil
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
    *args: str, env: dict[str, str], timeout: float = 300
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


def migrated_operator_env(template: Path, var_dir: Path, **overrides: str) -> dict[str, str]:
    """`operator_env` with the embedded database already migrated: a copy of
    `template` (the `migrated_sqlite` fixture), which one `cercle migrate` made once per
    test process. Applying Cercle's and its libraries' 140 migrations takes half a
    minute; the tests that start from a migrated database need not pay it each time.
    `make run`'s own steps stay covered by the test that runs them in order
    (tests/test_serve.py)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, var_dir / template.name)
    return operator_env(var_dir, **overrides)
