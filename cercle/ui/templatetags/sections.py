"""Drawing the sections other apps add to a page (cercle/sections.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cercle.sections import Shown

register = template.Library()


@register.simple_tag(takes_context=True)
def page_section(context: template.Context, section: Shown) -> SafeString:
    """`{% page_section section %}`: the section's template, with the page's context
    and the section's own data (computed by the page's query, never here)."""
    if context.template is None:
        raise template.TemplateSyntaxError("page_section draws inside a template only.")
    found = context.template.engine.get_template(section.template)
    with context.push(**section.data):
        return found.render(context)
