"""The docs stay true: every setting the code reads is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_read_by_cercle_is_documented() -> None:
    code = "\n".join(p.read_text() for p in (ROOT / "cercle").rglob("*.py"))
    read = set(re.findall(r"""env_\w+\(\s*["']([A-Z_]+)["']""", code))
    read |= {"CERCLE_SECRET_KEY", "DATABASE_URL"}
    assert len(read) > 25
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert missing == [], f"add these to docs/configuration.md: {missing}"


def test_the_readme_shows_the_two_commands_and_only_real_make_targets() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    mentioned = set(re.findall(r"`make ([a-z-]+)", readme))
    assert mentioned <= targets, mentioned - targets
