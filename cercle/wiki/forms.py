from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Markdown: ## headings build the table of contents; [[Article title]] links "
            "to another article of the community, [[Article title|these words]] shows "
            "other words for the link."
        ),
        max_length=100_000,
    )
    note = forms.CharField(label=_("What changed (optional)"), max_length=300, required=False)
    base_number = forms.IntegerField(widget=forms.HiddenInput, required=False)
    source_topic = forms.IntegerField(widget=forms.HiddenInput, required=False)
