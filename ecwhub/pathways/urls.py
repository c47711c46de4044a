from django.urls import path

from . import views

app_name = "pathways"
urlpatterns = [
    path("definitions/", views.definitions, name="definitions"),
    path("definitions/new/", views.definition_edit, name="definition_new"),
    path("definitions/<slug:key>/", views.definition_edit, name="definition_edit"),
    path("family/<uuid:household_id>/open/", views.open_pathway, name="open"),
    path("review/", views.queue, name="queue"),
    path("counts/", views.counts, name="counts"),
    path("<uuid:pathway_id>/", views.detail, name="detail"),
    path("<uuid:pathway_id>/steps/<int:step_id>/done/", views.step_complete, name="step_complete"),
    path("<uuid:pathway_id>/steps/<int:step_id>/referral/", views.step_link, name="step_link"),
    path("<uuid:pathway_id>/closure/", views.submit, name="submit"),
    path("<uuid:pathway_id>/review/", views.review, name="review"),
]
