from __future__ import annotations

from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from cercle.mail.delivery import queue_email
from tests.smtp import SmtpServer, deliver_queued_email, text_body


def _message(to: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Bienvenue dans Cercle",
        body="Bonjour Léa,\nvoici votre lien.",
        from_email="Cercle <cercle@example.org>",
        to=[to],
        headers={"List-Id": "cercle.example.org"},
    )
    message.attach_alternative("<p>Bonjour <b>Léa</b></p>", "text/html")
    return message


@pytest.mark.django_db(transaction=True)
def test_queued_email_is_sent_by_the_worker_through_smtp(smtp_server: SmtpServer) -> None:
    with transaction.atomic():
        queue_email(_message("lea@example.org"))
    assert DBTaskResult.objects.filter(queue_name="email", status="READY").count() == 1
    assert smtp_server.messages == []

    deliver_queued_email()

    [received] = smtp_server.wait_for("lea@example.org")
    assert received["Subject"] == "Bienvenue dans Cercle"
    assert received["List-Id"] == "cercle.example.org"
    assert "voici votre lien" in text_body(received)
    html = received.get_body(preferencelist=("html",))
    assert html is not None
    assert "<b>Léa</b>" in html.get_content()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_email_of_a_rolled_back_change_is_never_queued(smtp_server: SmtpServer) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            queue_email(_message("lea@example.org"))
            raise RuntimeError("the change failed half-way")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert DBTaskResult.objects.count() == 0
    deliver_queued_email()
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_addresses_under_invalid_never_receive_mail(smtp_server: SmtpServer) -> None:
    # Imported and generated people carry such addresses until someone claims them.
    with transaction.atomic():
        queue_email(_message("user12@bicycles.meta.invalid"))
        mixed = _message("Ghost <ghost@pratiques-1.INVALID>")
        mixed.to.append("karim@example.org")
        queue_email(mixed)
    assert DBTaskResult.objects.count() == 1
    deliver_queued_email()
    [received] = smtp_server.wait_for("karim@example.org")
    assert "ghost" not in str(received["To"] or "")
    assert all("invalid" not in str(message) for message in smtp_server.messages)


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_leaves_the_task_failed_for_a_retry(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens on the discard port here
    settings.EMAIL_TIMEOUT = 2
    with transaction.atomic():
        queue_email(_message("lea@example.org"))
    deliver_queued_email()
    assert DBTaskResult.objects.get().status == "FAILED"
