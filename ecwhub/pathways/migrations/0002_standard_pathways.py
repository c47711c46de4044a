"""The 21 standard pathways of the Pathways Community HUB model, plus developmental screening, early
care and education, and legal help (medical-legal partnership), as the hub's starting definitions.

The data lives in this migration on purpose: it is what the hub shipped with; the hub administrator
edits the definitions afterwards through the pathway pages (each edit a new version).
"""

from django.db import migrations

STANDARD = (
    "Pathways Community HUB Institute (PCHI), Pathways Community HUB Certification Standards (the list of "
    "standard pathways); Agency for Healthcare Research and Quality (AHRQ), Pathways Community HUB Manual "
    "(2016). The steps, time limits and outcome wording are this hub's adaptation of the standard pathway; "
    "compare them with the current PCHI pathway documents before billing a payer on them."
)
ADDED = (
    "Not one of the 21 PCHI standard pathways: added by this hub in the same structure (steps, a measurable "
    "outcome, a time limit), following the model of the Pathways Community HUB Certification Standards. "
)

A, R, C = "action", "referral", "confirmation"

# key, name, description, needs, outcome, confirm after (days), time limit (days), source,
# steps: (title, kind, time limit in days, required, need referred for)
DEFINITIONS = [
    (
        "adult-education", "Adult education",
        "The caregiver enrolls in and attends an adult education program (GED or high school equivalency, "
        "English as a second language, vocational training).",
        ["educational-attainment"],
        "Enrolled in an adult education program and attended for 30 days", 30, 180, STANDARD,
        [("Agree on the education goal with the caregiver", A, 14, True, ""),
         ("Refer to an adult education program", R, 45, True, "educational-attainment"),
         ("Confirm enrollment and attendance for 30 days", C, 180, True, "")],
    ),
    (
        "developmental-referral", "Developmental referral",
        "A child with a developmental concern or a positive developmental screen is referred for evaluation "
        "(Regional Center / Early Start, or the school district from age 3).",
        ["developmental-services", "early-intervention"],
        "Referral completed with the developmental evaluation done", 0, 90, STANDARD,
        [("Explain the screening result and the evaluation to the family", A, 7, True, ""),
         ("Refer for a developmental evaluation", R, 45, True, "developmental-services"),
         ("Confirm the evaluation was done and the result shared with the family", C, 90, True, "")],
    ),
    (
        "employment", "Employment",
        "The caregiver looking for work finds a job and keeps it.",
        ["employment-status"],
        "Employed for at least 30 days", 30, 180, STANDARD,
        [("Assess work history, skills and barriers to work", A, 14, True, ""),
         ("Refer to an employment or job training service", R, 45, False, "employment-status"),
         ("Job obtained: record the start date", A, 150, True, ""),
         ("Confirm 30 days of employment", C, 180, True, "")],
    ),
    (
        "family-planning", "Family planning",
        "The caregiver who wants it gets family planning counseling and the method they choose.",
        ["medical-home"],
        "Family planning visit attended and a method chosen by the caregiver in use", 0, 90, STANDARD,
        [("Talk about family planning options with the caregiver", A, 14, True, ""),
         ("Refer to a family planning provider", R, 30, True, "medical-home"),
         ("Confirm the visit was attended and the chosen method is in use", C, 90, True, "")],
    ),
    (
        "food-security", "Food security",
        "A family that runs out of food, or worries it will, is enrolled in food assistance.",
        ["food-insecurity"],
        "Family enrolled in WIC or CalFresh", 0, 60,
        STANDARD + " Outcome for this network: enrollment in WIC (the USDA Special Supplemental Nutrition Program "
        "for Women, Infants, and Children) or CalFresh (California's SNAP).",
        [("Check eligibility for WIC and CalFresh with the family", A, 7, True, ""),
         ("Refer to WIC or to CalFresh enrollment", R, 30, True, "food-insecurity"),
         ("Connect the family to a food pantry while they wait", A, 14, False, ""),
         ("Confirm enrollment in WIC or CalFresh", C, 60, True, "")],
    ),
    (
        "health-coverage", "Health coverage",
        "Everyone in the family without health coverage applies and is enrolled (Medi-Cal, Covered California).",
        ["health-insurance-coverage-status"],
        "Health coverage in effect for the person", 0, 90, STANDARD,
        [("Gather the documents for the application", A, 21, True, ""),
         ("Refer to enrollment assistance or submit the application", R, 30, True, "health-insurance-coverage-status"),
         ("Confirm the coverage is in effect", C, 90, True, "")],
    ),
    (
        "housing", "Housing",
        "A family without stable or safe housing moves into, or keeps, stable housing.",
        ["housing-instability", "homelessness", "inadequate-housing"],
        "Family in stable housing for at least 30 days", 30, 270, STANDARD,
        [("Assess the housing situation and the family's options", A, 14, True, ""),
         ("Refer to a housing service (coordinated entry, rental assistance, tenant rights)", R, 60, True,
          "housing-instability"),
         ("Family housed, or eviction prevented: record the date", A, 240, True, ""),
         ("Confirm 30 days of stable housing", C, 270, True, "")],
    ),
    (
        "immunization-referral", "Immunization referral",
        "A child (or caregiver) behind on immunizations is brought up to date.",
        ["immunizations"],
        "Immunizations up to date for age", 0, 60, STANDARD,
        [("Review the immunization record with the family", A, 7, True, ""),
         ("Refer to the medical home or an immunization clinic", R, 30, True, "immunizations"),
         ("Confirm the immunizations were given (record or registry)", C, 60, True, "")],
    ),
    (
        "learning", "Learning",
        "The caregiver learns about a health or parenting topic chosen with them (a learning module or "
        "course), and shows what they learned.",
        ["parenting-support"],
        "Learning module completed and the caregiver shows the knowledge learned", 0, 60, STANDARD,
        [("Choose the topic and the learning material with the caregiver", A, 7, True, ""),
         ("Go through the learning module with the caregiver", A, 45, True, ""),
         ("Confirm the caregiver answers the check questions", C, 60, True, "")],
    ),
    (
        "medical-home", "Medical home",
        "A child or caregiver without a regular source of primary care gets a medical home.",
        ["medical-home"],
        "Medical home established and first visit attended", 0, 90, STANDARD,
        [("Choose a primary care provider with the family", A, 14, True, ""),
         ("Refer and schedule the first visit with the medical home", R, 45, True, "medical-home"),
         ("Confirm the first visit was attended", C, 90, True, "")],
    ),
    (
        "medical-referral", "Medical referral",
        "A person referred to a specialist or a medical service gets to the appointment.",
        ["medical-home"],
        "Referral appointment attended", 0, 90, STANDARD,
        [("Help the family understand the referral and schedule it", A, 14, True, ""),
         ("Referral to the specialist or service", R, 60, True, "medical-home"),
         ("Confirm the appointment was attended", C, 90, True, "")],
    ),
    (
        "medication-adherence", "Medication adherence",
        "A person who has trouble taking a prescribed medication takes it as prescribed.",
        ["medical-home"],
        "Medication taken as prescribed for 30 days", 30, 90, STANDARD,
        [("Find out what gets in the way of taking the medication", A, 14, True, ""),
         ("Agree on a plan with the person and tell the prescriber", A, 30, True, ""),
         ("Confirm 30 days of taking the medication as prescribed", C, 90, True, "")],
    ),
    (
        "medication-reconciliation", "Medication reconciliation",
        "The medications a person takes are listed and checked against what the prescribers ordered.",
        ["medical-home"],
        "Medication list reconciled by a clinician and any discrepancy resolved", 0, 45, STANDARD,
        [("List every medication the person takes, with the containers", A, 14, True, ""),
         ("Send the list to the prescriber or pharmacist for review", A, 30, True, ""),
         ("Confirm the list was reconciled and discrepancies resolved", C, 45, True, "")],
    ),
    (
        "medication-screening", "Medication screening",
        "A person's medications are screened for problems (missing, duplicated, not taken, not understood).",
        ["medical-home"],
        "Medication screening done and every problem found referred to the prescriber", 0, 30, STANDARD,
        [("Screen the person's medications", A, 14, True, ""),
         ("Tell the prescriber of any problem found", A, 21, False, ""),
         ("Confirm the screening and the follow-up are done", C, 30, True, "")],
    ),
    (
        "mental-health", "Mental health",
        "A caregiver or child with a mental health need (for example a positive depression screen) is "
        "connected to mental health care.",
        ["maternal-mental-health", "child-mental-health", "stress"],
        "Mental health appointment attended and care under way", 0, 90, STANDARD,
        [("Talk about the screening result and the options with the person", A, 7, True, ""),
         ("Refer to a mental health provider", R, 45, True, "maternal-mental-health"),
         ("Confirm the first appointment was attended", C, 90, True, "")],
    ),
    (
        "oral-health", "Oral health",
        "A child or caregiver without dental care gets a dental home and a visit.",
        ["dental"],
        "Dental visit attended", 0, 90, STANDARD,
        [("Find a dentist that takes the family's coverage", A, 14, True, ""),
         ("Refer and schedule the dental visit", R, 45, True, "dental"),
         ("Confirm the dental visit was attended", C, 90, True, "")],
    ),
    (
        "postpartum", "Postpartum",
        "A mother after birth attends her postpartum visit and is screened for postpartum depression.",
        ["medical-home", "maternal-mental-health"],
        "Postpartum visit attended (within 12 weeks of birth) with a depression screen", 0, 84, STANDARD,
        [("Schedule the postpartum visit with the mother", A, 14, True, ""),
         ("Refer to the postpartum care provider", R, 42, False, "medical-home"),
         ("Confirm the postpartum visit was attended", C, 84, True, "")],
    ),
    (
        "pregnancy", "Pregnancy",
        "A pregnant woman gets prenatal care through the pregnancy; the pathway ends with the birth.",
        ["medical-home"],
        "Birth at a healthy weight (2,500 g or more) after prenatal care", 0, 300, STANDARD,
        [("Confirm the pregnancy and the expected date of delivery", A, 14, True, ""),
         ("Refer to prenatal care and the first prenatal visit", R, 30, True, "medical-home"),
         ("Prenatal visits kept: check at each contact", A, 270, True, ""),
         ("Confirm the birth and the birth weight", C, 300, True, "")],
    ),
    (
        "social-service-referral", "Social service referral",
        "A family is connected to a social service it needs (utilities, cash aid, clothing, furniture, "
        "internet, social support).",
        ["financial-insecurity", "utility-insecurity", "material-hardship", "social-connection", "digital-access"],
        "Social service received by the family", 0, 60, STANDARD,
        [("Agree with the family on the service needed", A, 7, True, ""),
         ("Refer to the social service", R, 45, True, "material-hardship"),
         ("Confirm the family received the service", C, 60, True, "")],
    ),
    (
        "substance-use", "Substance use",
        "A person with a substance use concern is connected to treatment. The hub's need vocabulary has no "
        "substance use need yet: the pathway opens from a behavioral health or stress need.",
        ["maternal-mental-health", "stress"],
        "Substance use treatment appointment attended", 0, 90, STANDARD,
        [("Talk with the person about treatment options", A, 7, True, ""),
         ("Refer to a substance use treatment program", R, 30, True, "maternal-mental-health"),
         ("Confirm the first treatment appointment was attended", C, 90, True, "")],
    ),
    (
        "transportation", "Transportation",
        "A family without transportation to appointments gets a way there (Medi-Cal transportation, "
        "bus passes, rides).",
        ["transportation-insecurity"],
        "Transportation arranged and used to get to the appointment", 0, 30, STANDARD,
        [("Find out which appointments need transportation", A, 3, True, ""),
         ("Arrange the ride or the pass (Medi-Cal non-medical transportation, transit)", R, 14, True,
          "transportation-insecurity"),
         ("Confirm the family got to the appointment", C, 30, True, "")],
    ),
    (
        "developmental-screening", "Developmental screening",
        "A child due for a developmental screen (9, 18 and 30 months; autism screening at 18 and 24 months) "
        "is screened with a standard tool and the result is shared with the medical home.",
        ["developmental-services"],
        "Developmental screen completed and the result shared with the family and the medical home", 0, 60,
        ADDED + "Screening ages from Bright Futures (American Academy of Pediatrics): developmental screening at "
        "9, 18 and 30 months, autism screening at 18 and 24 months.",
        [("Schedule the screen with the family", A, 14, True, ""),
         ("Screen the child (milestones checklist, ASQ or M-CHAT)", A, 45, True, ""),
         ("Confirm the result was shared with the family and the medical home", C, 60, True, "")],
    ),
    (
        "early-care-education", "Early care and education",
        "A young child whose family wants it is enrolled in early care and education (Early Head Start, Head "
        "Start, state preschool, subsidized child care).",
        ["early-care-education", "child-care"],
        "Child enrolled and attending an early care and education program", 30, 180,
        ADDED + "The outcome follows the network's early care and education partners (Head Start and Early "
        "Head Start, California subsidized child care and state preschool).",
        [("Choose programs with the family (hours, place, eligibility)", A, 14, True, ""),
         ("Refer or apply to the program", R, 60, True, "early-care-education"),
         ("Child starts in the program: record the start date", A, 150, True, ""),
         ("Confirm 30 days of attendance", C, 180, True, "")],
    ),
    (
        "legal", "Legal help (medical-legal partnership)",
        "A family with a legal problem that harms health (housing conditions, benefits denied, immigration, "
        "family law) gets help from the network's legal partner.",
        ["legal"],
        "Legal help received from the legal partner, and the matter resolved or being handled", 0, 120,
        ADDED + "It follows the medical-legal partnership model described by the National Center for "
        "Medical-Legal Partnership: screen for the legal need, refer to the legal partner, confirm the help.",
        [("Describe the legal problem with the family (with their consent to share)", A, 7, True, ""),
         ("Refer to the legal partner", R, 30, True, "legal"),
         ("Confirm the legal partner is handling the matter or resolved it", C, 120, True, "")],
    ),
]


