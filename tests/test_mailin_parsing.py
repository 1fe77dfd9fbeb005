"""Reading received messages (cercle/mailin/parsing.py) against a corpus of real-world
shapes (tests/fixtures/mail/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from cercle.mail.addresses import LOOP_HEADER, mail_domain
from cercle.mailin.message import DeliveryReport
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


def test_an_image_attached_becomes_an_attachment_that_is_not_inline() -> None:
    parsed = parse(_fixture("replies", "gmail-image-attached-en"))

    [image] = parsed.attachments
    assert image.filename == "tank.png"
    assert image.content_type == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert not image.inline


def test_an_inline_image_becomes_an_inline_attachment_and_leaves_the_text() -> None:
    parsed = parse(_fixture("replies", "gmail-inline-image-fr"))

    [image] = parsed.attachments
    assert (image.filename, image.inline, image.content_id) == ("plan.png", True, "ii_m4k3plan")
    assert "image" not in parsed.body


def test_a_cid_image_of_an_html_only_message_is_an_attachment_not_text() -> None:
    raw = (
        b"From: a@example.org\nSubject: Photo\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/related; boundary="b"\n\n--b\n'
        b"Content-Type: text/html; charset=utf-8\n\n"
        b'<p>Look:</p><img src="cid:pic1@x"><img src="https://t.example.com/p.gif" width=1>\n'
        b"--b\nContent-Type: image/jpeg\nContent-ID: <pic1@x>\n"
        b"Content-Transfer-Encoding: base64\n\n"
        b"/9j/4AAQSkZJRg==\n--b--\n"
    )
    parsed = parse(raw)

    assert parsed.body == "Look:"
    [image] = parsed.attachments
    assert (image.filename, image.inline, image.content_id) == ("image-1.jpeg", True, "pic1@x")
    assert image.content.startswith(b"\xff\xd8")


def test_attachment_names_lose_their_folders_and_control_characters() -> None:
    raw = (
        b"From: a@example.org\nSubject: Files\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
        b"Content-Type: text/plain\n\nSee attached.\n"
        b"--b\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; "
        b'filename="..\\\\..\\\\C:\\\\evil\\\\re\x01port.pdf"\n\n%PDF-1.4\n'
        b"--b\nContent-Type: text/plain; name*=utf-8''compte-rendu%20d%C3%A9c.txt\n"
        b"Content-Disposition: attachment; filename*=utf-8''compte-rendu%20d%C3%A9c.txt\n\nnotes\n"
        b"--b--\n"
    )
    parsed = parse(raw)

    assert parsed.body == "See attached."
    assert [a.filename for a in parsed.attachments] == ["report.pdf", "compte-rendu déc.txt"]
    assert parsed.attachments[1].content == b"notes"


# --- Headers --------------------------------------------------------------------------


def test_headers_are_decoded_and_the_address_lower_cased() -> None:
    parsed = parse(_fixture("replies", "gmail-web-top-post-fr"))

    assert parsed.message_id == "<CAF3x9Qm+8w=Yk1pZ0u@mail.gmail.com>"
    assert (parsed.from_name, parsed.from_address) == ("Bob Martin", "bob.martin@gmail.com")
    assert parsed.subject == "Re: [Jardins] Comment organiser l\u2019arrosage cet été ?"
    assert parsed.in_reply_to == "<post-41@cercle.example.org>"
    assert parsed.references == ("<topic-7@cercle.example.org>", "<post-41@cercle.example.org>")


def test_an_encoded_display_name_and_a_shouting_address_are_read() -> None:
    parsed = parse(
        b"From: =?ISO-8859-1?Q?Ren=E9e_Lef=E8vre?= <Renee.LEFEVRE@Example.FR>\n"
        b"Subject: =?utf-8?B?UsOpdW5pb24=?=\n   de   samedi\n\nOui.\n"
    )

    assert (parsed.from_name, parsed.from_address) == ("Renée Lefèvre", "renee.lefevre@example.fr")
    assert parsed.subject == "Réunion de samedi"
    assert parsed.body == "Oui."


BROKEN = [
    b"",
    b"\x00\x01\x02\xff\xfe",
    b"no headers at all, only text",
    b"From: \nSubject: =?x-unknown?Q?abc?=\n\nbody",
    b"From: <<<@@@>>>\nSubject: =?utf-8?B?!!!notbase64?=\nMessage-ID: <>\nReferences: garbage\n\nx",
    b"Content-Type: text/plain; charset=x-does-not-exist\n\n\xe9t\xe9\n",
    b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n%%%not base64",
    b'Content-Type: multipart/mixed; boundary="never-closed"\n\n'
    b"--never-closed\nContent-Type: text/html\n\n<p>half",
    b"Content-Type: multipart/alternative\n\nno boundary parameter",
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n--r\n'
    b"Content-Type: message/delivery-status\n\nFinal-Recipient: \n\n--r--\n",
    b"Authentication-Results: ;;;==\nAuto-Submitted: \nFrom: x@y\n\n>>>>\n> \n-- \n",
    b"Subject: \xff\xfe\xfd\nFrom: \xe9l\xe8ve <ELEVE@ecole.fr>\n\ntext",
    b"Content-Type: text/html\n\n<html><body><div class='gmail_quote'><blockquote><<<</div>",
]


@pytest.mark.parametrize("raw", BROKEN, ids=range(len(BROKEN)))
def test_a_broken_message_never_raises(raw: bytes) -> None:
    parsed = parse(raw)

    assert isinstance(parsed.body, str)
    assert parsed.from_address == parsed.from_address.lower()


def test_a_wrong_charset_falls_back_to_a_readable_text() -> None:
    parsed = parse(b"From: a@example.org\nContent-Type: text/plain; charset=x-nope\n\n\xe9t\xe9\n")

    assert parsed.body == "été"


def test_a_huge_single_line_is_read_in_reasonable_time() -> None:
    raw = b"From: a@example.org\nSubject: big\n\n" + b"On a " * 200_000 + b"\n> q\n"
    parsed = parse(raw)

    assert parsed.body.startswith("On a On a")


# --- Automatic mail, loops ------------------------------------------------------------

AUTOMATIC = {
    "gmail-vacation": True,  # Auto-Submitted: auto-replied
    "outlook-automatic-reply": True,  # Auto-Submitted: auto-generated
    "exchange-reponse-automatique": True,  # subject with X-Auto-Response-Suppress
    "exchange-out-of-office-legacy": True,  # the same, in English
    "precedence-bulk": True,
    "empty-return-path": True,
    "x-autorespond": True,
    "human-absence-subject": False,  # a subject alone is not enough
    "human-auto-submitted-no": False,
    "ours-looping": False,  # ours, not automatic: another field says it
}


@pytest.mark.parametrize("name", sorted(AUTOMATIC))
def test_automatic_mail_is_recognised_and_a_person_writing_is_not(name: str) -> None:
    assert parse(_fixture("auto", name)).auto_submitted is AUTOMATIC[name]


@override_settings(MAIL_IN_ADDRESS="cercle@cercle.example.org")
def test_our_own_message_coming_back_is_marked_ours() -> None:
    assert mail_domain() == "cercle.example.org"

    assert parse(_fixture("auto", "ours-looping")).ours
    assert not parse(_fixture("auto", "gmail-vacation")).ours


@override_settings(MAIL_IN_ADDRESS="cercle@cercle.example.org")
def test_our_own_email_attached_to_a_reply_is_left_out_as_a_quote() -> None:
    raw = (
        b"From: bob@example.org\nSubject: Re: [Cargo] Brakes\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b"Sintered pads.\n--b\nContent-Type: message/rfc822\n\n"
        + LOOP_HEADER.encode()
        + b": cercle.example.org\nFrom: Cercle <cercle@cercle.example.org>\n"
        b"Subject: [Cargo] Brakes\n\nAlice asked: which pads?\n--b--\n"
    )
    parsed = parse(raw)

    assert parsed.body == "Sintered pads."
    assert parsed.attachments == ()
    assert not parsed.ours  # the reply itself is Bob's


@override_settings(MAIL_IN_ADDRESS="cercle@other.example.org")
def test_a_loop_mark_of_another_cercle_is_not_ours() -> None:
    raw = _fixture("auto", "ours-looping")
    assert LOOP_HEADER.encode() in raw

    assert not parse(raw).ours


# --- Delivery reports -----------------------------------------------------------------

REPORTS = {
    "postfix-user-unknown": [
        DeliveryReport(
            "ghost@example.net",
            "failed",
            "5.1.1",
            "smtp; 550 5.1.1 <ghost@example.net>: Recipient address rejected: "
            "User unknown in virtual mailbox table",
        )
    ],
    "postfix-delayed": [
        DeliveryReport(
            address,
            "delayed",
            "4.4.1",
            "X-Postfix; connect to mx.example.com[198.51.100.7]:25: Connection timed out",
        )
        for address in ("slow@example.com", "other@example.com")
    ],
    "exim-failed": [
        DeliveryReport("nobody@example.org", "failed", "5.0.0", "smtp; 550 5.1.1 User unknown")
    ],
    "gmail-address-not-found": [
        DeliveryReport(
            "lost.person@gmail.com",
            "failed",
            "5.1.1",
            "smtp; 550-5.1.1 The email account that you tried to reach does not exist.",
        )
    ],
    "exchange-recipient-not-found": [
        DeliveryReport(
            "former.member@asso-quartier.fr",
            "failed",
            "5.1.10",
            "smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
            "Recipient not found by SMTP address lookup",
        )
    ],
    "exim-legacy-plain": [
        DeliveryReport(
            "gone@old.example.org",
            "failed",
            "5.1.1",
            "SMTP error from remote mail server after RCPT TO:<gone@old.example.org>: "
            "host mx.old.example.org [192.0.2.40]: 550 5.1.1 <gone@old.example.org>: "
            "Recipient address rejected",
        )
    ],
    "qmail-no-mailbox": [
        DeliveryReport(
            "left@qmail.example.com",
            "failed",
            "5.1.1",
            "Sorry, no mailbox here by that name. (#5.1.1)",
        )
    ],
}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_delivery_report_is_read_one_block_per_recipient(name: str) -> None:
    parsed = parse(_fixture("reports", name))

    assert parsed.is_report
    assert list(parsed.reports) == REPORTS[name]
    assert parsed.attachments == ()  # the returned message is not an attachment
    assert "Alice Durand answered" not in parsed.body


def test_a_permanent_failure_is_permanent_and_a_delay_is_not() -> None:
    [failed] = parse(_fixture("reports", "postfix-user-unknown")).reports
    delayed = parse(_fixture("reports", "postfix-delayed")).reports

    assert failed.permanent
    assert not any(report.permanent for report in delayed)


def test_a_reply_is_not_a_report() -> None:
    parsed = parse(_fixture("replies", "gmail-web-top-post-en"))

    assert (parsed.is_report, parsed.reports) == (False, ())


# --- DMARC ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "dmarc"),
    [
        ("dmarc-pass", "pass"),
        ("dmarc-fail", "fail"),
        ("dmarc-forged-below", "fail"),  # the topmost header is the last server's
        ("filter-above-ours", "pass"),  # without a setting, the topmost is trusted
        ("none-header", ""),
        ("malformed", ""),
    ],
)
def test_dmarc_is_read_from_the_topmost_authentication_results(name: str, dmarc: str) -> None:
    assert parse(_fixture("auth", name)).dmarc == dmarc


@override_settings(MAIL_IN_AUTHSERV_ID="mx.cercle.example.org")
@pytest.mark.parametrize(
    ("name", "dmarc"),
    [
        ("dmarc-pass", "pass"),
        ("dmarc-forged-below", "fail"),
        ("filter-above-ours", "fail"),  # the filter's header is not ours to trust
    ],
)
def test_dmarc_is_read_only_from_our_authserv_id_when_it_is_set(name: str, dmarc: str) -> None:
    assert parse(_fixture("auth", name)).dmarc == dmarc


@override_settings(MAIL_IN_AUTHSERV_ID="mx.elsewhere.example.org")
def test_no_header_of_our_authserv_id_means_no_dmarc_result() -> None:
    assert parse(_fixture("auth", "dmarc-fail")).dmarc == ""


def test_raw_eight_bit_headers_are_read_as_utf8_or_latin1() -> None:
    utf8 = parse("From: Hélène Garnier <h@example.org>\nSubject: Réunion été\n\nOui.\n".encode())
    latin1 = parse("From: Hélène <h@example.org>\nSubject: Réunion\n\nOui.\n".encode("latin-1"))

    assert (utf8.from_name, utf8.subject) == ("Hélène Garnier", "Réunion été")
    assert (latin1.from_name, latin1.subject) == ("Hélène", "Réunion")


def test_a_forward_inside_gmails_html_quote_is_kept_even_without_fwd_in_the_subject() -> None:
    raw = (
        "From: bob@example.org\nSubject: Regardez\nContent-Type: text/html; charset=utf-8\n\n"
        '<div dir="ltr">À lire :</div><br><div class="gmail_quote"><div dir="ltr" '
        'class="gmail_attr">---------- Forwarded message ---------<br>De&nbsp;: Dana '
        "&lt;dana@example.net&gt;<br></div><br><div>Le texte partagé.</div></div>"
    ).encode()

    assert parse(raw).body == (
        "À lire :\n\n---------- Forwarded message ---------  \nDe : Dana <dana@example.net>\n\n"
        "Le texte partagé."
    )


def test_a_person_quoting_a_text_and_commenting_it_keeps_both() -> None:
    raw = (
        "From: bob@example.org\nSubject: Règlement\n\nVoici ce que dit le règlement de 2024 :\n\n"
        "> Article 3 : l\u2019arrosage se fait le soir.\n\nDonc pas d\u2019arrosage à midi.\n"
    ).encode()

    assert parse(raw).body == (
        "Voici ce que dit le règlement de 2024 :\n\n"
        "> Article 3 : l\u2019arrosage se fait le soir.\n\nDonc pas d\u2019arrosage à midi."
    )


def test_a_read_receipt_is_automatic_but_not_a_delivery_report() -> None:
    raw = (
        b"From: Claire <claire@example.org>\nSubject: Lu : [Jardins] Samedi\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=disposition-notification; boundary="m"\n\n'
        b"--m\nContent-Type: text/plain\n\nVotre message a \xc3\xa9t\xc3\xa9 lu.\n"
        b"--m\nContent-Type: message/disposition-notification\n\n"
        b"Final-Recipient: rfc822; claire@example.org\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\n--m--\n"
    )
    parsed = parse(raw)

    assert parsed.auto_submitted
    assert (parsed.is_report, parsed.reports) == (False, ())


def test_control_characters_never_reach_the_text_a_database_stores() -> None:
    parsed = parse(b"From: a\x00b@example.org\nSubject: Hi\x00 there\x07\n\nline\x00 one\x1b\n")

    assert parsed.subject == "Hi there"
    assert parsed.body == "line one"
    assert "\x00" not in parsed.from_address


def test_a_message_forwarded_as_an_attachment_is_kept_whole_below_a_forward_header() -> None:
    raw = (
        b"From: claire@example.org\nSubject: FW: Compteur\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b"Voir le message joint.\n\n-- \nClaire\n--b\nContent-Type: message/rfc822\n\n"
        b"From: mairie@example.fr\nDate: Fri, 4 Dec 2026 16:15:00 +0100\n"
        b"Subject: Compteur d'eau\n\nPose en mars.\n\n> Quand ?\n--b--\n"
    )
    parsed = parse(raw)

    # The person's words are trimmed (their signature goes); what they share is kept
    # whole, quotes included, with its header lines broken as they are in the mail.
    assert parsed.body == (
        "Voir le message joint.\n\n"
        "---------- Forwarded message ---------  \n"
        "From: mairie@example.fr  \n"
        "Date: Fri, 4 Dec 2026 16:15:00 +0100  \n"
        "Subject: Compteur d'eau\n\n"
        "Pose en mars.\n\n> Quand ?"
    )
    assert parsed.attachments == ()


def test_a_forwarded_html_message_becomes_markdown_and_its_files_attachments() -> None:
    raw = (
        b"From: claire@example.org\nSubject: Fwd: Plan\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="outer"\n\n'
        b"--outer\nContent-Type: message/rfc822\n\n"
        b"From: Parks <parks@council.example.gov>\nSubject: Plan\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="inner"\n\n'
        b"--inner\nContent-Type: text/html; charset=utf-8\n\n"
        b"<p>The <b>plan</b> is attached.</p>\n"
        b"--inner\nContent-Type: application/pdf; name=plan.pdf\n"
        b"Content-Disposition: attachment; filename=plan.pdf\n\n%PDF-1.4\n"
        b"--inner--\n--outer--\n"
    )
    parsed = parse(raw)

    assert parsed.body == (
        "---------- Forwarded message ---------  \n"
        "From: Parks <parks@council.example.gov>  \n"
        "Subject: Plan\n\n"
        "The **plan** is attached."
    )
    assert [(a.filename, a.content) for a in parsed.attachments] == [("plan.pdf", b"%PDF-1.4")]


def _attached(depth: int) -> bytes:
    message = b"From: origin@example.org\nSubject: Level 0\n\nThe first words.\n"
    for level in range(1, depth + 1):
        message = (
            (
                f"From: level{level}@example.org\nSubject: Level {level}\nMIME-Version: 1.0\n"
                f'Content-Type: multipart/mixed; boundary="b{level}"\n\n'
                f"--b{level}\nContent-Type: message/rfc822\n\n"
            ).encode()
            + message
            + f"\n--b{level}--\n".encode()
        )
    return message


def test_messages_attached_inside_attached_messages_are_read_three_deep() -> None:
    three = parse(_attached(3)).body
    assert "The first words." in three
    assert three.count("---------- Forwarded message") == 3
    deeper = parse(_attached(5)).body
    assert "The first words." not in deeper
    assert deeper.count("---------- Forwarded message") == 3


def test_text_parts_around_an_inline_image_are_one_text() -> None:
    raw = (
        b"From: david@icloud.com\nSubject: Re: Plan\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="a"\n\n--a\n'
        b"Content-Type: text/plain; charset=us-ascii\n\nHere is the plan:\n"
        b"--a\nContent-Type: image/png; name=plan.png\nContent-Disposition: inline; "
        b"filename=plan.png\nContent-ID: <p1>\nContent-Transfer-Encoding: base64\n\niVBORw0K\n"
        b"--a\nContent-Type: text/plain; charset=us-ascii\n\nThe shed is on the left.\n\n"
        b"> On 7 Dec 2026, at 10:02, Cercle <cercle@cercle.example.org> wrote:\n> Plan?\n--a--\n"
    )
    parsed = parse(raw)

    assert parsed.body == "Here is the plan:\n\nThe shed is on the left."
    assert [a.filename for a in parsed.attachments] == ["plan.png"]


def test_a_sentence_that_starts_like_a_phone_footer_is_kept() -> None:
    raw = (
        b"From: bob@example.org\nSubject: Re: Samedi\n\n"
        b"Sent from my phone in the garden:\nyes, the tap works.\n"
    )

    assert parse(raw).body == "Sent from my phone in the garden:\nyes, the tap works."


@pytest.mark.parametrize("path", REPLIES[::5], ids=[path.stem for path in REPLIES[::5]])
def test_a_cut_or_damaged_copy_of_a_real_message_is_still_read(path: Path) -> None:
    raw = path.read_bytes()
    damaged = bytes(byte ^ 0x5A if index % 97 == 0 else byte for index, byte in enumerate(raw))

    for variant in (raw[: len(raw) // 2], raw[: len(raw) // 3] + b"\r\n--", damaged):
        parsed = parse(variant)
        assert isinstance(parsed.body, str)
