from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("cercle.ui.urls")),
    path("", include("cercle.membership.urls")),
    path("", include("cercle.conversations.urls")),
    path("", include("cercle.people.urls")),
    path("", include("cercle.notifications.urls")),
    path("", include("cercle.knowledge.urls")),
    path("", include("cercle.wiki.urls")),
    path("", include("cercle.animation.urls")),
    path("", include("cercle.activities.urls")),
    path("", include("cercle.contests.urls")),
    path("", include("cercle.events.urls")),
    path("", include("cercle.personas.urls")),
    path("", include("cercle.ideas.urls")),
    path("", include("cercle.onboarding.urls")),
    path("", include("cercle.badges.urls")),
    path("", include("cercle.analytics.urls")),
    path("", include("cercle.value.urls")),
    path("", include("cercle.nextactions.urls")),
    path("", include("cercle.search.urls")),
    path("", include("cercle.sso.urls")),
    path("", include("cercle.sso.mfa_urls")),
    path("", include("cercle.scim.urls")),
    path("", include("cercle.privacy.urls")),
    path("", include("cercle.audit.urls")),
    path("", include("cercle.api.urls")),
    path("", include("cercle.oauth.urls")),
    path("", include("cercle.webhooks.urls")),
    path("", include("cercle.bridges.urls")),
    path("", include("cercle.mailin.urls")),
    path("", include("cercle.feeds.urls")),
    path("accounts/", include("cercle.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
