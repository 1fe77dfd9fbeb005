from django.urls import path

from cercle.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/", views.open_notification, name="notification_open"),
    path("notifications/read/", views.mark_all_read, name="notifications_read_all"),
    path("notifications/bell/", views.bell, name="notification_bell"),
    path("notifications/count/", views.unread_count, name="notification_count"),
    path("notifications/settings/", views.email_settings, name="notification_settings"),
    path("notifications/settings/resume-mail/", views.resume_mail, name="notification_mail_resume"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="notification_unsubscribe",
    ),
]
