from django.urls import URLPattern, URLResolver, path

from cercle.nextactions import views

app_name = "nextactions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/cockpit/next/", views.queue, name="queue"),
    path("c/<slug:slug>/cockpit/next/decide/", views.decide, name="decide"),
    path("c/<slug:slug>/cockpit/next/questions/<int:topic_id>/ask/", views.ask, name="ask"),
    path(
        "c/<slug:slug>/cockpit/next/newcomers/<int:person_id>/welcome/",
        views.welcome,
        name="welcome",
    ),
]
