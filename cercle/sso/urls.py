from django.urls import URLPattern, URLResolver, path

from cercle.sso import saml_views

urlpatterns: list[URLPattern | URLResolver] = [
    # Takes the place of allauth's own view at the same address (included before it).
    path(
        "accounts/saml/<str:organization_slug>/acs/finish/",
        saml_views.finish_acs,
        name="saml_finish_acs",
    ),
]
