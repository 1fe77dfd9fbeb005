from django.urls import URLPattern, URLResolver, path

from cercle.api import views
from cercle.api.core import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/tokens/", views.tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
    path("api/reference/", views.reference, name="api_reference"),
    path("api/v1/", api.urls),
]
