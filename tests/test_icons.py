"""{% icon %} draws the vendored Lucide icons inline, decorative, and refuses a name it
does not hold (never an empty box at run time)."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(source: str) -> str:
    return Template("{% load icons %}" + source).render(Context())


def test_an_icon_is_inline_svg_hidden_from_screen_readers() -> None:
    html = render('{% icon "heart" 20 %}')
    assert html.startswith('<svg class="icon icon--heart" width="20" height="20"')
    assert 'aria-hidden="true"' in html
    assert "<path d=" in html
    assert "<!--" not in html


def test_an_unknown_icon_is_refused() -> None:
    with pytest.raises(TemplateSyntaxError, match="No icon 'no-such-icon'"):
        render('{% icon "no-such-icon" %}')
