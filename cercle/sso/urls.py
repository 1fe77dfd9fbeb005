from django.urls import URLPattern, URLResolver, path

from cercle.sso import oidc_views

urlpatterns: list[URLPattern | URLResolver] = [
    # The same paths and names as allauth's openid_connect views, which these replace
    # (they add the nonce): cercle/urls.py includes this module before allauth's.
    path("accounts/oidc/<str:provider_id>/login/", oidc_views.login, name="openid_connect_login"),
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        oidc_views.callback,
        name="openid_connect_callback",
    ),
]
