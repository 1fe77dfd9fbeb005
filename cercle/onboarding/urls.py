from django.urls import URLPattern, URLResolver, path

from cercle.onboarding import views

app_name = "onboarding"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/welcome/", views.welcome, name="welcome"),
    path("c/<slug:slug>/welcome/settings/", views.settings, name="settings"),
    path("c/<slug:slug>/newcomers/", views.newcomers, name="newcomers"),
    path(
        "c/<slug:slug>/newcomers/<int:person_id>/welcome/",
        views.welcome_newcomer,
        name="welcome_newcomer",
    ),
]
