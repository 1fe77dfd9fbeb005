from django.urls import URLPattern, URLResolver

app_name = "oauth"

urlpatterns: list[URLPattern | URLResolver] = []
