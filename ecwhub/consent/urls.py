from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("families/<uuid:household_id>/consent/", views.consent_page, name="consents"),
    path(
        "families/<uuid:household_id>/consent/<uuid:consent_id>/withdraw/",
        views.consent_withdraw_page,
        name="withdraw",
    ),
    path("families/<uuid:household_id>/disclosures/", views.disclosure_report, name="disclosures"),
    path("families/<uuid:household_id>/emergency/", views.emergency_access, name="emergency"),
    path("families/<uuid:household_id>/sensitive/", views.sensitive_note_add, name="sensitive_note"),
    path(
        "families/<uuid:household_id>/export.<str:fmt>",
        views.family_export_page,
        name="export",
    ),
    path("my-family/", views.my_family, name="my_family"),
    path("my-family/export.<str:fmt>", views.my_family_export, name="my_family_export"),
    path("my-family/disclosures/", views.my_family_disclosures, name="my_family_disclosures"),
    path("my-family/consent/<uuid:consent_id>/withdraw/", views.my_family_withdraw, name="my_family_withdraw"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/emergency-access/", views.emergency_review, name="emergency_review"),
    path(
        "agreements/emergency-access/<uuid:grant_id>/reviewed/",
        views.emergency_mark_reviewed,
        name="emergency_reviewed",
    ),
    path("agreements/<uuid:agreement_id>/", views.agreement_detail, name="agreement"),
]