def seed(apps, schema_editor):
    Definition = apps.get_model("pathways", "PathwayDefinition")
    Need = apps.get_model("pathways", "PathwayDefinitionNeed")
    Step = apps.get_model("pathways", "PathwayStepDefinition")
    Revision = apps.get_model("pathways", "DefinitionRevision")
    for key, name, description, needs, outcome, confirm_after, limit, source, steps in DEFINITIONS:
        if Definition.objects.filter(key=key).exists():
            continue
        definition = Definition.objects.create(
            key=key,
            name=name,
            description=description,
            outcome=outcome,
            confirm_after_days=confirm_after,
            time_limit_days=limit,
            source=source,
        )
        Need.objects.bulk_create([Need(definition=definition, need=n) for n in needs])
        Step.objects.bulk_create(
            [
                Step(definition=definition, order=i, title=t, kind=k, time_limit_days=d, required=r, need=n)
                for i, (t, k, d, r, n) in enumerate(steps, start=1)
            ]
        )
        Revision.objects.create(
            definition=definition,
            version=1,
            saved_by=None,
            content={
                "key": key,
                "name": name,
                "description": description,
                "needs": needs,
                "outcome": outcome,
                "confirm_after_days": confirm_after,
                "time_limit_days": limit,
                "source": source,
                "active": True,
                "steps": [
                    {"order": i, "title": t, "kind": k, "time_limit_days": d, "required": r, "need": n}
                    for i, (t, k, d, r, n) in enumerate(steps, start=1)
                ],
            },
        )


def unseed(apps, schema_editor):
    Definition = apps.get_model("pathways", "PathwayDefinition")
    Definition.objects.filter(key__in=[d[0] for d in DEFINITIONS], pathways__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_pathways")]

    operations = [migrations.RunPython(seed, unseed)]
