from django.urls import URLPattern, URLResolver, path

from cercle.badges import views

app_name = "badges"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/badges/", views.community_badges, name="community"),
    path("c/<slug:slug>/badges/new/", views.new_badge, name="new"),
    path("c/<slug:slug>/badges/showcase/", views.showcase, name="showcase"),
    path("c/<slug:slug>/badges/<int:badge_id>/", views.custom_badge, name="custom"),
    path("c/<slug:slug>/badges/<int:badge_id>/image/", views.image, name="image"),
    path(
        "c/<slug:slug>/badges/<int:badge_id>/revoke/<int:award_id>/",
        views.revoke,
        name="revoke",
    ),
]
