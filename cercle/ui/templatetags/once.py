"""`{% once_field %}`: the hidden token that makes a creation form count once.

Put it inside every form that creates something, next to `{% csrf_token %}`; the view
it posts to is wrapped in `cercle.web.once`. Each rendering draws a new token, so two
forms never share one, and a form shown again after a refusal is a new submission.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cercle.models import ONCE_FIELD, new_token

register = template.Library()


@register.simple_tag
def once_field() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', ONCE_FIELD, new_token())
