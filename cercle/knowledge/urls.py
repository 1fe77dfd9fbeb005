from django.urls import URLPattern, URLResolver, path

from cercle.knowledge import views

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<slug:slug>/library/", views.library, name="library"),
    path("c/<slug:slug>/library/new/", views.new_collection, name="new_collection"),
    path("c/<slug:slug>/library/<slug:collection>/", views.collection, name="collection"),
    path(
        "c/<slug:slug>/library/<slug:collection>/move/",
        views.move_collection,
        name="move_collection",
    ),
    path(
        "c/<slug:slug>/library/<slug:collection>/edit/",
        views.edit_collection,
        name="edit_collection",
    ),
    path("c/<slug:slug>/library/<slug:collection>/cover/", views.cover, name="cover"),
    path("c/<slug:slug>/library/<slug:collection>/related/", views.related, name="related"),
    path("c/<slug:slug>/library/<slug:collection>/reorder/", views.reorder, name="reorder"),
    path("c/<slug:slug>/library/<slug:collection>/link/", views.add_link, name="add_link"),
    path("c/<slug:slug>/library/<slug:collection>/file/", views.add_file, name="add_file"),
    path("c/<slug:slug>/library/<slug:collection>/note/", views.add_note, name="add_note"),
    path(
        "c/<slug:slug>/library/<slug:collection>/import/",
        views.import_bookmarks,
        name="import_bookmarks",
    ),
    path("c/<slug:slug>/library/<slug:collection>/export/", views.export, name="export"),
    path("c/<slug:slug>/resources/<int:pk>/", views.resource, name="resource"),
    path("c/<slug:slug>/resources/<int:pk>/download/", views.download, name="download"),
    path("c/<slug:slug>/resources/<int:pk>/comment/", views.comment, name="comment"),
    path("c/<slug:slug>/resources/<int:pk>/react/", views.react, name="react"),
    path("c/<slug:slug>/resources/<int:pk>/move/", views.move_resource, name="move_resource"),
    path("c/<slug:slug>/resources/<int:pk>/edit/", views.edit_resource, name="edit_resource"),
    path("c/<slug:slug>/resources/<int:pk>/delete/", views.delete_resource, name="delete_resource"),
]
