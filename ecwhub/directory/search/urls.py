from django.urls import path

from . import views

app_name = "directory_search"

urlpatterns = [
    path("", views.search, name="search"),
]
