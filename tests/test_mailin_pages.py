"""The mail pages: a community's mail settings (which spaces take new topics by email)
and the staff's received-mail log with each message read safely; who reaches them, what
they write, the queries they run, and what the log keeps over time."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind
from cercle.errors import ActionRefused
from cercle.mail.addresses import reply_address, space_address
from cercle.mailin import queries, receiving
from cercle.mailin.models import Outcome, ReceivedMail, SpaceMailbox, Transport
from cercle.mailin.retention import forget_old_mail
from cercle.mailin.settings_actions import do_set_space_mailbox
from cercle.mailin.staff_actions import do_try_again
from cercle.mailin.tones import TONES, tone
from cercle.membership import actions as community_actions
from tests.api import api_get, make_token
from tests.communities import client_for, community, join, staff_person

pytestmark = pytest.mark.django_db

MAILBOX = "cercle@mail.example.org"


@pytest.fixture(autouse=True)
def _mail_in(settings: Any) -> None:
    settings.MAIL_IN_ADDRESS = MAILBOX


@pytest.fixture
def operator(db: None) -> User:
    return staff_person()


@pytest.fixture
def other_coordinator(charlie: User) -> User:
    """Charlie coordinates a community of his own, not cargo."""
    community(charlie, slug="other")
    return charlie


def settings_url(slug: str = "cargo") -> str:
    return reverse("mailin:settings", kwargs={"slug": slug})


def space_form(space: Space, *, enabled: bool, kind: str) -> dict[str, str]:
    values = {"space": str(space.pk), f"space-{space.pk}-kind": kind}
    if enabled:
        values[f"space-{space.pk}-enabled"] = "on"
    return values


def message(
    *,
    sender: str = "alice@example.org",
    to: str = "cercle+cargo.general@mail.example.org",
    subject: str = "Brakes in the rain",
    text: str | None = "Which pads hold best?",
    html: str | None = None,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Alice Martin <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = "Mon, 07 Dec 2026 10:00:00 +0100"
    mail["Message-ID"] = "<m1@example.org>"
    if text is not None:
        mail.set_content(text)
    if html is not None:
        if text is None:
            mail.set_content(html, subtype="html")
        else:
            mail.add_alternative(html, subtype="html")
    return mail.as_bytes()


def received(
    outcome: str = Outcome.POSTED, *, days_ago: float = 0, raw: bytes | None = None, **fields: Any
) -> ReceivedMail:
    """A message stored as the receivers store it, then given `outcome`, `days_ago`."""
    (row,) = receiving.store(
        raw if raw is not None else message(),
        transport=Transport.SMTP,
        envelope_from="alice@example.org",
        recipients=[fields.pop("recipient", "cercle+cargo.general@mail.example.org")],
    )
    ReceivedMail.objects.filter(pk=row.pk).update(
        outcome=outcome, received_at=timezone.now() - timedelta(days=days_ago), **fields
    )
    row.refresh_from_db()
    return row


# --- Who reaches the pages ----------------------------------------------------------------------


def test_only_those_who_manage_the_community_reach_its_mail_settings(
    cargo: Community,
    coordinator: User,
    alice: User,
    moderator: User,
    other_coordinator: User,
    operator: User,
) -> None:
    join(moderator, cargo, "moderator")
    general = cargo.spaces.get(is_default=True)
    anonymous = client_for(None).get(settings_url())
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    for person in (alice, moderator, other_coordinator):
        client = client_for(person)
        assert client.get(settings_url()).status_code == 403, person
        posted = client.post(settings_url(), space_form(general, enabled=True, kind=Kind.QUESTION))
        assert posted.status_code == 403, person
    assert client_for(coordinator).get(settings_url()).status_code == 200
    # Staff rescue a community whose coordinators left, as on its other settings pages.
    assert client_for(operator).get(settings_url()).status_code == 200
    assert client_for(other_coordinator).get(settings_url("other")).status_code == 200
    assert not SpaceMailbox.objects.exists()
    with pytest.raises(ActionRefused):
        do_set_space_mailbox(alice, general, True, Kind.DISCUSSION)
    assert not SpaceMailbox.objects.exists()


def test_a_private_community_is_not_found_by_those_outside_it(
    charlie: User, coordinator: User
) -> None:
    community(coordinator, slug="hidden", visibility="members", entry="invitation")
    assert client_for(charlie).get(settings_url("hidden")).status_code == 404
    assert client_for(coordinator).get(settings_url("hidden")).status_code == 200


def test_only_staff_reach_the_received_mail_log(
    cargo: Community, coordinator: User, alice: User, operator: User
) -> None:
    row = received(Outcome.FAILED)
    pages = [
        reverse("mailin:log"),
        reverse("mailin:received", kwargs={"pk": row.pk}),
    ]
    for url in pages:
        anonymous = client_for(None).get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("account_login"))
        for person in (alice, coordinator):
            assert client_for(person).get(url).status_code == 403, (url, person)
        assert client_for(operator).get(url).status_code == 200
    retry = reverse("mailin:try_again", kwargs={"pk": row.pk})
    assert client_for(coordinator).post(retry).status_code == 403
    with pytest.raises(ActionRefused):
        do_try_again(coordinator, row)
    row.refresh_from_db()
    assert row.outcome == Outcome.FAILED
    assert client_for(operator).get(reverse("mailin:received", kwargs={"pk": 999})).status_code == (
        404
    )


def test_the_pages_are_linked_from_the_community_head_and_the_staff_tools(
    cargo: Community, coordinator: User, alice: User, operator: User
) -> None:
    manage = reverse("community_manage", kwargs={"slug": "cargo"})
    assert f'href="{settings_url()}"' in client_for(coordinator).get(manage).content.decode()
    landing = client_for(alice).get(cargo.get_absolute_url()).content.decode()
    assert f'href="{settings_url()}"' not in landing
    tools = client_for(operator).get(reverse("staff_tools")).content.decode()
    assert f'href="{reverse("mailin:log")}"' in tools


# --- The community's mail settings --------------------------------------------------------------


def test_the_settings_list_every_space_with_its_address_private_ones_too(
    cargo: Community, coordinator: User, lab: Space
) -> None:
    page = client_for(coordinator).get(settings_url()).content.decode()
    assert "Members reply by email to the notifications they receive" in page
    assert f'<code class="mail-address">{space_address("cargo", "general")}</code>' in page
    assert f'<code class="mail-address">{space_address("cargo", "lab")}</code>' in page
    assert "cercle+cargo.lab@mail.example.org" in page
    assert "A private space: only the people listed in it who may post" in page
    assert page.count("Takes no email") == 2
    assert "Mail in is off" not in page


def test_with_mail_in_off_the_page_says_so_and_shows_no_address(
    cargo: Community, coordinator: User, settings: Any
) -> None:
    settings.MAIL_IN_ADDRESS = ""
    page = client_for(coordinator).get(settings_url()).content.decode()
    assert "Mail in is off on this instance." in page
    assert "The instance\u2019s staff turn it on" in page
    assert "No address while mail in is off." in page
    assert "mail-address" not in page


def test_a_coordinator_opens_a_space_to_questions_by_email_then_closes_it(
    cargo: Community, coordinator: User, general: Space
) -> None:
    client = client_for(coordinator)
    response = client.post(
        settings_url(), space_form(general, enabled=True, kind=Kind.QUESTION), follow=True
    )
    assert response.redirect_chain == [(settings_url(), 302)]
    page = response.content.decode()
    assert "“General” takes new topics by email: each message asks a question." in page
    mailbox = SpaceMailbox.objects.get(space=general)
    assert (mailbox.enabled, mailbox.kind, mailbox.updated_by) == (True, "question", coordinator)
    assert "Takes email" in page
    assert "Changed by Claire Coord" in page
    assert ActivityEvent.objects.filter(
        verb=verbs.SPACE_UPDATED.name, object_id=general.pk, actor=coordinator
    ).exists()
    # The form shows what is saved.
    assert '<option value="question" selected>' in page

    page = client.post(
        settings_url(), space_form(general, enabled=False, kind=Kind.QUESTION), follow=True
    ).content.decode()
    assert "“General” takes no email: messages to its address are refused." in page
    mailbox.refresh_from_db()
    assert (mailbox.enabled, mailbox.kind) == (False, "question")
    assert SpaceMailbox.objects.count() == 1


def test_saving_the_same_setting_again_writes_nothing_new(
    cargo: Community, coordinator: User, general: Space
) -> None:
    first = do_set_space_mailbox(coordinator, general, True, Kind.DISCUSSION)
    events = ActivityEvent.objects.count()
    again = do_set_space_mailbox(coordinator, general, True, Kind.DISCUSSION)
    assert again.pk == first.pk
    assert again.updated_at == first.updated_at
    assert ActivityEvent.objects.count() == events


@pytest.mark.parametrize("kind", ["poll", "", "<script>"])
def test_a_bad_kind_is_refused_with_an_error_and_nothing_is_written(
    cargo: Community, coordinator: User, general: Space, kind: str
) -> None:
    response = client_for(coordinator).post(
        settings_url(), space_form(general, enabled=True, kind=kind)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved: please correct what is marked below." in page
    assert "Choose what a message starts: a discussion, a question or an announcement." in page
    assert 'aria-invalid="true"' in page
    # What was typed is kept: the box stays ticked.
    assert re.search(
        rf'<input type="checkbox"[^>]* id="id_space-{general.pk}-enabled" checked', page
    )
    assert not SpaceMailbox.objects.exists()
    with pytest.raises(ActionRefused, match="Choose what a message starts"):
        do_set_space_mailbox(coordinator, general, True, kind)
    assert not SpaceMailbox.objects.exists()


def test_a_space_of_another_community_is_not_found(
    cargo: Community, coordinator: User, charlie: User
) -> None:
    elsewhere = community(charlie, slug="other").spaces.get(is_default=True)
    response = client_for(coordinator).post(
        settings_url(), space_form(elsewhere, enabled=True, kind=Kind.DISCUSSION)
    )
    assert response.status_code == 404
    assert not SpaceMailbox.objects.exists()


def test_the_settings_page_runs_the_same_queries_for_two_spaces_or_twelve(
    cargo: Community, coordinator: User
) -> None:
    client = client_for(coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(settings_url()).status_code == 200
        return len(captured)

    community_actions.do_create_space(coordinator, cargo, name="Lab 0")
    few = count()
    for number in range(1, 11):
        space = community_actions.do_create_space(coordinator, cargo, name=f"Lab {number}")
        do_set_space_mailbox(coordinator, space, True, Kind.QUESTION)
    assert count() == few
    assert few <= 16


# --- The received-mail log ----------------------------------------------------------------------


def test_the_log_shows_the_newest_first_with_outcome_person_and_topic(
    cargo: Community, alice: User, general: Space, operator: User
) -> None:
    topic = conversation_actions.do_start_topic(
        alice, general, kind=Kind.QUESTION, title="Which pads?", body="For rain."
    )
    reply = conversation_actions.do_reply(alice, topic, body="Sintered ones.")
    received(
        Outcome.REFUSED_PERMISSION,
        days_ago=2,
        subject="Old refusal",
        reason="Alice may not post there.",
    )
    received(Outcome.POSTED, days_ago=1, subject="Re: Which pads?", person=alice, post=reply)
    received(Outcome.TOPIC_STARTED, subject="Which pads?", person=alice, topic=topic)
    page = client_for(operator).get(reverse("mailin:log")).content.decode()
    assert page.index("Which pads?</a>") < page.index("Re: Which pads?") < page.index("Old refusal")
    assert '<span class="badge badge--success">Posted as a reply</span>' in page
    assert '<span class="badge badge--success">Started a topic</span>' in page
    assert '<span class="badge badge--warning">Refused: not allowed</span>' in page
    assert f'href="{reply.get_absolute_url()}"' in page
    assert "Reply in “Which pads?”" in page
    assert f'href="{topic.get_absolute_url()}"' in page
    assert f'href="{reverse("profile", kwargs={"handle": alice.handle})}"' in page


def test_the_log_counts_each_outcome_of_the_last_seven_days(operator: User) -> None:
    for _ in range(3):
        received(Outcome.POSTED, days_ago=1)
    received(Outcome.FAILED, days_ago=6)
    received(Outcome.REFUSED_RATE, days_ago=8)  # too old to count
    counts = {item.outcome: item.count for item in queries.recent_counts()}
    assert counts == {Outcome.POSTED: 3, Outcome.FAILED: 1}
    page = client_for(operator).get(reverse("mailin:log")).content.decode()
    assert "The last 7 days" in page
    assert (
        '<a class="mail-count" href="?outcome=posted"><span class="badge badge--success">'
        'Posted as a reply</span> <strong class="mail-count__number">3</strong></a>'
    ) in page
    assert '<span class="badge badge--danger">Failed: will be tried again</span>' in page


def test_the_log_filters_by_outcome_and_searches_sender_and_subject(operator: User) -> None:
    received(Outcome.POSTED, subject="Spring ride", from_address="bob@example.org")
    received(Outcome.REFUSED_DMARC, subject="Cheap watches", from_address="spam@bad.example")
    received(Outcome.FAILED, subject="Lost brakes", from_address="alice@example.org")
    client = client_for(operator)

    def subjects(**query: str) -> list[str]:
        response = client.get(reverse("mailin:log"), query)
        assert response.status_code == 200
        return sorted(row.subject for row in response.context["page"].object_list)

    assert subjects() == ["Cheap watches", "Lost brakes", "Spring ride"]
    assert subjects(outcome="refused_dmarc") == ["Cheap watches"]
    assert subjects(q="BAD.example") == ["Cheap watches"]
    assert subjects(q="brakes") == ["Lost brakes"]
    assert subjects(q="example.org", outcome="posted") == ["Spring ride"]
    assert subjects(q="nothing like it") == []
    assert (
        "Nothing matches these filters"
        in client.get(reverse("mailin:log"), {"q": "zzz"}).content.decode()
    )
    # An outcome that does not exist is an error on the form, and the whole log shows.
    page = client.get(reverse("mailin:log"), {"outcome": "nope"})
    assert "Select a valid choice" in page.content.decode()
    assert len(page.context["page"].object_list) == 3


def test_the_log_shows_fifty_messages_a_page(operator: User) -> None:
    for number in range(60):
        received(Outcome.POSTED, subject=f"Message {number:02}", days_ago=number / 100)
    client = client_for(operator)
    first = client.get(reverse("mailin:log"))
    assert [row.subject for row in first.context["page"].object_list][:2] == [
        "Message 00",
        "Message 01",
    ]
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("mailin:log"), {"page": "2", "outcome": "posted"})
    assert len(second.context["page"].object_list) == 10
    assert 'href="?outcome=posted&amp;page=1"' in second.content.decode()


@pytest.fixture
def topic_and_reply(cargo: Community, alice: User, general: Space) -> tuple[Any, Any]:
    topic = conversation_actions.do_start_topic(
        alice, general, kind=Kind.QUESTION, title="Which pads?", body="For rain."
    )
    return topic, conversation_actions.do_reply(alice, topic, body="Sintered ones.")


def test_the_log_runs_the_same_queries_for_ten_messages_or_sixty(
    operator: User, alice: User, topic_and_reply: tuple[Any, Any]
) -> None:
    topic, reply = topic_and_reply
    client = client_for(operator)

    def add(count: int) -> None:
        for number in range(count):
            if number % 2:
                received(Outcome.POSTED, person=alice, topic=topic, post=reply)
            else:
                received(Outcome.TOPIC_STARTED, person=alice, topic=topic)

    def run() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("mailin:log"))
            assert response.status_code == 200
        return len(captured)

    add(10)
    ten = run()
    add(50)
    assert run() == ten
    assert ten <= 12


# --- One message ---------------------------------------------------------------------------------


HOSTILE = '<p>Hello</p><script>alert("owned")</script><img src=x onerror="alert(2)">'


def test_the_detail_shows_every_field_the_headers_and_the_text_escaped(
    operator: User, alice: User
) -> None:
    raw = message(
        subject='<script>alert("subject")</script>',
        text='Plain words <script>alert("text")</script>',
        html=HOSTILE,
    )
    row = received(
        Outcome.REFUSED_SENDER,
        raw=raw,
        person=alice,
        reason="The sender does not own the address.",
        attempts=1,
    )
    page = client_for(operator).get(reverse("mailin:received", kwargs={"pk": row.pk})).content
    text = page.decode()
    assert "<script>alert" not in text
    assert "onerror=" not in text.replace("onerror=&quot;", "")
    assert "&lt;script&gt;alert(&quot;text&quot;)&lt;/script&gt;" in text
    assert "&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;" in text
    assert "Refused: the sender does not own the address" in text
    assert "The sender does not own the address." in text
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        assert f"<dt>{name}</dt>" in text
    assert "&lt;m1@example.org&gt;" in text
    assert "Plain words" in text
    assert "SMTP" in text
    assert "Try again" not in text  # refused, not failed


def test_an_html_only_message_is_shown_as_its_source_never_rendered(operator: User) -> None:
    row = received(Outcome.FAILED, raw=message(text=None, html=HOSTILE))
    text = client_for(operator).get(reverse("mailin:received", kwargs={"pk": row.pk})).content
    page = text.decode()
    assert "here is its HTML, shown as text and never displayed" in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "Try again" in page


def test_a_broken_message_still_shows_what_can_be_read(operator: User) -> None:
    raw = (
        b"From: =?x-unknown?q?Bad?= <bad@example.org>\r\nSubject: =?utf-8?b?broken\r\n"
        b"Content-Type: text/plain; charset=x-nonsense\r\n\r\nHello \xff\xfe there\r\n"
    )
    row = received(Outcome.REFUSED_INVALID, raw=raw)
    response = client_for(operator).get(reverse("mailin:received", kwargs={"pk": row.pk}))
    assert response.status_code == 200
    assert "there" in response.content.decode()


def test_try_again_handles_a_failed_reply_and_posts_it(
    cargo: Community, alice: User, bob: User, general: Space, operator: User
) -> None:
    topic = conversation_actions.do_start_topic(
        bob, general, kind=Kind.QUESTION, title="Which pads?", body="For rain."
    )
    to = reply_address(alice.pk, topic.pk)
    assert to is not None
    row = received(
        Outcome.FAILED,
        raw=message(to=to, subject="Re: Which pads?", text="Sintered ones, for the rain."),
        recipient=to,
        reason="OperationalError: database is locked",
        attempts=1,
    )
    client = client_for(operator)
    detail = reverse("mailin:received", kwargs={"pk": row.pk})
    assert "Try again" in client.get(detail).content.decode()
    response = client.post(reverse("mailin:try_again", kwargs={"pk": row.pk}), follow=True)
    assert response.redirect_chain == [(detail, 302)]
    row.refresh_from_db()
    assert row.outcome == Outcome.POSTED
    assert row.post is not None
    assert (row.post.author, row.post.topic) == (alice, topic)
    assert "Sintered ones, for the rain." in row.post.body
    page = response.content.decode()
    assert "Handled again: Posted as a reply." in page
    assert "Try again</button>" not in page


def test_try_again_refuses_a_handled_message(operator: User) -> None:
    row = received(Outcome.POSTED)
    with pytest.raises(ActionRefused, match="handled already"):
        do_try_again(operator, row)
    client = client_for(operator)
    detail = reverse("mailin:received", kwargs={"pk": row.pk})
    response = client.post(
        reverse("mailin:try_again", kwargs={"pk": row.pk}), headers={"referer": detail}, follow=True
    )
    assert "This message was handled already (Posted as a reply)" in response.content.decode()


# --- What the log keeps --------------------------------------------------------------------------


def test_handled_messages_lose_their_text_after_the_days_kept_and_every_row_goes_after_a_year(
    settings: Any, operator: User
) -> None:
    settings.MAIL_IN_KEEP_DAYS = 30
    recent = received(Outcome.POSTED, days_ago=29)
    old = received(Outcome.REFUSED_PERMISSION, days_ago=31)
    old_failed = received(Outcome.FAILED, days_ago=200)
    old_pending = received(Outcome.PENDING, days_ago=40)
    ancient = received(Outcome.POSTED, days_ago=366)
    ancient_failed = received(Outcome.FAILED, days_ago=400)
    forgotten = forget_old_mail()
    assert (forgotten.emptied, forgotten.deleted) == (1, 2)
    kept = {row.pk: bytes(row.raw) for row in ReceivedMail.objects.all()}
    assert set(kept) == {recent.pk, old.pk, old_failed.pk, old_pending.pk}
    assert kept[old.pk] == b""
    assert all(kept[pk] for pk in (recent.pk, old_failed.pk, old_pending.pk))
    assert not ReceivedMail.objects.filter(pk__in=[ancient.pk, ancient_failed.pk]).exists()
    # Its row still reads in the log, without its text.
    page = client_for(operator).get(reverse("mailin:received", kwargs={"pk": old.pk}))
    assert "The message\u2019s text is no longer kept: a handled message keeps it 30 days." in (
        page.content.decode()
    )
    # Run again: nothing more to do.
    assert forget_old_mail() == type(forgotten)(emptied=0, deleted=0)


def test_the_nightly_command_says_what_it_did_and_refuses_a_bad_number_of_days() -> None:
    received(Outcome.POSTED, days_ago=10)
    out = StringIO()
    call_command("forget_received_mail", "--days", "5", stdout=out)
    assert out.getvalue().strip() == (
        "1 received message(s) older than 5 days emptied, 0 older than 365 days deleted."
    )
    with pytest.raises(CommandError, match="at least 1"):
        call_command("forget_received_mail", "--days", "0")
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        call_command("forget_received_mail", stdout=out)
    assert not ReceivedMail.objects.exists()


# --- In French ------------------------------------------------------------------------------------


# --- Where members find a space's address ------------------------------------------------------


def space_page(person: User | None, space: Space) -> str:
    client = client_for(person) if person is not None else Client()
    response = client.get(space.get_absolute_url())
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_space_page_tells_those_who_may_post_where_to_write(
    cargo: Community, general: Space, lab: Space, coordinator: User, alice: User, bob: User
) -> None:
    address = space_address("cargo", "general")
    assert address is not None
    # Nothing while the space takes no email.
    assert address not in space_page(alice, general)
    do_set_space_mailbox(coordinator, general, enabled=True, kind=Kind.QUESTION)
    do_set_space_mailbox(coordinator, lab, enabled=True, kind=Kind.DISCUSSION)
    page = space_page(alice, general)
    assert "You may also ask a question in General by email: write to" in page
    assert f'<a href="mailto:{address}" class="space-email__address">{address}</a>' in page
    assert "The subject becomes the title" in page
    # The private lab is Alice's: its own address and kind.
    lab_page = space_page(alice, lab)
    assert "You may also start a discussion in Lab by email" in lab_page
    assert str(space_address("cargo", "lab")) in lab_page
    # A visitor of this public community reads the space, but may not post there.
    assert address not in space_page(None, general)


def test_the_address_is_shown_only_while_mail_in_is_on_and_to_who_may_start_that_kind(
    cargo: Community, general: Space, coordinator: User, alice: User, settings: Any
) -> None:
    address = str(space_address("cargo", "general"))
    do_set_space_mailbox(coordinator, general, enabled=True, kind=Kind.ANNOUNCEMENT)
    # Only the coordination may start an announcement: members are not offered it.
    assert address not in space_page(alice, general)
    assert "You may also post an announcement in General by email" in space_page(
        coordinator, general
    )
    do_set_space_mailbox(coordinator, general, enabled=False, kind=Kind.ANNOUNCEMENT)
    assert address not in space_page(coordinator, general)
    do_set_space_mailbox(coordinator, general, enabled=True, kind=Kind.DISCUSSION)
    settings.MAIL_IN_ADDRESS = ""
    assert "space-email" not in space_page(alice, general)


def test_the_address_costs_the_space_page_one_query_and_visitors_none(
    cargo: Community, general: Space, coordinator: User, alice: User, settings: Any
) -> None:
    do_set_space_mailbox(coordinator, general, enabled=True, kind=Kind.QUESTION)
    member, visitor = client_for(alice), Client()

    def queries_of(client: Client) -> int:
        client.get(general.get_absolute_url())  # warm: sessions, caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(general.get_absolute_url()).status_code == 200
        return len(captured)

    on = queries_of(member), queries_of(visitor)
    settings.MAIL_IN_ADDRESS = ""
    off = queries_of(member), queries_of(visitor)
    assert (on[0] - off[0], on[1] - off[1]) == (1, 0)


def test_the_api_gives_the_space_address_to_those_the_page_gives_it(
    cargo: Community, general: Space, lab: Space, coordinator: User, alice: User, bob: User
) -> None:
    do_set_space_mailbox(coordinator, general, enabled=True, kind=Kind.QUESTION)
    do_set_space_mailbox(coordinator, lab, enabled=True, kind=Kind.ANNOUNCEMENT)
    alice_token = make_token(alice, ("read",))

    def detail(token: str, space: str, status: int = 200) -> Any:
        response = api_get(token, f"/communities/cargo/spaces/{space}")
        assert response.status_code == status, response.content
        return response.json()

    general_detail = detail(alice_token, "general")
    assert (general_detail["email"], general_detail["email_starts"]) == (
        space_address("cargo", "general"),
        "question",
    )
    # Only the coordination may start an announcement in the lab.
    lab_detail = detail(alice_token, "lab")
    assert (lab_detail["email"], lab_detail["email_starts"]) == (None, None)
    claire = detail(make_token(coordinator, ("read",)), "lab")
    assert (claire["email"], claire["email_starts"]) == (
        space_address("cargo", "lab"),
        "announcement",
    )
    # Bob is not listed in the private lab: no space, no address.
    detail(make_token(bob, ("read",)), "lab", status=404)


def test_the_pages_speak_french(
    cargo: Community, coordinator: User, general: Space, operator: User
) -> None:
    for person in (coordinator, operator):
        person.language = "fr"
        person.save(update_fields=["language"])
    received(Outcome.REFUSED_SPACE_CLOSED)
    settings_page = client_for(coordinator).get(settings_url()).content.decode()
    assert "Accepte les nouveaux sujets par e-mail" in settings_page
    assert "Un espace privé" not in settings_page  # cargo has no private space here
    assert "cercle+cargo.general@mail.example.org" in settings_page
    log = client_for(operator).get(reverse("mailin:log")).content.decode()
    assert "<h1>E-mails reçus</h1>" in log
    assert "Refusé\u00a0: l\u2019espace n\u2019accepte pas d\u2019e-mail" in log
    assert reply_address(1, 1)  # the addresses do not depend on the language


def test_every_tone_names_an_outcome_and_every_refusal_is_a_warning() -> None:
    assert set(TONES) <= set(Outcome.values)
    refusals = [value for value in Outcome.values if value.startswith("refused_")]
    assert refusals
    assert {tone(value) for value in refusals} == {"warning"}
    assert tone(Outcome.POSTED) == "success"
