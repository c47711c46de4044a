from django.urls import path

from . import coordinator_views, day_views, views

app_name = "care"

urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("overdue/", views.overdue, name="overdue"),
    path("rates/", views.rates, name="rates"),
    path("families/<uuid:household_id>/epsdt/", views.epsdt_add, name="epsdt_add"),
    path("families/<uuid:household_id>/epsdt/<uuid:record_id>/end/", views.epsdt_end, name="epsdt_end"),
    path("families/<uuid:household_id>/contacts/", views.contact_add, name="contact_add"),
    path("families/<uuid:household_id>/events/", views.event_add, name="event_add"),
    path("families/<uuid:household_id>/coordinator/", coordinator_views.assign, name="coordinator_assign"),
    path("families/<uuid:household_id>/coordinator/transfer/", coordinator_views.transfer, name="coordinator_transfer"),
    path("coordinators/", coordinator_views.coverage, name="coordinators"),
    path("my-day/", day_views.my_day, name="my_day"),
    path("families/<uuid:household_id>/encounters/new/", day_views.encounter_new, name="encounter_new"),
    path("families/<uuid:household_id>/tasks/", day_views.task_add, name="task_add"),
    path("families/<uuid:household_id>/tasks/<int:task_id>/done/", day_views.task_done, name="task_done"),
]
