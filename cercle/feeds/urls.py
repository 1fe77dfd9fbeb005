from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, path, register_converter

from cercle.feeds import views


class FormatConverter:
    """The two formats every feed is offered in."""

    regex = "atom|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "feedformat")

app_name = "feeds"

# Each feed at a public address (read as an anonymous visitor) and at a secret one
# (read as the owner of the key: /feeds/k/<key>/...).
FEEDS: list[tuple[str, Callable[..., HttpResponseBase], str]] = [
    ("c/<slug:slug>.<feedformat:fmt>", views.community, "community"),
    ("c/<slug:slug>/s/<slug:space>.<feedformat:fmt>", views.space, "space"),
    ("c/<slug:slug>/tags/<slug:tag>.<feedformat:fmt>", views.tag, "tag"),
    ("people/<slug:handle>.<feedformat:fmt>", views.person, "person"),
    ("search.<feedformat:fmt>", views.search, "search"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    *(path(f"feeds/{route}", view, name=name) for route, view, name in FEEDS),
    *(path(f"feeds/k/<str:key>/{route}", view, name=f"k_{name}") for route, view, name in FEEDS),
    path("accounts/feeds/", views.account, name="account"),
    path("accounts/feeds/renew/", views.renew, name="renew"),
]
