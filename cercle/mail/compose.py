"""Emails written from templates, in the language of the person who reads them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def compose(
    template_prefix: str, to: str, context: dict[str, Any], language: str
) -> EmailMultiAlternatives:
    """`<prefix>_subject.txt`, `<prefix>_message.txt` and, if present,
    `<prefix>_message.html`, rendered in `language`."""
    full_context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", full_context).split())
        body = render_to_string(f"{template_prefix}_message.txt", full_context)
        try:
            html: str | None = render_to_string(f"{template_prefix}_message.html", full_context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message
