from django.urls import path

from . import views

app_name = "careplans"

urlpatterns = [
    path("families/<uuid:household_id>/plan/", views.plan, name="plan"),
    path("families/<uuid:household_id>/plan/team/", views.team_add, name="team_add"),
    path("families/<uuid:household_id>/plan/team/<uuid:member_id>/remove/", views.team_remove, name="team_remove"),
    path("families/<uuid:household_id>/plan/notes/", views.note_add, name="note_add"),
    path("families/<uuid:household_id>/plan/goals/", views.goal_add, name="goal_add"),
    path("families/<uuid:household_id>/plan/goals/<uuid:goal_id>/progress/", views.progress_add, name="progress_add"),
    path("families/<uuid:household_id>/plan/barriers/", views.barrier_add, name="barrier_add"),
    path(
        "families/<uuid:household_id>/plan/barriers/<int:barrier_id>/resolve/",
        views.barrier_resolve,
        name="barrier_resolve",
    ),
    path("my-family/plan/", views.family_plan, name="family_plan"),
    path("my-family/plan/goals/<uuid:goal_id>/comment/", views.family_comment, name="family_comment"),
    path("care/review/", views.review, name="review"),
]
