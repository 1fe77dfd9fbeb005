from django.urls import URLPattern, URLResolver, path

from cercle.personas import views

app_name = "personas"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/personas/", views.persona_list, name="list"),
    path("c/<slug:slug>/personas/new/", views.new, name="new"),
    path("c/<slug:slug>/personas/audit/", views.audit, name="audit"),
    path("c/<slug:slug>/personas/<slug:persona>/", views.detail, name="detail"),
    path("c/<slug:slug>/personas/<slug:persona>/edit/", views.edit, name="edit"),
    path("c/<slug:slug>/personas/<slug:persona>/retire/", views.retire, name="retire"),
    path("c/<slug:slug>/personas/<slug:persona>/avatar/", views.avatar, name="avatar"),
]
