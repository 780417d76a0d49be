from django.urls import path

from guests.views import merge

# Included at "duplicates/" in the "guests" namespace.
urlpatterns = [
    path("", merge.duplicate_queue, name="duplicates"),
    path("<int:a_id>/<int:b_id>/", merge.merge_compare, name="merge"),
    path("<int:a_id>/<int:b_id>/dismiss/", merge.duplicate_dismiss, name="duplicate-dismiss"),
    path("merges/<int:merge_id>/undo/", merge.merge_undo, name="merge-undo"),
]
