from django.urls import URLPattern, URLResolver, path

from cercle.sso import saml_views, views

app_name = "sso"

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/sso/", views.overview, name="overview"),
    path("staff/sso/domains/<int:pk>/remove/", views.remove_domain, name="remove_domain"),
    path("staff/sso/rules/", views.rules, name="rules"),
    path("staff/sso/rules/new/", views.edit_rule, name="new_rule"),
    path("staff/sso/rules/<int:pk>/", views.edit_rule, name="edit_rule"),
    path("staff/sso/rules/<int:pk>/delete/", views.delete_rule, name="delete_rule"),
    path("staff/sso/dry-run/", views.dry_run, name="dry_run"),
    # SAML: takes the place of allauth's own view at the same address (this module is
    # included before allauth's URLs); allauth's ACS view redirects to that address.
    path(
        "accounts/saml/<str:organization_slug>/acs/finish/",
        saml_views.finish_acs,
        name="saml_finish_acs",
    ),
]
