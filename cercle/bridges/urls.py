from django.urls import URLPattern, URLResolver

app_name = "bridges"

urlpatterns: list[URLPattern | URLResolver] = []
