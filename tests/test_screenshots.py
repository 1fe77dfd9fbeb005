"""`make screenshots` (scripts/screenshots.py): the script explains itself, refuses what
it does not know, and builds its demo site apart from the database of `make run`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "screenshots.py"


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def test_the_screenshots_script_explains_what_it_does() -> None:
    result = run_script("--help")
    assert result.returncode == 0, result.stderr
    assert "var/screenshots" in result.stdout
    for option in ("--port", "--languages", "--widths", "--pages", "--reuse-site"):
        assert option in result.stdout


def test_the_screenshots_script_refuses_an_unknown_page_before_doing_anything(
    tmp_path: Path,
) -> None:
    result = run_script("--pages", "homepage", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "homepage" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_screenshots_site_never_uses_the_callers_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://cercle@db.example/production")
    monkeypatch.setenv("CERCLE_VAR_DIR", "/srv/cercle/var")
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    screenshots = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "screenshots", screenshots)  # for its dataclasses
    spec.loader.exec_module(screenshots)
    env = screenshots.site_environment(tmp_path / "site")
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'site' / 'cercle.sqlite3'}"
    assert env["CERCLE_VAR_DIR"] == str(tmp_path / "site")


def test_make_screenshots_runs_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "screenshots: setup system-deps" in makefile
    assert "scripts/screenshots.py" in makefile
