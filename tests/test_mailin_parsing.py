"""Reading received messages (cercle/mailin/parsing.py) against a corpus of real-world
shapes (tests/fixtures/mail/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cercle.mailin.parsing import parse

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
REPLIES = sorted((FIXTURES / "replies").glob("*.eml"))


def _fixture(group: str, name: str) -> bytes:
    return (FIXTURES / group / f"{name}.eml").read_bytes()


# --- The corpus of replies --------------------------------------------------------------


def test_the_corpus_holds_at_least_thirty_six_replies_each_with_its_expected_text() -> None:
    assert len(REPLIES) >= 36
    for path in REPLIES:
        assert path.with_suffix(".expected.md").exists(), path.name


@pytest.mark.parametrize("path", REPLIES, ids=[path.stem for path in REPLIES])
def test_each_reply_of_the_corpus_keeps_exactly_the_new_words(path: Path) -> None:
    expected = path.with_suffix(".expected.md").read_text(encoding="utf-8").rstrip("\n")

    parsed = parse(path.read_bytes())

    assert parsed.body == expected
    assert not parsed.auto_submitted
    assert not parsed.is_report
    assert parsed.from_address
    assert parsed.from_address == parsed.from_address.lower()
