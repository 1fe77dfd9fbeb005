from django.urls import URLPattern, URLResolver, path

from cercle.wiki import views

article = "c/<slug:slug>/wiki/<slug:article>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/s/<slug:space>/wiki/", views.space_articles, name="wiki_space"),
    path("c/<slug:slug>/s/<slug:space>/wiki/new/", views.new_article, name="wiki_new"),
    path(article, views.article, name="wiki_article"),
    path(article + "edit/", views.edit_article, name="wiki_edit"),
    path(article + "history/", views.history, name="wiki_history"),
    path(article + "diff/", views.diff, name="wiki_diff"),
    path(article + "v/<int:number>/", views.revision, name="wiki_revision"),
    path(article + "v/<int:number>/restore/", views.restore, name="wiki_restore"),
]
