from django.urls import path

from cercle.analytics import views

app_name = "analytics"
urlpatterns = [
    path("c/<slug:slug>/cockpit/", views.cockpit, name="cockpit"),
    path("c/<slug:slug>/cockpit/csv/<slug:table>/", views.table_csv, name="csv"),
    path("c/<slug:slug>/cockpit/report/<int:year>-<int:month>/", views.report, name="report"),
    path("c/<slug:slug>/cockpit/levels/", views.rule, name="rule"),
]
