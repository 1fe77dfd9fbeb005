from django.urls import URLPattern, URLResolver, path

from cercle.animation import views

app_name = "animation"

calendar = "c/<slug:slug>/calendar/"
post = calendar + "posts/<int:post_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(calendar, views.calendar, name="calendar"),
    path(calendar + "rhythm/", views.rhythm, name="rhythm"),
    path(calendar + "new-post/", views.new_post, name="new_post"),
    path(post, views.post, name="post"),
    path(post + "edit/", views.edit_post, name="edit_post"),
    path(post + "publish/", views.publish_post, name="publish_post"),
    path(post + "delete/", views.delete_post, name="delete_post"),
]
