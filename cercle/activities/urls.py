from django.urls import URLPattern, URLResolver, path

from cercle.activities import views

app_name = "activities"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/activities/", views.activities, name="list"),
    # Polls.
    path("c/<slug:slug>/polls/new/", views.new_poll, name="new_poll"),
    path("c/<slug:slug>/polls/<int:pk>/", views.poll, name="poll"),
    path("c/<slug:slug>/polls/<int:pk>/vote/", views.vote, name="vote"),
    path("c/<slug:slug>/polls/<int:pk>/edit/", views.edit_poll, name="edit_poll"),
    path("c/<slug:slug>/polls/<int:pk>/delete/", views.delete_poll, name="delete_poll"),
    # Quizzes.
    path("c/<slug:slug>/quizzes/new/", views.new_quiz, name="new_quiz"),
    path("c/<slug:slug>/quizzes/<int:pk>/", views.quiz, name="quiz"),
    path("c/<slug:slug>/quizzes/<int:pk>/answer/", views.answer_quiz, name="answer_quiz"),
    path("c/<slug:slug>/quizzes/<int:pk>/edit/", views.edit_quiz, name="edit_quiz"),
    path("c/<slug:slug>/quizzes/<int:pk>/delete/", views.delete_quiz, name="delete_quiz"),
    # Challenges.
    path("c/<slug:slug>/challenges/new/", views.new_challenge, name="new_challenge"),
    path("c/<slug:slug>/challenges/<int:pk>/", views.challenge, name="challenge"),
    path(
        "c/<slug:slug>/challenges/<int:pk>/answer/",
        views.answer_challenge,
        name="answer_challenge",
    ),
    path(
        "c/<slug:slug>/challenges/<int:pk>/answers/<int:answer_pk>/remove/",
        views.remove_answer,
        name="remove_answer",
    ),
    path("c/<slug:slug>/challenges/<int:pk>/edit/", views.edit_challenge, name="edit_challenge"),
    path(
        "c/<slug:slug>/challenges/<int:pk>/delete/", views.delete_challenge, name="delete_challenge"
    ),
]
