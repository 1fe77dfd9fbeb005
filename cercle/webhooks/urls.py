from django.urls import URLPattern, URLResolver, path

from cercle.webhooks import views

app_name = "webhooks"

# A community's endpoints and the instance's: the same views, the same routes.
urlpatterns: list[URLPattern | URLResolver] = []
for prefix, name_prefix in (("c/<slug:slug>/webhooks/", ""), ("staff/webhooks/", "staff_")):
    urlpatterns += [
        path(prefix, views.endpoints, name=f"{name_prefix}list"),
        path(f"{prefix}<int:pk>/", views.endpoint, name=f"{name_prefix}endpoint"),
        path(f"{prefix}<int:pk>/rotate/", views.rotate, name=f"{name_prefix}rotate"),
        path(f"{prefix}<int:pk>/ping/", views.ping, name=f"{name_prefix}ping"),
        path(f"{prefix}<int:pk>/delete/", views.delete, name=f"{name_prefix}delete"),
        path(
            f"{prefix}<int:pk>/deliveries/<int:delivery>/resend/",
            views.resend,
            name=f"{name_prefix}resend",
        ),
    ]
