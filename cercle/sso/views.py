"""The staff pages of single sign-on (/staff/sso/): the providers and organisation-only
domains, the mapping rules, and a dry run of the rules. Staff only (403 otherwise);
every write goes through cercle.sso.actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions
from cercle.accounts.models import User
from cercle.sso import actions, queries
from cercle.sso.forms import DomainForm, DryRunForm, RuleForm
from cercle.sso.models import MappingRule, SsoOnlyDomain
from cercle.sso.providers import configured_providers
from cercle.web import AuthenticatedRequest

# Attribute names offered while typing a rule (any other may be typed).
ATTRIBUTE_SUGGESTIONS = ("groups", "roles", "department", "email", "name")


def _staff_only(request: AuthenticatedRequest) -> None:
    if not permissions.sso.may_manage_sso(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def overview(request: AuthenticatedRequest) -> HttpResponse:
    _staff_only(request)
    providers = configured_providers(request)
    form = DomainForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        domain = actions.do_add_sso_domain(request.user, form.save(commit=False), request=request)
        messages.success(
            request,
            _("People at %(domain)s now sign in through their organisation only.")
            % {"domain": domain.domain},
        )
        return redirect("sso:overview")
    names = {info.id: info.name for info in providers}
    domains = [(domain, names.get(domain.provider_id)) for domain in queries.sso_only_domains()]
    return render(
        request,
        "sso/overview.html",
        {"section": "providers", "providers": providers, "domains": domains, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove_domain(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    domain = get_object_or_404(SsoOnlyDomain, pk=pk)
    actions.do_remove_sso_domain(request.user, domain, request=request)
    messages.success(
        request,
        _("People at %(domain)s may use a password again.") % {"domain": domain.domain},
    )
    return redirect("sso:overview")


@login_required
@require_safe
def rules(request: AuthenticatedRequest) -> HttpResponse:
    _staff_only(request)
    names = {info.id: info.name for info in configured_providers(request)}
    return render(
        request,
        "sso/rules.html",
        {
            "section": "rules",
            "rules": [(rule, names.get(rule.provider_id)) for rule in queries.rules()],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_rule(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    _staff_only(request)
    rule = get_object_or_404(MappingRule, pk=pk) if pk is not None else MappingRule()
    form = RuleForm(request.POST or None, instance=rule, providers=configured_providers(request))
    if request.method == "POST" and form.is_valid():
        actions.do_save_rule(request.user, form.save(commit=False), request=request)
        messages.success(
            request,
            _("The rule is saved.")
            if pk
            else _("The rule is added: it applies at the next sign-in."),
        )
        return redirect("sso:rules")
    return render(
        request,
        "sso/rule_form.html",
        {
            "section": "rules",
            "rule": rule if pk is not None else None,
            "form": form,
            "attribute_suggestions": ATTRIBUTE_SUGGESTIONS,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def delete_rule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    rule = get_object_or_404(MappingRule.objects.select_related("community"), pk=pk)
    actions.do_delete_rule(request.user, rule, request=request)
    messages.success(request, _("The rule is deleted."))
    return redirect("sso:rules")


@login_required
@require_safe
def dry_run(request: AuthenticatedRequest) -> HttpResponse:
    """A GET form (it writes nothing): the result shows under it."""
    _staff_only(request)
    providers = configured_providers(request)
    form = DryRunForm(request.GET if "provider" in request.GET else None, providers=providers)
    result = None
    if form.is_bound and form.is_valid():
        provider_id = form.cleaned_data["provider"]
        email = form.cleaned_data["email"]
        person = User.objects.filter(email__iexact=email).first() if email else None
        claims = form.cleaned_data["claims"]
        from_last_sign_in = False
        if email and person is None:
            form.add_error("email", _("No account has this address."))
        elif claims is None and person is not None:
            kind = next((info.kind for info in providers if info.id == provider_id), "")
            claims = queries.last_claims(person, provider_id, kind)
            from_last_sign_in = claims is not None
            if claims is None:
                form.add_error(
                    "claims",
                    _("This person never signed in through this provider: type the claims."),
                )
        elif claims is None:
            form.add_error("claims", _("Type the claims, or name a person."))
        if not form.errors and claims is not None:
            result = queries.dry_run(
                person=person,
                provider_id=provider_id,
                organisation=queries.is_organisation(provider_id, providers),
                claims=claims,
                from_last_sign_in=from_last_sign_in,
            )
    return render(
        request,
        "sso/dry_run.html",
        {
            "section": "dry_run",
            "form": form,
            "result": result,
            "rows": queries.change_rows(result.changes) if result else [],
            "provider_names": {info.id: info.name for info in providers},
        },
        status=400 if form.errors else 200,
    )
