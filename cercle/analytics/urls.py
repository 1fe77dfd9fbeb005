from django.urls import path, re_path

from cercle.analytics import queries, views

app_name = "analytics"
# The sub-pages are named one by one: other apps' pages live under cockpit/ too.
SECTION = "|".join(queries.SECTIONS)
urlpatterns = [
    path("c/<slug:slug>/cockpit/", views.cockpit, name="cockpit"),
    re_path(
        rf"^c/(?P<slug>[-a-zA-Z0-9_]+)/cockpit/(?P<section>{SECTION})/$",
        views.section,
        name="section",
    ),
    path("c/<slug:slug>/cockpit/csv/<slug:table>/", views.table_csv, name="csv"),
    path("c/<slug:slug>/cockpit/report/<int:year>-<int:month>/", views.report, name="report"),
    path("c/<slug:slug>/cockpit/levels/", views.rule, name="rule"),
]
