"""The default risk rules, after HealthySteps' three levels of service.

HealthySteps (as described in the network's seed paper on children's care coordination):
Tier 1, universal services (screening for the child and family needs, child development
support); Tier 2, short-term supports for families with mild concerns (consultations, care
coordination and system navigation, parenting guidance); Tier 3, comprehensive services for the
most-in-need families (ongoing team-based well-child care). The thresholds are the instruments'
own cut-points (shared/data/screening/REFERENCE.md): EPDS 10 possible / 13 probable depression,
PHQ-9 10 moderate / 15 moderately severe, EPDS item 10 and PHQ-9 item 9 need same-day follow-up.
The hub administrator changes any of them in the admin site; tiers are recomputed on save.
"""

from django.db import migrations

HEALTHYSTEPS = "HealthySteps tiers of service (seed: children's care coordination paper). "

RULES = [
    # name, tier, kind, parameters, explanation en, es, source, active, order
    ("Thoughts of self-harm", 3, "urgent_flag", {"urgent_kind": "self-harm"},
     "thoughts of self-harm (urgent)", "pensamientos de hacerse daño (urgente)",
     HEALTHYSTEPS + "EPDS item 10 or PHQ-9 item 9 above 0 needs same-day follow-up.", True, 10),
    ("Interpersonal safety flag", 3, "urgent_flag", {"urgent_kind": "interpersonal-safety"},
     "interpersonal safety concern (urgent)", "riesgo de seguridad personal (urgente)",
     HEALTHYSTEPS + "AHC HRSN interpersonal safety total of 11 or more.", True, 20),
    ("Probable caregiver depression (EPDS 13+)", 3, "instrument_total_at_least",
     {"instrument": "epds", "score_rule": "epds-total", "threshold": 13},
     "EPDS {total}", "EPDS {total}",
     HEALTHYSTEPS + "EPDS total 13 or more: probable depression (Cox, Holden and Sagovsky, 1987).", True, 30),
    ("Moderately severe depression (PHQ-9 15+)", 3, "instrument_total_at_least",
     {"instrument": "phq-2-9", "score_rule": "phq9", "threshold": 15},
     "PHQ-9 {total}", "PHQ-9 {total}",
     HEALTHYSTEPS + "PHQ-9 cut-point 15: moderately severe depression.", True, 40),
    ("Homelessness", 3, "need_identified", {"need": "homelessness"},
     "{need}", "{need}", HEALTHYSTEPS + "Most-in-need: no stable place to live (AHC HRSN).", True, 50),
    ("Interpersonal violence", 3, "need_identified", {"need": "intimate-partner-violence"},
     "{need}", "{need}", HEALTHYSTEPS + "Most-in-need: safety at home (AHC HRSN).", True, 60),
    ("Three or more open needs", 3, "count_of_needs_at_least", {"threshold": 3},
     "{count} open needs", "{count} necesidades abiertas",
     HEALTHYSTEPS + "Several needs at once call for ongoing, team-based support rather than one referral.", True, 70),
    ("Possible caregiver depression (EPDS 10+)", 2, "instrument_total_at_least",
     {"instrument": "epds", "score_rule": "epds-total", "threshold": 10},
     "EPDS {total}", "EPDS {total}",
     HEALTHYSTEPS + "EPDS total 10 or more: possible depression.", True, 110),
    ("Moderate depression (PHQ-9 10+)", 2, "instrument_total_at_least",
     {"instrument": "phq-2-9", "score_rule": "phq9", "threshold": 10},
     "PHQ-9 {total}", "PHQ-9 {total}", HEALTHYSTEPS + "PHQ-9 cut-point 10: moderate depression.", True, 120),
    ("Housing instability", 2, "need_identified", {"need": "housing-instability"},
     "{need}", "{need}", HEALTHYSTEPS + "Mild concern: short-term navigation to housing help.", True, 130),
    ("Food insecurity", 2, "need_identified", {"need": "food-insecurity"},
     "{need}", "{need}", HEALTHYSTEPS + "Mild concern: Hunger Vital Sign positive; short-term connection to food.", True, 140),
    ("Utility insecurity", 2, "need_identified", {"need": "utility-insecurity"},
     "{need}", "{need}", HEALTHYSTEPS + "Mild concern: short-term navigation.", True, 150),
    ("Transportation insecurity", 2, "need_identified", {"need": "transportation-insecurity"},
     "{need}", "{need}", HEALTHYSTEPS + "Mild concern: short-term navigation.", True, 160),
    ("Developmental concern", 2, "need_identified", {"need": "developmental-services"},
     "{need}", "{need}", HEALTHYSTEPS + "Tier 2 includes child development and behavior consultations.", True, 170),
    ("No medical home", 2, "no_medical_home", {},
     "no medical home", "sin hogar médico",
     HEALTHYSTEPS + "A child without regular well-child care (an open medical-home need, or no well-child "
     "visit in 13 months) needs system navigation.", True, 180),
    ("Newborn in the family", 2, "child_age_under", {"threshold": 2},
     "newborn ({months} months)", "recién nacido ({months} meses)",
     HEALTHYSTEPS + "Optional: some networks offer short-term support to every family in the first two months.",
     False, 190),
]


def seed(apps, schema_editor):
    RiskRule = apps.get_model("care", "RiskRule")
    for name, tier, kind, params, en, es, source, active, order in RULES:
        RiskRule.objects.get_or_create(
            name=name,
            defaults=dict(
                tier=tier, kind=kind, explanation=en, explanation_es=es, source=source, active=active, order=order,
                **params,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("care", "RiskRule").objects.filter(name__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("care", "0001_risk_tiers_surveillance")]
    operations = [migrations.RunPython(seed, unseed)]
