from django.urls import URLPattern, URLResolver, path

from cercle.mailin import views

app_name = "mailin"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/mail/", views.mail_settings, name="settings"),
    path("staff/mail/", views.received_log, name="log"),
    path("staff/mail/<int:pk>/", views.received_detail, name="received"),
    path("staff/mail/<int:pk>/try-again/", views.received_try_again, name="try_again"),
]
