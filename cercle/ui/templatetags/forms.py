"""Form rendering that tells assistive technology about help texts and errors, and
spares people choosing what has only one possible answer."""

from __future__ import annotations

import copy
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# Widgets drawn as one control per choice: the fieldset around them carries the
# description, so each input does not repeat it.
GROUPED = {"radioselect", "checkboxselectmultiple"}
SINGLE_CHOICE = {"select", "radioselect"}


def _empty(value: Any) -> bool:
    return value is None or value in ("", [])


def _widget_with_only_choice(field: BoundField) -> tuple[Any, Any]:
    """The widget to draw and the value to draw it with: a required single choice
    that offers one possible answer (a space select where one space is readable) has
    it chosen already, on a fresh form. The choices are read once, for both."""
    widget = field.field.widget
    value = field.value()
    if (
        field.widget_type not in SINGLE_CHOICE
        or not field.field.required
        or field.form.is_bound
        or not _empty(value)
    ):
        return widget, value
    choices = list(getattr(field.field, "choices", []))
    options: list[Any] = []
    for option_value, label in choices:
        if isinstance(label, list | tuple):  # a group of options (<optgroup>)
            options.extend(value for value, _label in label if not _empty(value))
        elif not _empty(option_value):
            options.append(option_value)
    if len(options) != 1:
        return widget, value
    widget = copy.copy(widget)
    widget.choices = choices
    return widget, options[0]


@register.filter
def accessible_widget(field: BoundField) -> SafeString:
    """The field's widget, pointing with aria-describedby at its help and errors,
    marked aria-invalid when refused, with the only possible choice chosen."""
    attrs: dict[str, str | bool] = {}
    if field.widget_type not in GROUPED:
        described_by = []
        if field.help_text:
            described_by.append(f"{field.auto_id}_helptext")
        if field.errors:
            described_by.append(f"{field.auto_id}_errors")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    widget, value = _widget_with_only_choice(field)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return SafeString(
        widget.render(name=field.html_name, value=value, attrs=attrs, renderer=field.form.renderer)
    )


@register.filter
def has_required_field(form: Any) -> bool:
    """Whether the form shows a required field, so that it explains its star."""
    return any(field.field.required for field in form.visible_fields())


@register.filter
def refused_fields(form: Any) -> list[BoundField]:
    """The visible fields the form refused, for the summary above it."""
    return [field for field in form.visible_fields() if field.errors]
