"""The OAuth 2.0 endpoints (django-oauth-toolkit's authorize, token and revoke views,
and nothing else of its: no introspection, device flow, OpenID Connect or management
pages of its own), the staff pages of applications and a person's authorized
applications."""

from django.urls import URLPattern, URLResolver, path
from oauth2_provider.views import base as dot

from cercle.oauth import views

app_name = "oauth"

urlpatterns: list[URLPattern | URLResolver] = [
    path("oauth/authorize/", views.ConsentView.as_view(), name="authorize"),
    path("oauth/token/", dot.TokenView.as_view(), name="token"),
    path("oauth/revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("staff/oauth/", views.applications, name="applications"),
    path("staff/oauth/new/", views.register, name="register"),
    path("staff/oauth/<int:pk>/", views.application, name="application"),
    path("staff/oauth/<int:pk>/edit/", views.edit, name="edit"),
    path("staff/oauth/<int:pk>/delete/", views.delete, name="delete"),
    path("accounts/applications/", views.authorized, name="authorized"),
    path("accounts/applications/<int:pk>/revoke/", views.revoke, name="revoke"),
]
