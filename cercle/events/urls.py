from django.urls import URLPattern, URLResolver, path

from cercle.events import views

app_name = "events"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/events/", views.event_list, name="list"),
    path("c/<slug:slug>/events.ics", views.community_feed, name="feed"),
    path("c/<slug:slug>/events/new/", views.new_event, name="new"),
    path("c/<slug:slug>/events/calendar/", views.calendar_links, name="calendar"),
    path("c/<slug:slug>/events/calendar/renew/", views.renew_feed, name="renew_feed"),
    path("c/<slug:slug>/events/feed/<str:token>.ics", views.personal_feed, name="personal_feed"),
    path("c/<slug:slug>/events/<int:pk>/", views.event, name="event"),
    path("c/<slug:slug>/events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("c/<slug:slug>/events/<int:pk>/edit/", views.edit_event, name="edit"),
    path("c/<slug:slug>/events/<int:pk>/cancel/", views.cancel_event, name="cancel"),
    path("c/<slug:slug>/events/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("c/<slug:slug>/events/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("c/<slug:slug>/events/rituals/", views.ritual_list, name="rituals"),
    path("c/<slug:slug>/events/rituals/new/", views.new_ritual, name="new_ritual"),
    path("c/<slug:slug>/events/rituals/<int:pk>/", views.ritual, name="ritual"),
    path("c/<slug:slug>/events/rituals/<int:pk>/edit/", views.edit_ritual, name="edit_ritual"),
    path("c/<slug:slug>/events/rituals/<int:pk>/stop/", views.stop_ritual, name="stop_ritual"),
]
