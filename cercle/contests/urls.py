from django.urls import URLPattern, URLResolver, path

from cercle.contests import views

app_name = "contests"

contest = "c/<slug:slug>/contests/<int:pk>/"
entry = contest + "entries/<int:entry>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/contests/", views.contest_list, name="list"),
    path("c/<slug:slug>/contests/new/", views.new, name="new"),
    path(contest, views.detail, name="detail"),
    path(contest + "edit/", views.edit, name="edit"),
    path(contest + "delete/", views.delete, name="delete"),
    path(contest + "enter/", views.enter, name="enter"),
    path(contest + "results/", views.results, name="results"),
    path(contest + "announce/", views.announce, name="announce"),
    path(entry, views.entry, name="entry"),
    path(entry + "edit/", views.edit_entry, name="edit_entry"),
    path(entry + "withdraw/", views.withdraw_entry, name="withdraw_entry"),
    path(entry + "vote/", views.vote, name="vote"),
    path(entry + "score/", views.score, name="score"),
    path(contest + "files/<int:file>/<path:name>", views.entry_file, name="file"),
]
