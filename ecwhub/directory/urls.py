from django.urls import path

from . import import_views, views

app_name = "directory"

urlpatterns = [
    path("", views.directory_index, name="index"),
    path("import/", import_views.directory_import_page, name="import"),
    path("services/", views.service_list, name="service_list"),
    path("services/<uuid:service_id>/", views.service_detail, name="service_detail"),
    path("services/<uuid:service_id>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:service_id>/verify/", views.service_verify_view, name="service_verify"),
    path("organizations/<uuid:organization_id>/", views.organization_detail, name="organization_detail"),
]
