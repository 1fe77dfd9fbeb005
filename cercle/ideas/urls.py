from django.urls import URLPattern, URLResolver, path

from cercle.ideas import views

app_name = "ideas"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/ideas/", views.board, name="board"),
    path("c/<slug:slug>/ideas/new/", views.propose, name="new"),
    path("c/<slug:slug>/ideas/<int:pk>/", views.idea, name="idea"),
    path("c/<slug:slug>/ideas/<int:pk>/vote/", views.vote, name="vote"),
    path("c/<slug:slug>/ideas/<int:pk>/decide/", views.decide, name="decide"),
]
