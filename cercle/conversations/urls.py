from django.urls import path

from cercle.conversations import views

topic = "c/<slug:slug>/s/<slug:space>/t/<int:topic_id>/"
post = topic + "p/<int:position>/"

urlpatterns = [
    path("c/<slug:slug>/s/<slug:space>/", views.space, name="space"),
    path("c/<slug:slug>/s/<slug:space>/new/", views.new_topic, name="topic_new"),
    path("c/<slug:slug>/s/<slug:space>/new/draft/", views.draft, name="topic_new_draft"),
    path("c/<slug:slug>/s/<slug:space>/preview/", views.preview, name="composer_preview"),
    path("c/<slug:slug>/s/<slug:space>/upload/", views.upload, name="composer_upload"),
    path(topic, views.topic, name="topic"),
    path(topic + "draft/", views.draft, name="topic_draft"),
    path(topic + "reply/", views.reply, name="topic_reply"),
    path(topic + "unaccept/", views.unaccept, name="topic_unaccept"),
    path(topic + "moderate/", views.moderate_topic, name="topic_moderate"),
    path(post + "moderate/", views.moderate_post, name="post_moderate"),
    path("c/<slug:slug>/manage/moderation/", views.moderation_queue, name="moderation_queue"),
    path("c/<slug:slug>/manage/moderation/log/", views.moderation_log, name="moderation_log"),
    path(post + "edit/", views.edit, name="post_edit"),
    path(post + "history/", views.history, name="post_history"),
    path(post + "delete/", views.delete, name="post_delete"),
    path(post + "accept/", views.accept, name="post_accept"),
    path(post + "flag/", views.flag, name="post_flag"),
    path(post + "react/<str:kind>/", views.react, name="post_react"),
    path("c/<slug:slug>/mentions/", views.mention_candidates, name="mention_candidates"),
    path("c/<slug:slug>/manage/tags/", views.tags, name="community_tags"),
    # Outside /c/: polling is not a visit to the community (cercle/activity/presence.py).
    path("t/<int:topic_id>/since/<int:position>/", views.new_posts, name="topic_new_posts"),
    path("attachments/<int:attachment_id>/<path:name>", views.attachment, name="attachment"),
]
