from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _

from cercle.analytics.models import ParticipationRule


class ParticipationRuleForm(forms.ModelForm[ParticipationRule]):
    class Meta:
        model = ParticipationRule
        fields: ClassVar[list[str]] = [
            "window_months",
            "core_score",
            "active_score",
            "peripheral_days",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        core, active = data.get("core_score"), data.get("active_score")
        if core is not None and active is not None and active >= core:
            raise forms.ValidationError(
                _("The core group must need more contributions than the active level.")
            )
        return data
