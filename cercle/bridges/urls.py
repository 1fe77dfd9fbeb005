from django.urls import URLPattern, URLResolver, path

from cercle.bridges import views

app_name = "bridges"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/bridges/", views.bridge_list, name="list"),
    path("c/<slug:slug>/bridges/new/", views.bridge_new, name="new"),
    path("c/<slug:slug>/bridges/<int:pk>/", views.bridge_edit, name="edit"),
    path("c/<slug:slug>/bridges/<int:pk>/delete/", views.bridge_delete, name="delete"),
    path("c/<slug:slug>/bridges/<int:pk>/test/", views.bridge_test, name="test"),
]
