from django.urls import path

from . import intake_views, review_views, views

app_name = "families"

urlpatterns = [
    path("", views.family_list, name="list"),
    path("intake/", intake_views.intake_home, name="intake_home"),
    path("intake/<uuid:draft_id>/step/<int:step>/", intake_views.intake_step, name="intake_step"),
    path("intake/<uuid:draft_id>/match/", intake_views.intake_match, name="intake_match"),
    path("intake/<uuid:draft_id>/discard/", intake_views.intake_discard, name="intake_discard"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/<uuid:review_id>/", review_views.review_decide, name="review_decide"),
    path("duplication/", review_views.duplication_list, name="duplication"),
    path("duplication/<uuid:household_id>/ask/", review_views.duplication_ask, name="duplication_ask"),
    path("duplication/<uuid:household_id>/review/", review_views.duplication_review, name="duplication_review"),
    path("<uuid:household_id>/", views.family_detail, name="detail"),
    path("<uuid:household_id>/merges/<uuid:merge_id>/undo/", review_views.merge_undo, name="merge_undo"),
]
