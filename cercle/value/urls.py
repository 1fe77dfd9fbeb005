from django.urls import URLPattern, URLResolver, path

from cercle.value import views

app_name = "value"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/value/", views.stories, name="stories"),
    path("c/<slug:slug>/value/new/", views.new_story, name="new"),
    path("c/<slug:slug>/value/summary/", views.summary, name="summary"),
    path("c/<slug:slug>/value/sponsors/", views.sponsors, name="sponsors"),
    path(
        "c/<slug:slug>/value/sponsors/<int:pk>/remove/",
        views.remove_sponsor,
        name="remove_sponsor",
    ),
    path("c/<slug:slug>/value/<int:pk>/", views.story, name="story"),
    path("c/<slug:slug>/value/<int:pk>/edit/", views.edit_story, name="edit"),
    path("c/<slug:slug>/value/<int:pk>/delete/", views.delete_story, name="delete"),
]
