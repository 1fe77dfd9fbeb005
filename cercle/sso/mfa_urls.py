from django.urls import URLPattern, URLResolver, path

from cercle.sso import mfa_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/security/two-factor/", mfa_views.mfa_policy, name="mfa_policy"),
    path("staff/sessions/", mfa_views.sessions_staff_search, name="sessions_staff_search"),
    path("staff/people/<slug:handle>/sessions/", mfa_views.sessions_staff, name="sessions_staff"),
    # Before allauth's own list at the same address (cercle/urls.py includes sso first).
    path("accounts/sessions/", mfa_views.sessions_list, name="sessions_list"),
    path("accounts/sessions/<int:session_id>/end/", mfa_views.sessions_end, name="sessions_end"),
]
