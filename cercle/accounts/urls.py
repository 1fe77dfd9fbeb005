from django.urls import path

from cercle.accounts import views

urlpatterns = [
    path("preferences/", views.preferences, name="account_preferences"),
    path("delete/", views.delete_account, name="account_delete"),
]
