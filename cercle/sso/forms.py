"""The staff pages' forms: a mapping rule, an organisation-only domain, a dry run."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community, Role
from cercle.sso.claims import parse_lines
from cercle.sso.models import SCIM_PROVIDER_ID, MappingRule, SsoOnlyDomain
from cercle.sso.providers import ProviderInfo


def provider_choices(
    providers: list[ProviderInfo], *, any_label: Any = None, keep: str = ""
) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = []
    if any_label is not None:
        choices.append(("", any_label))
    choices += [(info.id, f"{info.name} ({info.id})") for info in providers]
    choices.append((SCIM_PROVIDER_ID, _("Provisioning (SCIM)")))
    if keep and keep not in {value for value, _label in choices}:
        # A rule for a provider no longer configured keeps its value (and says so).
        choices.append((keep, _("%(id)s (not configured)") % {"id": keep}))
    return choices


class RuleForm(forms.ModelForm[MappingRule]):
    community = forms.ModelChoiceField(
        queryset=Community.objects.order_by("name"),
        label=_("Community"),
        empty_label=_("Choose a community"),
        error_messages={"invalid_choice": _("This community does not exist.")},
    )

    class Meta:
        model = MappingRule
        fields = ["provider_id", "attribute", "value", "community", "role", "enabled"]

    def __init__(self, *args: Any, providers: list[ProviderInfo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.provider_id if self.instance.pk else ""
        self.fields["provider_id"] = forms.ChoiceField(
            label=_("Identity provider"),
            choices=provider_choices(providers, any_label=_("Any provider"), keep=current),
            required=False,
            help_text=_("Any provider includes provisioning (SCIM)."),
        )
        self.fields["attribute"].widget.attrs.update(
            {"list": "sso-attributes", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["value"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = Role.choices

    def clean_attribute(self) -> str:
        attribute = str(self.cleaned_data.get("attribute", "")).strip()
        if not attribute:
            raise forms.ValidationError(_("Name the attribute to read, for example groups."))
        return attribute

    def clean_value(self) -> str:
        value = str(self.cleaned_data.get("value", "")).strip()
        if not value:
            raise forms.ValidationError(_("Give the value that matches."))
        return value


class DomainForm(forms.ModelForm[SsoOnlyDomain]):
    class Meta:
        model = SsoOnlyDomain
        fields = ["domain", "provider_id"]

    def __init__(self, *args: Any, providers: list[ProviderInfo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider_id"] = forms.ChoiceField(
            label=_("Identity provider"),
            choices=[(info.id, f"{info.name} ({info.id})") for info in providers],
            help_text=_("The provider whose button these people use."),
            error_messages={"invalid_choice": _("Choose one of the configured providers.")},
        )
        self.fields["domain"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "placeholder": "example.org"}
        )

    def clean_domain(self) -> str:
        domain = str(self.cleaned_data.get("domain", "")).strip().lower().lstrip("@")
        try:
            validate_email(f"someone@{domain}")
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Enter a domain such as example.org, without “@” or a name.")
            ) from None
        if SsoOnlyDomain.objects.filter(domain=domain).exists():
            raise forms.ValidationError(_("This domain is already on the list."))
        return domain


class DryRunForm(forms.Form):
    provider = forms.ChoiceField(label=_("Identity provider"))
    email = forms.EmailField(
        label=_("Person (email address)"),
        required=False,
        help_text=_("Empty: a person signing in for the first time."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    claims = forms.CharField(
        label=_("Claims or attributes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_(
            "One attribute=value per line, for example groups=cop-agile-leads. Empty: "
            "what the provider said at the person's last sign-in."
        ),
    )

    def __init__(self, *args: Any, providers: list[ProviderInfo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = cast(forms.ChoiceField, self.fields["provider"])
        provider.choices = provider_choices(providers)

    def clean_claims(self) -> dict[str, list[str]] | None:
        text = str(self.cleaned_data.get("claims", ""))
        if not text.strip():
            return None
        try:
            return parse_lines(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("Line %(line)s is not attribute=value.") % {"line": error.args[0]}
            ) from None
