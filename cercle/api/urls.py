from django.urls import URLPattern, URLResolver, path

from cercle.api.core import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
]
