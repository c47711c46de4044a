from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.my_referrals, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.referral_new, name="new"),
    path("family/", views.family_referrals, name="family"),
    path("services/<uuid:service_id>/capacity/", views.service_capacity, name="capacity"),
    path("<uuid:referral_id>/", views.referral_detail, name="detail"),
    path("<uuid:referral_id>/send/", views.referral_send_view, name="send"),
    path("<uuid:referral_id>/consent/", views.referral_consent, name="consent"),
    path("<uuid:referral_id>/act/", views.referral_act, name="act"),
    path("<uuid:referral_id>/print/", views.referral_print, name="print"),
    path("<uuid:referral_id>/referral.pdf", views.referral_pdf, name="pdf"),
    path("<uuid:referral_id>/email/", views.referral_email_view, name="email"),
    path("<uuid:referral_id>/follow-up/", views.followup_done, name="followup_done"),
    path("escalations/", views.escalations_list, name="escalations"),
    path("escalations/<uuid:referral_id>/", views.escalation_act, name="escalation_act"),
]

# The family's answers after a completed referral (feedback.py): by their link, or in person.
from . import feedback  # noqa: E402

urlpatterns += [
    path("feedback/<str:token>/", feedback.feedback_page, name="feedback"),
    path("<uuid:referral_id>/feedback/", views.feedback_in_person, name="feedback_in_person"),
]
