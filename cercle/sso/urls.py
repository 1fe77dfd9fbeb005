from django.urls import URLPattern, URLResolver, path

from cercle.sso import oidc_views, saml_views, views

app_name = "sso"

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/sso/", views.overview, name="overview"),
    path("staff/sso/domains/<int:pk>/remove/", views.remove_domain, name="remove_domain"),
    path("staff/sso/rules/", views.rules, name="rules"),
    path("staff/sso/rules/new/", views.edit_rule, name="new_rule"),
    path("staff/sso/rules/<int:pk>/", views.edit_rule, name="edit_rule"),
    path("staff/sso/rules/<int:pk>/delete/", views.delete_rule, name="delete_rule"),
    path("staff/sso/dry-run/", views.dry_run, name="dry_run"),
    # The same paths as allauth's openid_connect views, which these replace (they add
    # the nonce): cercle/urls.py includes this module before allauth's. allauth still
    # reverses its own names to the same paths.
    path("accounts/oidc/<str:provider_id>/login/", oidc_views.login, name="openid_connect_login"),
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        oidc_views.callback,
        name="openid_connect_callback",
    ),
    # SAML: takes the place of allauth's own view at the same address (this module is
    # included before allauth's URLs); allauth's ACS view redirects to that address.
    path(
        "accounts/saml/<str:organization_slug>/acs/finish/",
        saml_views.finish_acs,
        name="saml_finish_acs",
    ),
]
