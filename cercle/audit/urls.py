from django.urls import URLPattern, URLResolver, path

from cercle.audit import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/", views.staff_tools, name="staff_tools"),
    path("staff/security/", views.security_log, name="staff_security_log"),
    path("staff/security/export.csv", views.security_log_csv, name="staff_security_log_csv"),
]
