from django.urls import path

from cercle.ui import views

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language_page, name="language"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.health, name="health"),
]
