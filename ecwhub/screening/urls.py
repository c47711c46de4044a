from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("families/<uuid:household_id>/screenings/", views.family_screenings, name="family"),
    path("families/<uuid:household_id>/screenings/start/", views.screening_start_view, name="start"),
    path("families/<uuid:household_id>/screenings/<uuid:response_id>/", views.screening_take, name="take"),
    path("families/<uuid:household_id>/screenings/<uuid:response_id>/result/", views.screening_result, name="result"),
    path("families/<uuid:household_id>/needs/", views.family_needs, name="needs"),
    path("families/<uuid:household_id>/alerts/<uuid:alert_id>/", views.alert_detail, name="alert"),
    path("screenings/alerts/", views.alert_inbox, name="inbox"),
    path("my-family/screenings/", views.my_screenings, name="mine"),
    path("my-family/screenings/start/", views.my_screening_start, name="mine_start"),
    path("my-family/screenings/<uuid:response_id>/", views.my_screening_take, name="mine_take"),
    path("my-family/screenings/<uuid:response_id>/result/", views.my_screening_result, name="mine_result"),
    path("my-family/needs/", views.my_needs, name="mine_needs"),
]
