from django.urls import URLPattern, URLResolver, path, re_path

from cercle.scim import api, views

app_name = "scim"

urlpatterns: list[URLPattern | URLResolver] = [
    path("scim/v2/", api.endpoint, name="root"),
    re_path(r"^scim/v2/(?P<path>.+)$", api.endpoint, name="endpoint"),
    path("staff/scim/", views.tokens, name="tokens"),
    path("staff/scim/<int:pk>/revoke/", views.revoke, name="revoke"),
]
