from django.urls import path

from . import views

app_name = "families"

urlpatterns = [
    path("", views.family_list, name="list"),
    path("<uuid:household_id>/", views.family_detail, name="detail"),
]
