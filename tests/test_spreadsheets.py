"""CSV exports are safe to open in a spreadsheet: a cell a spreadsheet would run as a
formula is written as text (probe finding 10d, OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from cercle import spreadsheets
from cercle.accounts.models import User
from cercle.analytics import counting
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from tests.communities import client_for, community, join
from tests.conftest import make_person

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1", '=HYPERLINK("x")']


def read_back(rows: list[list[object]]) -> list[list[str]]:
    stream = io.StringIO()
    spreadsheets.writer(stream).writerows(rows)
    return list(csv.reader(io.StringIO(stream.getvalue(), newline="")))


def test_cells_a_spreadsheet_would_run_are_written_as_text() -> None:
    rows = read_back([[value, 3] for value in FORMULAS])
    assert rows == [["'" + value, "3"] for value in FORMULAS]


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    plain = ["-84.6%", "+12%", "-3,2\u00a0%", "-7", "1 234", "Tyre pressure", "a=b", "", "\u2013"]
    assert read_back([[*plain, -5, 2.5]]) == [[*plain, "-5", "2.5"]]


def test_no_module_writes_csv_but_through_the_safe_writer() -> None:
    source = Path(spreadsheets.__file__).parent
    writers = re.compile(r"csv\.(writer|DictWriter)\(|from csv import")
    offenders = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if path.name != "spreadsheets.py" and writers.search(path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_cockpit_csv_escapes_titles_and_names(coordinator: User) -> None:
    where = community(coordinator, slug="sheets")
    author = make_person("eve@example.org", '=HYPERLINK("http://evil.example","Eve")')
    join(author, where)
    space = where.spaces.get(is_default=True)
    titles = ["=1+1 wheels", "+1+1 wheels", "-1+1 wheels", "@SUM(1) wheels", "-12"]
    for title in titles:
        talk.do_start_topic(author, space, kind=Kind.DISCUSSION, title=title, body="Body.")
    counting.fill()
    client = client_for(coordinator)

    def cells(table: str) -> list[list[str]]:
        response = client.get(reverse("analytics:csv", args=["sheets", table]))
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))

    topics = {row[0] for row in cells("engagement")[1:]}
    assert topics == {"'=1+1 wheels", "'+1+1 wheels", "'-1+1 wheels", "'@SUM(1) wheels", "-12"}
    names = [row[0] for row in cells("contributors")[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example","Eve")']
