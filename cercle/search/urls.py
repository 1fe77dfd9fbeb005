from django.urls import path

from cercle.search import views

urlpatterns = [
    path("search/", views.results, name="search"),
    path("c/<slug:slug>/similar/", views.similar_questions, name="similar_questions"),
]
