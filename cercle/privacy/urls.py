from django.urls import URLPattern, URLResolver, path

from cercle.privacy import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/data/", views.data, name="privacy_data"),
    path("accounts/data/<int:export_id>/download/", views.download, name="privacy_download"),
    path("accounts/delete/", views.delete_account, name="account_delete"),
    path("staff/data-exports/", views.staff_exports, name="privacy_staff_exports"),
]
