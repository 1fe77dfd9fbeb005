from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    """`mapping|get_item:key`, for dictionaries keyed by a loop variable."""
    return mapping.get(key) if mapping else None
