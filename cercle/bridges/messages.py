"""What a bridge posts, in each chat's own format: a Slack Block Kit message, a
Microsoft Teams Adaptive Card (1.5, as Teams workflows take it), a Mattermost
incoming webhook message, a Matrix `m.notice` with its HTML form.

Every message says what happened (a heading), the subject's title as a link back to
Cercle, an excerpt, where (the space) and who (the author's public name: a persona's
name when written as one, never the real writer). The headings are written in the
community's language by the caller (`translation.override`)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.translation import gettext as _

from cercle.bridges.models import News

# Slack's published limits (api.slack.com/reference/block-kit/blocks): a section's
# text holds at most 3000 characters, a header's 150, a button's text 75.
SLACK_SECTION_LIMIT = 3000
SLACK_HEADER_LIMIT = 150
EXCERPT_LIMIT = 500


@dataclass(frozen=True)
class Message:
    """One piece of news as every chat shows it."""

    news: str
    title: str
    excerpt: str
    url: str
    community: str
    space: str = ""
    author: str = ""

    @property
    def heading(self) -> str:
        """What happened, in the active language."""
        if self.news == News.QUESTIONS:
            return _("New question")
        if self.news == News.SOLVED:
            return _("Question solved")
        if self.news == News.EVENTS:
            return _("New event")
        if self.news == News.ANNOUNCEMENTS:
            return _("Announcement")
        return _("Test message")

    @property
    def where(self) -> str:
        """ "In <space> · <community> · by <author>", in the active language."""
        parts = [self.space, self.community] if self.space else [self.community]
        line = " · ".join(part for part in parts if part)
        if self.author:
            line = _("%(place)s · by %(author)s") % {"place": line, "author": self.author}
        return line

    @property
    def short_excerpt(self) -> str:
        text = " ".join(self.excerpt.split())
        return text if len(text) <= EXCERPT_LIMIT else text[: EXCERPT_LIMIT - 1] + "…"

    @property
    def action(self) -> str:
        return _("Open in Cercle")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn reads these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Message) -> dict[str, Any]:
    """A Block Kit message for a Slack incoming webhook; `text` is the notification's
    fallback."""
    title = _slack_escape(message.title).replace("|", "¦")
    body = f"*<{message.url}|{title}>*"
    if message.short_excerpt:
        body += "\n" + _slack_escape(message.short_excerpt)
    return {
        "text": f"{message.heading}: {message.title}",
        "blocks": [
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": _cut(message.heading, SLACK_HEADER_LIMIT),
                    "emoji": False,
                },
            },
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _cut(body, SLACK_SECTION_LIMIT)},
            },
            {
                "type": "context",
                "elements": [{"type": "plain_text", "text": _cut(message.where, 2000)}],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": _cut(message.action, 75)},
                        "url": message.url,
                        "action_id": "open",
                    }
                ],
            },
        ],
    }


def teams(message: Message) -> dict[str, Any]:
    """An Adaptive Card 1.5 in the envelope a Teams workflow's "post to a channel when
    a webhook request is received" takes."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message.heading,
            "size": "Small",
            "weight": "Bolder",
            "isSubtle": True,
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": message.title,
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
            "style": "heading",
        },
    ]
    if message.short_excerpt:
        body.append({"type": "TextBlock", "text": message.short_excerpt, "wrap": True})
    body.append({"type": "TextBlock", "text": message.where, "isSubtle": True, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": message.action, "url": message.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _markdown_escape(text: str) -> str:
    for character in "\\`*_[]<>#|":
        text = text.replace(character, "\\" + character)
    return text


def mattermost(message: Message) -> dict[str, Any]:
    """A Mattermost incoming webhook message (Markdown `text`)."""
    lines = [
        f"**{_markdown_escape(message.heading)}**: "
        f"[{_markdown_escape(message.title)}]({message.url})"
    ]
    if message.short_excerpt:
        lines.append("> " + _markdown_escape(message.short_excerpt))
    lines.append(f"_{_markdown_escape(message.where)}_")
    return {"text": "\n".join(lines), "username": "Cercle"}


def matrix(message: Message) -> dict[str, Any]:
    """A Matrix `m.notice` (bots send notices, which other bots do not answer), with
    its HTML form."""
    plain = [f"{message.heading}: {message.title}"]
    html = [
        f"<p><strong>{escape(message.heading)}</strong>: "
        f'<a href="{escape(message.url)}">{escape(message.title)}</a></p>'
    ]
    if message.short_excerpt:
        plain.append(message.short_excerpt)
        html.append(f"<blockquote>{escape(message.short_excerpt)}</blockquote>")
    plain.extend([message.where, message.url])
    html.append(f"<p><em>{escape(message.where)}</em></p>")
    return {
        "msgtype": "m.notice",
        "body": "\n".join(plain),
        "format": "org.matrix.custom.html",
        "formatted_body": "".join(html),
    }
