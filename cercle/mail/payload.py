"""Email messages as plain JSON data, so that a background task can carry them."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives

from cercle.mail import addresses


def message_to_payload(message: EmailMessage) -> dict[str, Any]:
    """The JSON-safe parts of a message that `payload_to_message` rebuilds."""
    alternatives = [
        [content, mimetype]
        for content, mimetype in getattr(message, "alternatives", [])
        if isinstance(content, str)
    ]
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        "alternatives": alternatives,
    }


def payload_to_message(payload: dict[str, Any]) -> EmailMultiAlternatives:
    """The message again, marked as Cercle's own (`addresses.LOOP_HEADER`) whoever
    queued it: a message carrying the mark that comes back in is never posted."""
    headers = {addresses.LOOP_HEADER: addresses.mail_domain(), **payload["headers"]}
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=headers,
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message
