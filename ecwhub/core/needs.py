"""The one need vocabulary shared by the directory, screening and referrals.

Social needs use the HL7 Gravity SDOH category codes; the early-childhood domains, which
Gravity does not cover, use the hub's own code system.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

GRAVITY_SDOH_SYSTEM = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
ECWHUB_NEED_SYSTEM = "urn:ecwhub:codesystem:need"


class Need(models.TextChoices):
    # Gravity SDOH domains
    FOOD_INSECURITY = "food-insecurity", _("Food insecurity")
    HOUSING_INSTABILITY = "housing-instability", _("Housing instability")
    HOMELESSNESS = "homelessness", _("Homelessness")
    INADEQUATE_HOUSING = "inadequate-housing", _("Inadequate housing")
    TRANSPORTATION_INSECURITY = "transportation-insecurity", _("Transportation insecurity")
    UTILITY_INSECURITY = "utility-insecurity", _("Utility insecurity")
    FINANCIAL_INSECURITY = "financial-insecurity", _("Financial insecurity")
    EMPLOYMENT = "employment-status", _("Employment")
    EDUCATION = "educational-attainment", _("Education")
    HEALTH_INSURANCE = "health-insurance-coverage-status", _("Health insurance coverage")
    INTERPERSONAL_SAFETY = "intimate-partner-violence", _("Interpersonal safety")
    SOCIAL_CONNECTION = "social-connection", _("Social connection")
    STRESS = "stress", _("Stress")
    MATERIAL_HARDSHIP = "material-hardship", _("Material hardship")
    DIGITAL_ACCESS = "digital-access", _("Digital access")
    # Needs named by the network that Gravity has no category for
    CHILD_CARE = "child-care", _("Child or elder care")
    LEGAL = "legal", _("Legal help")
    # Early-childhood domains
    DEVELOPMENTAL_SERVICES = "developmental-services", _("Developmental services")
    EARLY_INTERVENTION = "early-intervention", _("Early intervention")
    EARLY_CARE_EDUCATION = "early-care-education", _("Early care and education")
    PARENTING_SUPPORT = "parenting-support", _("Parenting support")
    HOME_VISITING = "home-visiting", _("Home visiting")
    MATERNAL_MENTAL_HEALTH = "maternal-mental-health", _("Maternal mental health")
    CHILD_MENTAL_HEALTH = "child-mental-health", _("Child mental health")
    MEDICAL_HOME = "medical-home", _("Medical home / well-child care")
    DENTAL = "dental", _("Dental care")
    IMMUNIZATIONS = "immunizations", _("Immunizations")


_GRAVITY = {
    Need.FOOD_INSECURITY,
    Need.HOUSING_INSTABILITY,
    Need.HOMELESSNESS,
    Need.INADEQUATE_HOUSING,
    Need.TRANSPORTATION_INSECURITY,
    Need.UTILITY_INSECURITY,
    Need.FINANCIAL_INSECURITY,
    Need.EMPLOYMENT,
    Need.EDUCATION,
    Need.HEALTH_INSURANCE,
    Need.INTERPERSONAL_SAFETY,
    Need.SOCIAL_CONNECTION,
    Need.STRESS,
    Need.MATERIAL_HARDSHIP,
    Need.DIGITAL_ACCESS,
}


def need_system(need: Need | str) -> str:
    """The code system a need's code belongs to (for FHIR codings)."""
    return GRAVITY_SDOH_SYSTEM if need in _GRAVITY else ECWHUB_NEED_SYSTEM
