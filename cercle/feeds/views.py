"""Feed addresses (public and secret) and the account page listing a person's secret ones."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions
from cercle.feeds import actions, formats, queries
from cercle.web import AuthenticatedRequest, Request, refusals_as_messages

# How long a reader or a cache may keep a feed before asking again (then a 304 is cheap).
MAX_AGE = 300


def _respond(
    request: Request, key: str | None, fmt: str, read: Callable[[permissions.Actor], queries.Feed]
) -> HttpResponse:
    """The feed as `fmt`, read as the key's owner (or an anonymous visitor: a public
    address shows the same to everyone, signed in or not), with its validators."""
    feed = read(queries.reader_for_key(key))
    public_path = request.path.replace(f"/k/{key}/", "/", 1) if key else request.path
    query = request.META.get("QUERY_STRING", "")
    addresses = formats.Addresses(
        absolute=request.build_absolute_uri,
        feed_id=request.build_absolute_uri(public_path + (f"?{query}" if query else "")),
        self_url=request.build_absolute_uri(),
    )
    if fmt == "atom":
        body, content_type = formats.atom(feed, addresses, settings.SITE_NAME), formats.ATOM
    else:
        body, content_type = formats.json_feed(feed, addresses), formats.JSON_FEED
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    last_modified = int(feed.updated.timestamp())
    response = HttpResponse(body, content_type=content_type)
    # A 304 when the reader's copy is still this one.
    conditional = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    response = conditional or response
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if key:
        # A secret address: for its owner's reader only, never indexed.
        response["Cache-Control"] = f"private, max-age={MAX_AGE}"
        response["X-Robots-Tag"] = "noindex"
    else:
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


@require_safe
def community(request: Request, slug: str, fmt: str, key: str | None = None) -> HttpResponseBase:
    return _respond(request, key, fmt, lambda actor: queries.community_feed(actor, slug))


@require_safe
def space(
    request: Request, slug: str, space: str, fmt: str, key: str | None = None
) -> HttpResponseBase:
    return _respond(request, key, fmt, lambda actor: queries.space_feed(actor, slug, space))


@require_safe
def tag(
    request: Request, slug: str, tag: str, fmt: str, key: str | None = None
) -> HttpResponseBase:
    return _respond(request, key, fmt, lambda actor: queries.tag_feed(actor, slug, tag))


@require_safe
def person(request: Request, handle: str, fmt: str, key: str | None = None) -> HttpResponseBase:
    return _respond(request, key, fmt, lambda actor: queries.person_feed(actor, handle))


@require_safe
def search(request: Request, fmt: str, key: str | None = None) -> HttpResponseBase:
    return _respond(request, key, fmt, lambda actor: queries.search_feed(actor, request.GET))


# --- The account page ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def account(request: AuthenticatedRequest) -> HttpResponse:
    page = queries.account_feeds(request.user)
    return render(
        request,
        "feeds/account.html",
        {
            "page": page,
            "communities": [
                {
                    "community": item.community,
                    "atom": request.build_absolute_uri(item.atom) if item.atom else "",
                    "json": request.build_absolute_uri(item.json) if item.json else "",
                }
                for item in page.communities
            ],
        },
    )


@login_required
@require_POST
@refusals_as_messages
def renew(request: AuthenticatedRequest) -> HttpResponse:
    had_key = queries.key_of(request.user) is not None
    if had_key and request.POST.get("confirm") != "yes":
        messages.error(
            request, _("Tick the box to confirm: your current secret addresses would stop working.")
        )
        return redirect("feeds:account")
    actions.do_renew_feed_key(request.user)
    if had_key:
        messages.success(
            request, _("Your secret address is new: the old addresses no longer work anywhere.")
        )
    else:
        messages.success(request, _("Your secret feed addresses are ready."))
    return redirect("feeds:account")
