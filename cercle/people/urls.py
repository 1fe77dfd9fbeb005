from django.urls import path

from cercle.people import views

urlpatterns = [
    # "me" comes first: it is the edit page, never a person's handle.
    path("people/me/", views.edit_profile, name="profile_edit"),
    path("people/me/expertise/", views.declare_expertise, name="expertise_declare"),
    path(
        "people/me/expertise/<int:expertise_id>/remove/",
        views.remove_expertise,
        name="expertise_remove",
    ),
    path("people/<slug:handle>/", views.profile, name="profile"),
    path("people/<slug:handle>/photo/", views.avatar, name="profile_photo"),
    path("people/<slug:handle>/card/", views.card, name="profile_card"),
    path("c/<slug:slug>/people/", views.directory, name="community_people"),
    path("c/<slug:slug>/experts/", views.experts, name="community_experts"),
    path("follow/<str:kind>/<int:target_id>/", views.follow, name="follow"),
    path("unfollow/<str:kind>/<int:target_id>/", views.unfollow, name="unfollow"),
]
