from django.urls import path

from cercle.accounts import views

urlpatterns = [
    path("preferences/", views.preferences, name="account_preferences"),
    # account_delete lives in cercle.privacy (it needs the apps above this one).
]
