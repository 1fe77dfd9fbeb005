from django.urls import path

from cercle.membership import views

urlpatterns = [
    path("communities/", views.directory, name="community_directory"),
    path("communities/new/", views.create, name="community_create"),
    path("communities/mine/", views.mine, name="my_communities"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("invitations/<str:token>/accept/", views.accept_invitation, name="invitation_accept"),
    path("invitations/<str:token>/decline/", views.decline_invitation, name="invitation_decline"),
    path("c/<slug:slug>/", views.landing, name="community"),
    path("c/<slug:slug>/join/", views.join, name="community_join"),
    path("c/<slug:slug>/join/cancel/", views.cancel_request, name="community_cancel_request"),
    path("c/<slug:slug>/leave/", views.leave, name="community_leave"),
    path("c/<slug:slug>/image/<str:kind>/", views.image, name="community_image"),
    path("c/<slug:slug>/manage/", views.manage, name="community_manage"),
    path("c/<slug:slug>/manage/members/", views.manage_members, name="community_members"),
    path(
        "c/<slug:slug>/manage/members/<int:membership_id>/<str:operation>/",
        views.member_operation,
        name="community_member_operation",
    ),
    path(
        "c/<slug:slug>/manage/invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="community_invitation_revoke",
    ),
    path("c/<slug:slug>/manage/spaces/", views.manage_spaces, name="community_spaces"),
    path(
        "c/<slug:slug>/manage/spaces/<slug:space>/",
        views.edit_space,
        name="community_space_edit",
    ),
]
