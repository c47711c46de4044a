"""Fixed material for the synthetic demo network: organizations, services, staff, places and names.

Everything here is invented but shaped after the western San Gabriel Valley around Alhambra,
California: real ZIP codes and street names, invented organizations and people, 555 phone
numbers and ``.example`` web addresses so nothing points at a real agency or family. The two
Medi-Cal managed care plans are named after the plans that serve Los Angeles County because the
families' insurance records name them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecwhub.accounts.models import OrganizationKind, Role
from ecwhub.core.languages import Language
from ecwhub.core.needs import Need

DEMO_EMAIL_DOMAIN = "demo.ecwhub.example"
HUB_SLUG = "ecw-hub"

# --- Languages as services list them -----------------------------------------------------------
LanguageSpec = tuple[str, str]  # (Language value, dialect or "")

EN: LanguageSpec = (Language.ENGLISH, "")
ES: LanguageSpec = (Language.SPANISH, "")
YUE: LanguageSpec = (Language.CANTONESE, "")
TOISAN: LanguageSpec = (Language.CANTONESE, "Taishanese")
CMN: LanguageSpec = (Language.MANDARIN, "")
VI: LanguageSpec = (Language.VIETNAMESE, "")
MIX_MIXTEPEC: LanguageSpec = (Language.MIXTEC, "Mixteco de San Juan Mixtepec")
MIX_BAJO: LanguageSpec = (Language.MIXTEC, "Mixteco Bajo")
ZAP_VALLE: LanguageSpec = (Language.ZAPOTEC, "Zapoteco del Valle de Tlacolula")
KICHE: LanguageSpec = (Language.KICHE, "")
HY: LanguageSpec = (Language.ARMENIAN, "")
KO: LanguageSpec = (Language.KOREAN, "")
ASL: LanguageSpec = (Language.ASL, "")


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    description: str
    needs: tuple[str, ...]
    languages: tuple[LanguageSpec, ...]
    min_age_months: int | None = None
    max_age_months: int | None = None
    is_free: bool = True
    accepting_referrals: bool = True
    typical_wait_days: int | None = None
    eligibility: str = ""


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    name: str
    kind: str
    description: str
    street: str
    city: str
    postal_code: str
    phone: str
    services: tuple[ServiceSpec, ...] = ()

    @property
    def website(self) -> str:
        return f"https://{self.slug}.example"

    @property
    def email(self) -> str:
        return f"info@{self.slug}.example"


K = OrganizationKind
N = Need

# The main family resource center, food bank and clinic are where the well-known demo sign-ins work.
MAIN_FRC_SLUG = "alhambra-frc"
MAIN_FOOD_BANK_SLUG = "sgv-food-bank"
MAIN_CLINIC_SLUG = "valle-verde-chc"
MAIN_PLAN_SLUG = "la-care-sgv"

NAVIGATION_NEEDS = (
    N.PARENTING_SUPPORT,
    N.FINANCIAL_INSECURITY,
    N.HOUSING_INSTABILITY,
    N.HEALTH_INSURANCE,
    N.SOCIAL_CONNECTION,
    N.STRESS,
)

ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    OrganizationSpec(
        slug=HUB_SLUG,
        name="Alhambra Early Childhood Wellness Hub",
        kind=K.HUB,
        description=(
            "The backbone of the Alhambra-area early childhood network: shared intake, care coordination, "
            "closed-loop referrals and the community's goals for children 0 to 8 and their families."
        ),
        street="200 W Main St, Suite 210",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0100",
    ),
    # --- Family resource centers ---------------------------------------------------------------
    OrganizationSpec(
        slug=MAIN_FRC_SLUG,
        name="Alhambra Family Resource Center",
        kind=K.FAMILY_RESOURCE_CENTER,
        description=(
            "Neighborhood family resource center offering navigation, parenting groups, benefits enrollment "
            "and basic needs support in English, Spanish, Cantonese, Mandarin, Vietnamese and Mixteco."
        ),
        street="1420 W Valley Blvd",
        city="Alhambra",
        postal_code="91803",
        phone="626-555-0111",
        services=(
            ServiceSpec(
                name="Family navigation and care coordination",
                description=(
                    "A family specialist or community health worker meets the family at home, at a clinic or "
                    "at the center, helps set goals and connects the family to services, then follows up "
                    "until each referral is closed."
                ),
                needs=NAVIGATION_NEEDS,
                languages=(EN, ES, YUE, CMN, VI, MIX_MIXTEPEC),
                min_age_months=0,
                max_age_months=107,
                typical_wait_days=5,
                eligibility="Families with a child 0 to 8 or a pregnant caregiver living in the western San "
                "Gabriel Valley.",
            ),
            ServiceSpec(
                name="Parent cafés and parenting classes",
                description="Weekly parent cafés and eight-week positive parenting series, with child care on site.",
                needs=(N.PARENTING_SUPPORT, N.SOCIAL_CONNECTION, N.STRESS),
                languages=(EN, ES, CMN),
                min_age_months=0,
                max_age_months=107,
                typical_wait_days=14,
            ),
            ServiceSpec(
                name="Diaper bank and basic needs closet",
                description="Diapers, wipes, formula, car seats and seasonal clothing for babies and young children.",
                needs=(N.MATERIAL_HARDSHIP, N.FINANCIAL_INSECURITY),
                languages=(EN, ES, YUE, CMN, VI),
                min_age_months=0,
                max_age_months=47,
                typical_wait_days=1,
            ),
            ServiceSpec(
                name="Medi-Cal and CalFresh enrollment assistance",
                description="Certified enrollment counselors help with Medi-Cal, CalFresh and WIC applications "
                "and renewals.",
                needs=(N.HEALTH_INSURANCE, N.FOOD_INSECURITY),
                languages=(EN, ES, YUE, CMN, VI),
                typical_wait_days=3,
            ),
            ServiceSpec(
                name="Baby and me playgroups",
                description="Drop-in playgroups that build early literacy and give parents a place to meet.",
                needs=(N.SOCIAL_CONNECTION, N.EARLY_CARE_EDUCATION),
                languages=(EN, ES, CMN),
                min_age_months=0,
                max_age_months=47,
                typical_wait_days=0,
            ),
        ),
    ),
    OrganizationSpec(
        slug="monterey-park-frc",
        name="Monterey Park Family Resource Center",
        kind=K.FAMILY_RESOURCE_CENTER,
        description="Family resource center serving Monterey Park and East Los Angeles, with a strong Chinese-"
        "speaking program.",
        street="640 N Garfield Ave",
        city="Monterey Park",
        postal_code="91754",
        phone="626-555-0112",
        services=(
            ServiceSpec(
                name="Family navigation",
                description="Bilingual family specialists help families find and use services across the network.",
                needs=NAVIGATION_NEEDS,
                languages=(EN, CMN, YUE, ES),
                min_age_months=0,
                max_age_months=107,
                typical_wait_days=7,
            ),
            ServiceSpec(
                name="ESL and parent education",
                description="English classes for parents with a family literacy component.",
                needs=(N.EDUCATION, N.EMPLOYMENT),
                languages=(CMN, YUE, ES),
                typical_wait_days=21,
            ),
            ServiceSpec(
                name="Free tax preparation and financial coaching",
                description="IRS-certified volunteers prepare returns and help families claim the CalEITC and "
                "Young Child Tax Credit.",
                needs=(N.FINANCIAL_INSECURITY, N.EMPLOYMENT),
                languages=(EN, CMN, YUE, ES),
                typical_wait_days=10,
            ),
        ),
    ),
    OrganizationSpec(
        slug="el-monte-familias",
        name="El Monte Familias Unidas Family Center",
        kind=K.FAMILY_RESOURCE_CENTER,
        description="Family center run by promotoras from the communities it serves, including Mixtec, Zapotec "
        "and K'iche' families.",
        street="10950 Valley Blvd",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0113",
        services=(
            ServiceSpec(
                name="Promotora home visits and navigation",
                description="Promotoras de salud visit families at home and accompany them to appointments.",
                needs=NAVIGATION_NEEDS,
                languages=(ES, MIX_MIXTEPEC, MIX_BAJO, ZAP_VALLE, KICHE),
                min_age_months=0,
                max_age_months=107,
                typical_wait_days=4,
            ),
            ServiceSpec(
                name="Housing stability and utility assistance",
                description="Emergency rental and utility assistance, help with landlord disputes and referrals "
                "to legal aid.",
                needs=(N.HOUSING_INSTABILITY, N.UTILITY_INSECURITY, N.HOMELESSNESS),
                languages=(ES, EN, MIX_MIXTEPEC),
                typical_wait_days=10,
            ),
            ServiceSpec(
                name="Job readiness and digital skills",
                description="Workshops on job search, worker rights and using a phone or laptop for school portals.",
                needs=(N.EMPLOYMENT, N.DIGITAL_ACCESS, N.EDUCATION),
                languages=(ES, EN),
                typical_wait_days=14,
            ),
            ServiceSpec(
                name="Hotspot and laptop lending",
                description="Families borrow a hotspot and laptop for a school year.",
                needs=(N.DIGITAL_ACCESS,),
                languages=(ES, EN),
                accepting_referrals=False,
                typical_wait_days=30,
            ),
        ),
    ),
    OrganizationSpec(
        slug="centro-familias-este",
        name="Centro de Familias del Este",
        kind=K.FAMILY_RESOURCE_CENTER,
        description="Family resource center in East Los Angeles with domestic violence and immigrant family programs.",
        street="4825 E Cesar E Chavez Ave",
        city="East Los Angeles",
        postal_code="90022",
        phone="323-555-0114",
        services=(
            ServiceSpec(
                name="Family navigation",
                description="Family advocates help with benefits, housing, school enrollment and health care.",
                needs=NAVIGATION_NEEDS,
                languages=(ES, EN, ZAP_VALLE),
                min_age_months=0,
                max_age_months=107,
                typical_wait_days=6,
            ),
            ServiceSpec(
                name="Domestic violence advocacy and support groups",
                description="Confidential safety planning, accompaniment to court and support groups for survivors.",
                needs=(N.INTERPERSONAL_SAFETY, N.STRESS, N.LEGAL),
                languages=(ES, EN),
                typical_wait_days=2,
            ),
            ServiceSpec(
                name="Immigrant family support",
                description="Know-your-rights workshops and preparedness plans for mixed-status families.",
                needs=(N.LEGAL, N.STRESS, N.SOCIAL_CONNECTION),
                languages=(ES, EN, ZAP_VALLE, KICHE),
                typical_wait_days=7,
            ),
        ),
    ),
    # --- Clinics and FQHCs ---------------------------------------------------------------------
    OrganizationSpec(
        slug=MAIN_CLINIC_SLUG,
        name="Valle Verde Community Health Center",
        kind=K.CLINIC,
        description="Federally qualified health center with pediatrics, prenatal care, behavioral health and a "
        "HealthySteps specialist in every pediatric team.",
        street="1010 S Garfield Ave",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0121",
        services=(
            ServiceSpec(
                name="Pediatric primary care and well-child visits",
                description="Well-child visits on the Bright Futures schedule, sick visits, lead and anemia "
                "screening, with developmental and caregiver depression screening at each visit.",
                needs=(N.MEDICAL_HOME, N.IMMUNIZATIONS),
                languages=(EN, ES, CMN, YUE),
                min_age_months=0,
                max_age_months=251,
                is_free=False,
                typical_wait_days=10,
                eligibility="All children; sliding fee scale for families without insurance.",
            ),
            ServiceSpec(
                name="Developmental screening and HealthySteps",
                description="A HealthySteps specialist joins well-child visits to screen development and support "
                "parents.",
                needs=(N.DEVELOPMENTAL_SERVICES, N.PARENTING_SUPPORT),
                languages=(EN, ES, CMN),
                min_age_months=0,
                max_age_months=47,
                typical_wait_days=7,
            ),
            ServiceSpec(
                name="Comprehensive perinatal services",
                description="Prenatal and postpartum care with nutrition, health education and psychosocial "
                "support (CPSP).",
                needs=(N.MEDICAL_HOME, N.MATERNAL_MENTAL_HEALTH),
                languages=(EN, ES, CMN, YUE, MIX_MIXTEPEC),
                is_free=False,
                typical_wait_days=7,
            ),
            ServiceSpec(
                name="Integrated behavioral health",
                description="Brief therapy and psychiatric consultation for caregivers and children, in the same "
                "clinic as their doctor.",
                needs=(N.MATERNAL_MENTAL_HEALTH, N.CHILD_MENTAL_HEALTH, N.STRESS),
                languages=(EN, ES, CMN),
                is_free=False,
                typical_wait_days=21,
            ),
        ),
    ),
    OrganizationSpec(
        slug="garvey-community-clinic",
        name="Garvey Avenue Community Clinic",
        kind=K.CLINIC,
        description="Community clinic in Rosemead serving Chinese- and Vietnamese-speaking families.",
        street="8845 Garvey Ave",
        city="Rosemead",
        postal_code="91770",
        phone="626-555-0122",
        services=(
            ServiceSpec(
                name="Pediatric care",
                description="Well-child and sick visits with Cantonese, Mandarin and Vietnamese speaking doctors.",
                needs=(N.MEDICAL_HOME, N.IMMUNIZATIONS),
                languages=(YUE, TOISAN, CMN, VI, EN),
                min_age_months=0,
                max_age_months=251,
                is_free=False,
                typical_wait_days=14,
            ),
            ServiceSpec(
                name="Walk-in immunization clinic",
                description="Childhood and school-entry vaccines, Tuesdays and Saturdays.",
                needs=(N.IMMUNIZATIONS,),
                languages=(YUE, CMN, VI, EN),
                min_age_months=0,
                max_age_months=215,
                typical_wait_days=0,
            ),
            ServiceSpec(
                name="Prenatal care",
                description="Prenatal visits and childbirth classes in Chinese and Vietnamese.",
                needs=(N.MEDICAL_HOME,),
                languages=(YUE, CMN, VI),
                is_free=False,
                typical_wait_days=10,
            ),
        ),
    ),
    OrganizationSpec(
        slug="sgv-pediatric-group",
        name="San Gabriel Valley Pediatric Medical Group",
        kind=K.CLINIC,
        description="Private pediatric practice accepting Medi-Cal and most commercial plans.",
        street="415 S San Gabriel Blvd",
        city="San Gabriel",
        postal_code="91776",
        phone="626-555-0123",
        services=(
            ServiceSpec(
                name="Well-child visits",
                description="Preventive visits, vaccines and developmental screening.",
                needs=(N.MEDICAL_HOME, N.IMMUNIZATIONS),
                languages=(EN, CMN, ES),
                min_age_months=0,
                max_age_months=251,
                is_free=False,
                typical_wait_days=21,
            ),
            ServiceSpec(
                name="Lactation support",
                description="Visits with an international board-certified lactation consultant.",
                needs=(N.PARENTING_SUPPORT,),
                languages=(EN, CMN),
                min_age_months=0,
                max_age_months=11,
                is_free=False,
                typical_wait_days=3,
            ),
        ),
    ),
    OrganizationSpec(
        slug="eastside-family-health",
        name="Eastside Family Health Center",
        kind=K.CLINIC,
        description="Federally qualified health center in City Terrace with medical, dental and community health "
        "worker teams.",
        street="1130 S Hazard Ave",
        city="East Los Angeles",
        postal_code="90063",
        phone="323-555-0124",
        services=(
            ServiceSpec(
                name="Pediatric and family medicine",
                description="Care for the whole family in one place, including well-child visits.",
                needs=(N.MEDICAL_HOME, N.IMMUNIZATIONS),
                languages=(ES, EN, ZAP_VALLE),
                min_age_months=0,
                max_age_months=None,
                is_free=False,
                typical_wait_days=12,
            ),
            ServiceSpec(
                name="Children's dental clinic",
                description="First dental visit by age one, fluoride varnish and sealants.",
                needs=(N.DENTAL,),
                languages=(ES, EN),
                min_age_months=6,
                max_age_months=215,
                is_free=False,
                typical_wait_days=30,
            ),
            ServiceSpec(
                name="Community health worker program",
                description="CHWs help patients with food, housing and transportation needs found at visits.",
                needs=(N.FOOD_INSECURITY, N.HOUSING_INSTABILITY, N.TRANSPORTATION_INSECURITY),
                languages=(ES, EN, ZAP_VALLE),
                typical_wait_days=5,
            ),
        ),
    ),
    OrganizationSpec(
        slug="atlantic-kids-dental",
        name="Atlantic Boulevard Children's Dental Clinic",
        kind=K.CLINIC,
        description="Pediatric dental clinic accepting Medi-Cal Dental.",
        street="322 N Atlantic Blvd",
        city="Monterey Park",
        postal_code="91754",
        phone="626-555-0125",
        services=(
            ServiceSpec(
                name="Pediatric dentistry",
                description="Exams, cleanings, fillings and treatment under sedation for young children.",
                needs=(N.DENTAL,),
                languages=(EN, CMN, YUE, ES),
                min_age_months=12,
                max_age_months=215,
                is_free=False,
                typical_wait_days=35,
            ),
        ),
    ),
    OrganizationSpec(
        slug="tyler-avenue-chc",
        name="Tyler Avenue Community Health Center",
        kind=K.CLINIC,
        description="Community health center in El Monte with a Mixteco-speaking health education team.",
        street="3720 Tyler Ave",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0126",
        services=(
            ServiceSpec(
                name="Pediatric primary care",
                description="Well-child visits, vaccines, asthma care and developmental screening.",
                needs=(N.MEDICAL_HOME, N.IMMUNIZATIONS),
                languages=(ES, EN, MIX_MIXTEPEC, MIX_BAJO),
                min_age_months=0,
                max_age_months=251,
                is_free=False,
                typical_wait_days=9,
            ),
            ServiceSpec(
                name="Postpartum depression screening and support",
                description="Screening at postpartum and infant visits with same-day warm hand-off to a counselor.",
                needs=(N.MATERNAL_MENTAL_HEALTH,),
                languages=(ES, EN, MIX_MIXTEPEC),
                min_age_months=0,
                max_age_months=11,
                typical_wait_days=2,
            ),
        ),
    ),
    # --- Schools ---------------------------------------------------------------------------------
    OrganizationSpec(
        slug="alhambra-esd",
        name="Alhambra Elementary School District",
        kind=K.SCHOOL,
        description="Elementary school district office for family and community engagement, early learning "
        "and special education.",
        street="2150 W Commonwealth Ave",
        city="Alhambra",
        postal_code="91803",
        phone="626-555-0131",
        services=(
            ServiceSpec(
                name="Transitional kindergarten and preschool enrollment",
                description="Help choosing and enrolling in TK, state preschool and kindergarten.",
                needs=(N.EARLY_CARE_EDUCATION,),
                languages=(EN, ES, CMN, YUE, VI),
                min_age_months=36,
                max_age_months=71,
                typical_wait_days=14,
            ),
            ServiceSpec(
                name="McKinney-Vento family liaison",
                description="School stability and support for children in families without a fixed, regular and "
                "adequate home.",
                needs=(N.HOMELESSNESS, N.HOUSING_INSTABILITY, N.EDUCATION),
                languages=(EN, ES),
                min_age_months=36,
                max_age_months=215,
                typical_wait_days=3,
            ),
            ServiceSpec(
                name="Child Find special education assessment",
                description="Assessment for special education for children from age three, and transition from "
                "Early Start.",
                needs=(N.DEVELOPMENTAL_SERVICES, N.EARLY_INTERVENTION),
                languages=(EN, ES, CMN),
                min_age_months=33,
                max_age_months=215,
                typical_wait_days=60,
            ),
        ),
    ),
    OrganizationSpec(
        slug="cedar-grove-elementary",
        name="Cedar Grove Elementary School",
        kind=K.SCHOOL,
        description="TK-8 school with a family center and school-based counseling.",
        street="1315 N Chapel Ave",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0132",
        services=(
            ServiceSpec(
                name="Family literacy nights",
                description="Monthly evenings of reading together, with books to take home.",
                needs=(N.EDUCATION, N.SOCIAL_CONNECTION),
                languages=(EN, ES, CMN),
                min_age_months=36,
                max_age_months=107,
                typical_wait_days=0,
            ),
            ServiceSpec(
                name="School-based counseling",
                description="Individual and group counseling for students, with parent sessions.",
                needs=(N.CHILD_MENTAL_HEALTH,),
                languages=(EN, ES),
                min_age_months=48,
                max_age_months=167,
                typical_wait_days=14,
            ),
        ),
    ),
    OrganizationSpec(
        slug="valencia-street-elementary",
        name="Valencia Street Elementary School",
        kind=K.SCHOOL,
        description="Elementary school with a Mandarin dual immersion program and an after-school program.",
        street="2801 W Valencia St",
        city="Alhambra",
        postal_code="91803",
        phone="626-555-0133",
        services=(
            ServiceSpec(
                name="After-school program",
                description="Homework help, enrichment and supervision until 6 pm on school days.",
                needs=(N.CHILD_CARE,),
                languages=(EN, CMN, ES),
                min_age_months=48,
                max_age_months=143,
                typical_wait_days=45,
            ),
            ServiceSpec(
                name="Family center",
                description="School family center with parent workshops and help with the school portal.",
                needs=(N.PARENTING_SUPPORT, N.DIGITAL_ACCESS),
                languages=(EN, CMN, YUE, ES),
                min_age_months=48,
                max_age_months=143,
                typical_wait_days=2,
            ),
        ),
    ),
    OrganizationSpec(
        slug="ynez-avenue-elementary",
        name="Ynez Avenue Elementary School",
        kind=K.SCHOOL,
        description="Neighborhood elementary school in Monterey Park with transitional kindergarten.",
        street="120 S Ynez Ave",
        city="Monterey Park",
        postal_code="91754",
        phone="626-555-0134",
        services=(
            ServiceSpec(
                name="Transitional kindergarten",
                description="Full-day TK for children who turn four by September 1.",
                needs=(N.EARLY_CARE_EDUCATION,),
                languages=(EN, CMN, YUE, ES),
                min_age_months=45,
                max_age_months=71,
                typical_wait_days=30,
            ),
        ),
    ),
    OrganizationSpec(
        slug="camellia-early-learning",
        name="Camellia Early Education Center",
        kind=K.SCHOOL,
        description="State preschool and infant-toddler center in San Gabriel.",
        street="736 S Del Mar Ave",
        city="San Gabriel",
        postal_code="91776",
        phone="626-555-0135",
        services=(
            ServiceSpec(
                name="California State Preschool",
                description="Part-day and full-day preschool for income-eligible families.",
                needs=(N.EARLY_CARE_EDUCATION, N.CHILD_CARE),
                languages=(EN, ES, CMN, VI),
                min_age_months=36,
                max_age_months=59,
                typical_wait_days=60,
                eligibility="Family income at or below 100% of the state median income.",
            ),
            ServiceSpec(
                name="Infant and toddler care",
                description="Subsidized center-based care for children under three.",
                needs=(N.CHILD_CARE,),
                languages=(EN, ES, CMN),
                min_age_months=2,
                max_age_months=35,
                accepting_referrals=False,
                typical_wait_days=120,
            ),
        ),
    ),
    OrganizationSpec(
        slug="sgv-head-start",
        name="San Gabriel Valley Head Start – Rosemead Center",
        kind=K.SCHOOL,
        description="Head Start and Early Head Start with home-based and center-based options.",
        street="3207 N Rosemead Blvd",
        city="Rosemead",
        postal_code="91770",
        phone="626-555-0136",
        services=(
            ServiceSpec(
                name="Head Start preschool",
                description="Comprehensive preschool with health, nutrition and family services.",
                needs=(N.EARLY_CARE_EDUCATION, N.PARENTING_SUPPORT),
                languages=(EN, ES, VI, CMN),
                min_age_months=36,
                max_age_months=59,
                typical_wait_days=30,
            ),
            ServiceSpec(
                name="Early Head Start",
                description="Home-based and center-based early learning for infants, toddlers and pregnant caregivers.",
                needs=(N.EARLY_CARE_EDUCATION, N.HOME_VISITING, N.PARENTING_SUPPORT),
                languages=(EN, ES, VI),
                min_age_months=0,
                max_age_months=35,
                typical_wait_days=45,
            ),
        ),
    ),
    # --- Legal aid -----------------------------------------------------------------------------
    OrganizationSpec(
        slug="sgv-legal-aid",
        name="San Gabriel Valley Legal Aid Society",
        kind=K.LEGAL_AID,
        description="Free civil legal help for low-income residents of the San Gabriel Valley.",
        street="9650 Flair Dr, Suite 300",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0141",
        services=(
            ServiceSpec(
                name="Tenant rights and eviction defense",
                description="Advice and representation for tenants facing eviction, habitability problems or "
                "illegal rent increases.",
                needs=(N.LEGAL, N.HOUSING_INSTABILITY, N.INADEQUATE_HOUSING),
                languages=(EN, ES, CMN, VI),
                typical_wait_days=7,
            ),
            ServiceSpec(
                name="Public benefits advocacy",
                description="Help when Medi-Cal, CalFresh, CalWORKs or SSI is denied, cut or delayed.",
                needs=(N.LEGAL, N.HEALTH_INSURANCE, N.FINANCIAL_INSECURITY),
                languages=(EN, ES, CMN),
                typical_wait_days=14,
            ),
            ServiceSpec(
                name="Family law and restraining orders",
                description="Domestic violence restraining orders, custody and child support.",
                needs=(N.LEGAL, N.INTERPERSONAL_SAFETY),
                languages=(EN, ES),
                typical_wait_days=10,
            ),
        ),
    ),
    OrganizationSpec(
        slug="immigrant-families-legal",
        name="Immigrant Families Legal Clinic",
        kind=K.LEGAL_AID,
        description="Nonprofit immigration legal services with monthly clinics at family resource centers.",
        street="25 S Garfield Ave, Suite 4",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0142",
        services=(
            ServiceSpec(
                name="Immigration legal consultations",
                description="Free consultations and low-cost representation with accredited representatives.",
                needs=(N.LEGAL,),
                languages=(EN, ES, CMN, YUE, KICHE),
                is_free=False,
                typical_wait_days=21,
            ),
            ServiceSpec(
                name="Public charge and benefits information",
                description="Clear answers about which benefits are safe to use for families with mixed status.",
                needs=(N.LEGAL, N.HEALTH_INSURANCE),
                languages=(EN, ES, CMN, YUE, VI),
                typical_wait_days=5,
            ),
        ),
    ),
    # --- WIC -------------------------------------------------------------------------------------
    OrganizationSpec(
        slug="wic-alhambra",
        name="WIC – Alhambra Center",
        kind=K.WIC,
        description="Women, Infants and Children nutrition program.",
        street="512 W Main St",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0151",
        services=(
            ServiceSpec(
                name="WIC food benefits and nutrition education",
                description="Monthly food benefits on the WIC card, nutrition counseling and referrals.",
                needs=(N.FOOD_INSECURITY,),
                languages=(EN, ES, CMN, YUE, VI),
                min_age_months=0,
                max_age_months=59,
                typical_wait_days=3,
                eligibility="Pregnant and postpartum people, infants and children under five with family "
                "income at or below 185% of poverty or on Medi-Cal.",
            ),
            ServiceSpec(
                name="Breastfeeding peer counseling",
                description="Peer counselors call and visit during pregnancy and the first months.",
                needs=(N.PARENTING_SUPPORT,),
                languages=(EN, ES, CMN),
                min_age_months=0,
                max_age_months=11,
                typical_wait_days=2,
            ),
        ),
    ),
    OrganizationSpec(
        slug="wic-el-monte",
        name="WIC – El Monte Center",
        kind=K.WIC,
        description="Women, Infants and Children nutrition program.",
        street="4022 Santa Anita Ave",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0152",
        services=(
            ServiceSpec(
                name="WIC food benefits and nutrition education",
                description="Monthly food benefits on the WIC card, nutrition counseling and referrals.",
                needs=(N.FOOD_INSECURITY,),
                languages=(ES, EN, VI, MIX_MIXTEPEC),
                min_age_months=0,
                max_age_months=59,
                typical_wait_days=4,
            ),
        ),
    ),
    # --- Food banks ----------------------------------------------------------------------------
    OrganizationSpec(
        slug=MAIN_FOOD_BANK_SLUG,
        name="San Gabriel Valley Community Food Bank",
        kind=K.FOOD_BANK,
        description="Regional food bank with a warehouse pantry, mobile pantries and a baby pantry.",
        street="3110 Baldwin Ave",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0161",
        services=(
            ServiceSpec(
                name="Emergency food boxes",
                description="A box of groceries the same week; fresh produce on Thursdays.",
                needs=(N.FOOD_INSECURITY,),
                languages=(EN, ES, CMN, VI),
                typical_wait_days=1,
            ),
            ServiceSpec(
                name="Mobile pantry",
                description="Monthly drive-through distributions at schools and parks across the valley.",
                needs=(N.FOOD_INSECURITY, N.TRANSPORTATION_INSECURITY),
                languages=(EN, ES, CMN),
                typical_wait_days=7,
            ),
            ServiceSpec(
                name="Baby pantry: formula and diapers",
                description="Formula, baby food and diapers for families with children under three.",
                needs=(N.FOOD_INSECURITY, N.MATERIAL_HARDSHIP),
                languages=(EN, ES, VI),
                min_age_months=0,
                max_age_months=35,
                typical_wait_days=2,
            ),
            ServiceSpec(
                name="CalFresh application help",
                description="Same-day help applying for CalFresh on site.",
                needs=(N.FOOD_INSECURITY, N.FINANCIAL_INSECURITY),
                languages=(EN, ES),
                typical_wait_days=0,
            ),
        ),
    ),
    OrganizationSpec(
        slug="monterey-park-pantry",
        name="Monterey Park Community Pantry",
        kind=K.FOOD_BANK,
        description="Volunteer-run weekly pantry.",
        street="318 S Ramona Ave",
        city="Monterey Park",
        postal_code="91754",
        phone="626-555-0162",
        services=(
            ServiceSpec(
                name="Weekly pantry",
                description="Groceries every Saturday morning, no documents needed.",
                needs=(N.FOOD_INSECURITY,),
                languages=(EN, CMN, YUE, ES),
                typical_wait_days=0,
            ),
        ),
    ),
    OrganizationSpec(
        slug="rosemead-neighbors-pantry",
        name="Rosemead Neighbors Food Pantry",
        kind=K.FOOD_BANK,
        description="Neighborhood pantry hosted by a coalition of congregations.",
        street="9155 Valley Blvd",
        city="Rosemead",
        postal_code="91770",
        phone="626-555-0163",
        services=(
            ServiceSpec(
                name="Pantry and hot meals",
                description="Groceries twice a week and a hot meal on Wednesdays.",
                needs=(N.FOOD_INSECURITY, N.SOCIAL_CONNECTION),
                languages=(EN, ES, VI, YUE),
                typical_wait_days=0,
            ),
            ServiceSpec(
                name="Holiday and back-to-school drives",
                description="Holiday meals, toys and backpacks with school supplies.",
                needs=(N.MATERIAL_HARDSHIP,),
                languages=(EN, ES, VI),
                min_age_months=0,
                max_age_months=215,
                accepting_referrals=False,
                typical_wait_days=30,
            ),
        ),
    ),
    # --- Home visiting -------------------------------------------------------------------------
    OrganizationSpec(
        slug="nido-home-visiting",
        name="Nido Home Visiting Program",
        kind=K.HOME_VISITING,
        description="Parents as Teachers home visiting for families from pregnancy to kindergarten.",
        street="1700 W Main St",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0171",
        services=(
            ServiceSpec(
                name="Parents as Teachers home visits",
                description="Twice-monthly visits by a parent educator, developmental screening and group connections.",
                needs=(N.HOME_VISITING, N.PARENTING_SUPPORT, N.DEVELOPMENTAL_SERVICES),
                languages=(EN, ES, MIX_MIXTEPEC, CMN),
                min_age_months=0,
                max_age_months=59,
                typical_wait_days=14,
            ),
            ServiceSpec(
                name="Prenatal home visits",
                description="Visits during pregnancy to prepare for birth and the first weeks.",
                needs=(N.HOME_VISITING, N.MATERNAL_MENTAL_HEALTH),
                languages=(EN, ES, MIX_MIXTEPEC),
                typical_wait_days=10,
            ),
        ),
    ),
    OrganizationSpec(
        slug="bright-start-home-visiting",
        name="Bright Start Home Visiting",
        kind=K.HOME_VISITING,
        description="Healthy Families America home visiting for families facing stress or isolation.",
        street="8220 E Las Tunas Dr",
        city="San Gabriel",
        postal_code="91775",
        phone="626-555-0172",
        services=(
            ServiceSpec(
                name="Healthy Families home visiting",
                description="Weekly home visits that start before birth or in the first three months and can "
                "continue to age three.",
                needs=(N.HOME_VISITING, N.PARENTING_SUPPORT, N.STRESS, N.SOCIAL_CONNECTION),
                languages=(EN, YUE, CMN, VI, ES),
                min_age_months=0,
                max_age_months=35,
                typical_wait_days=21,
                eligibility="Enrollment prenatally or before the baby is three months old.",
            ),
        ),
    ),
    OrganizationSpec(
        slug="healthy-beginnings-nurses",
        name="Healthy Beginnings Nurse Home Visiting",
        kind=K.HOME_VISITING,
        description="Nurse home visiting for first-time parents.",
        street="11333 Valley Blvd",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0173",
        services=(
            ServiceSpec(
                name="Nurse home visiting for first-time parents",
                description="A registered nurse visits from pregnancy until the child turns two.",
                needs=(N.HOME_VISITING, N.MEDICAL_HOME, N.MATERNAL_MENTAL_HEALTH),
                languages=(EN, ES),
                min_age_months=0,
                max_age_months=23,
                typical_wait_days=10,
                eligibility="First-time parents enrolled before 28 weeks of pregnancy.",
            ),
        ),
    ),
    # --- Mental health -------------------------------------------------------------------------
    OrganizationSpec(
        slug="foothill-family-counseling",
        name="Foothill Family Counseling Center",
        kind=K.MENTAL_HEALTH,
        description="Infant and early childhood mental health and family therapy.",
        street="9550 Las Tunas Dr",
        city="Temple City",
        postal_code="91780",
        phone="626-555-0181",
        services=(
            ServiceSpec(
                name="Child-parent psychotherapy",
                description="Dyadic therapy for young children who lived through stress or trauma, with their "
                "caregiver.",
                needs=(N.CHILD_MENTAL_HEALTH, N.PARENTING_SUPPORT),
                languages=(EN, ES),
                min_age_months=0,
                max_age_months=71,
                typical_wait_days=30,
            ),
            ServiceSpec(
                name="Parent-child interaction therapy",
                description="Live coaching for caregivers of children with challenging behavior.",
                needs=(N.CHILD_MENTAL_HEALTH, N.PARENTING_SUPPORT),
                languages=(EN, ES),
                min_age_months=24,
                max_age_months=83,
                typical_wait_days=45,
            ),
            ServiceSpec(
                name="Perinatal mood counseling",
                description="Counseling for depression and anxiety in pregnancy and after birth.",
                needs=(N.MATERNAL_MENTAL_HEALTH, N.STRESS),
                languages=(EN, ES),
                typical_wait_days=14,
            ),
        ),
    ),
    OrganizationSpec(
        slug="asian-pacific-family-counseling",
        name="Asian Pacific Family Counseling Services",
        kind=K.MENTAL_HEALTH,
        description="Culturally grounded counseling in Asian languages.",
        street="1225 E Valley Blvd",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0182",
        services=(
            ServiceSpec(
                name="Family and child counseling",
                description="Counseling for children and families by therapists who speak the family's language.",
                needs=(N.CHILD_MENTAL_HEALTH, N.STRESS),
                languages=(CMN, YUE, TOISAN, VI, KO, EN),
                min_age_months=24,
                max_age_months=215,
                typical_wait_days=28,
            ),
            ServiceSpec(
                name="Maternal mental health program",
                description="Screening follow-up and counseling for new mothers, including postpartum support groups.",
                needs=(N.MATERNAL_MENTAL_HEALTH,),
                languages=(CMN, YUE, VI, EN),
                typical_wait_days=10,
            ),
        ),
    ),
    OrganizationSpec(
        slug="rosemead-child-guidance",
        name="Rosemead Child and Family Guidance Clinic",
        kind=K.MENTAL_HEALTH,
        description="Specialty mental health clinic contracted with the county.",
        street="3018 Walnut Grove Ave",
        city="Rosemead",
        postal_code="91770",
        phone="626-555-0183",
        services=(
            ServiceSpec(
                name="Early childhood mental health assessment",
                description="Assessment and treatment planning for children under six.",
                needs=(N.CHILD_MENTAL_HEALTH, N.DEVELOPMENTAL_SERVICES),
                languages=(EN, ES, VI),
                min_age_months=0,
                max_age_months=71,
                typical_wait_days=40,
            ),
            ServiceSpec(
                name="Wraparound services",
                description="Intensive team-based support for children at risk of out-of-home placement.",
                needs=(N.CHILD_MENTAL_HEALTH, N.STRESS),
                languages=(EN, ES),
                min_age_months=0,
                max_age_months=215,
                accepting_referrals=False,
                typical_wait_days=60,
            ),
        ),
    ),
    # --- Regional center -----------------------------------------------------------------------
    OrganizationSpec(
        slug="eastern-sgv-regional-center",
        name="Eastern San Gabriel Valley Regional Center",
        kind=K.REGIONAL_CENTER,
        description="Regional center for people with developmental disabilities: Early Start and Lanterman "
        "Act services.",
        street="1000 S Fremont Ave, Building A",
        city="Alhambra",
        postal_code="91803",
        phone="626-555-0191",
        services=(
            ServiceSpec(
                name="Early Start early intervention",
                description="Evaluation within 45 days of referral and an Individualized Family Service Plan: "
                "infant development, speech, occupational and physical therapy at home.",
                needs=(N.EARLY_INTERVENTION, N.DEVELOPMENTAL_SERVICES),
                languages=(EN, ES, CMN, YUE, VI, HY),
                min_age_months=0,
                max_age_months=35,
                typical_wait_days=45,
                eligibility="Infants and toddlers under three with a developmental delay or at high risk.",
            ),
            ServiceSpec(
                name="Lanterman eligibility intake",
                description="Intake and assessment for children three and older with a suspected developmental "
                "disability.",
                needs=(N.DEVELOPMENTAL_SERVICES,),
                languages=(EN, ES, CMN),
                min_age_months=36,
                max_age_months=None,
                typical_wait_days=90,
            ),
            ServiceSpec(
                name="Parent-to-parent support",
                description="Family resource center where parents of children with special needs support each other.",
                needs=(N.PARENTING_SUPPORT, N.SOCIAL_CONNECTION),
                languages=(EN, ES, CMN, HY),
                min_age_months=0,
                max_age_months=107,
                typical_wait_days=3,
            ),
        ),
    ),
    # --- Medi-Cal managed care plans -----------------------------------------------------------
    OrganizationSpec(
        slug=MAIN_PLAN_SLUG,
        name="L.A. Care Health Plan – San Gabriel Valley Community Resource Center",
        kind=K.MANAGED_CARE_PLAN,
        description="Medi-Cal managed care plan; community resource center with classes and member services.",
        street="3570 Santa Anita Ave",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0195",
        services=(
            ServiceSpec(
                name="Enhanced Care Management for children and youth",
                description="A lead care manager for children with complex needs (CalAIM ECM).",
                needs=(N.MEDICAL_HOME, N.PARENTING_SUPPORT, N.HOUSING_INSTABILITY),
                languages=(EN, ES, CMN, VI),
                min_age_months=0,
                max_age_months=251,
                typical_wait_days=14,
                eligibility="L.A. Care Medi-Cal members who meet an ECM population of focus.",
            ),
            ServiceSpec(
                name="Transportation to medical appointments",
                description="Free rides to covered visits, booked at least two business days ahead.",
                needs=(N.TRANSPORTATION_INSECURITY,),
                languages=(EN, ES, CMN, YUE, VI),
                typical_wait_days=2,
            ),
            ServiceSpec(
                name="Doula services",
                description="Doula support during pregnancy, birth and postpartum as a Medi-Cal benefit.",
                needs=(N.MATERNAL_MENTAL_HEALTH, N.PARENTING_SUPPORT),
                languages=(EN, ES),
                typical_wait_days=10,
            ),
        ),
    ),
    OrganizationSpec(
        slug="health-net-sgv",
        name="Health Net – San Gabriel Valley",
        kind=K.MANAGED_CARE_PLAN,
        description="Medi-Cal managed care plan serving Los Angeles County.",
        street="1600 S Atlantic Blvd, Suite 500",
        city="Monterey Park",
        postal_code="91754",
        phone="626-555-0196",
        services=(
            ServiceSpec(
                name="Member care management",
                description="Nurse and social worker care managers for members with high needs.",
                needs=(N.MEDICAL_HOME, N.HEALTH_INSURANCE),
                languages=(EN, ES, CMN, YUE),
                typical_wait_days=10,
            ),
            ServiceSpec(
                name="Community Supports: housing navigation",
                description="Housing transition navigation and deposits for eligible members (CalAIM Community "
                "Supports).",
                needs=(N.HOUSING_INSTABILITY, N.HOMELESSNESS),
                languages=(EN, ES),
                typical_wait_days=30,
            ),
        ),
    ),
    # --- Other community partners --------------------------------------------------------------
    OrganizationSpec(
        slug="alhambra-community-library",
        name="Alhambra Community Library",
        kind=K.OTHER,
        description="Public library with story times, family learning and device lending.",
        street="410 W Main St",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0201",
        services=(
            ServiceSpec(
                name="Story time and family learning",
                description="Bilingual story times for babies, toddlers and preschoolers; Reading Ready kits.",
                needs=(N.EARLY_CARE_EDUCATION, N.SOCIAL_CONNECTION),
                languages=(EN, ES, CMN),
                min_age_months=0,
                max_age_months=71,
                typical_wait_days=0,
            ),
            ServiceSpec(
                name="Chromebook and hotspot lending",
                description="Library card holders borrow a Chromebook and hotspot for three weeks.",
                needs=(N.DIGITAL_ACCESS,),
                languages=(EN, ES, CMN),
                typical_wait_days=7,
            ),
        ),
    ),
    OrganizationSpec(
        slug="alhambra-parks",
        name="Alhambra Parks and Recreation Department",
        kind=K.OTHER,
        description="Parks, recreation classes and youth programs.",
        street="800 S Almansor St",
        city="Alhambra",
        postal_code="91801",
        phone="626-555-0202",
        services=(
            ServiceSpec(
                name="Tiny Tots play program",
                description="Half-day play-based program at the community center.",
                needs=(N.EARLY_CARE_EDUCATION, N.SOCIAL_CONNECTION),
                languages=(EN, ES),
                min_age_months=30,
                max_age_months=59,
                is_free=False,
                typical_wait_days=20,
            ),
            ServiceSpec(
                name="Summer day camp scholarships",
                description="Free and reduced-fee summer camp places for school-age children.",
                needs=(N.CHILD_CARE,),
                languages=(EN, ES, CMN),
                min_age_months=60,
                max_age_months=155,
                typical_wait_days=30,
            ),
        ),
    ),
    OrganizationSpec(
        slug="guadalupe-parish-outreach",
        name="Our Lady of Guadalupe Parish Outreach",
        kind=K.OTHER,
        description="Parish outreach ministry offering a clothing closet and family support groups.",
        street="4509 Mercury Ave",
        city="Los Angeles",
        postal_code="90032",
        phone="323-555-0203",
        services=(
            ServiceSpec(
                name="Clothing closet and emergency assistance",
                description="Clothing, shoes and small emergency grants for utility bills.",
                needs=(N.MATERIAL_HARDSHIP, N.UTILITY_INSECURITY),
                languages=(ES, EN, KICHE),
                typical_wait_days=2,
            ),
            ServiceSpec(
                name="Grupo de apoyo para madres",
                description="Weekly support group for mothers of young children, in Spanish.",
                needs=(N.SOCIAL_CONNECTION, N.STRESS, N.MATERNAL_MENTAL_HEALTH),
                languages=(ES,),
                min_age_months=0,
                max_age_months=71,
                typical_wait_days=0,
            ),
        ),
    ),
    OrganizationSpec(
        slug="garfield-chinese-church",
        name="Garfield Avenue Chinese Christian Church – Family Ministry",
        kind=K.OTHER,
        description="Congregation offering parenting groups and English classes open to the community.",
        street="1919 S Garfield Ave",
        city="Monterey Park",
        postal_code="91754",
        phone="626-555-0204",
        services=(
            ServiceSpec(
                name="Parenting groups in Chinese",
                description="Parenting groups for Mandarin- and Cantonese-speaking parents of young children.",
                needs=(N.PARENTING_SUPPORT, N.SOCIAL_CONNECTION),
                languages=(CMN, YUE, TOISAN),
                min_age_months=0,
                max_age_months=107,
                typical_wait_days=7,
            ),
        ),
    ),
    OrganizationSpec(
        slug="vietnamese-family-services",
        name="Vietnamese American Family Services",
        kind=K.OTHER,
        description="Community organization serving Vietnamese and Chinese-Vietnamese families in the valley.",
        street="8920 Garvey Ave, Suite 6",
        city="Rosemead",
        postal_code="91770",
        phone="626-555-0205",
        services=(
            ServiceSpec(
                name="Family case management",
                description="Help with benefits, school enrollment, housing and translation of letters.",
                needs=(N.FINANCIAL_INSECURITY, N.HEALTH_INSURANCE, N.HOUSING_INSTABILITY, N.EDUCATION),
                languages=(VI, YUE, EN),
                typical_wait_days=5,
            ),
            ServiceSpec(
                name="Elder and grandparent caregiver support",
                description="Support groups and respite for grandparents raising or caring for grandchildren.",
                needs=(N.CHILD_CARE, N.SOCIAL_CONNECTION, N.STRESS),
                languages=(VI, YUE),
                typical_wait_days=14,
            ),
        ),
    ),
    OrganizationSpec(
        slug="sgv-armenian-center",
        name="San Gabriel Valley Armenian Community Center",
        kind=K.OTHER,
        description="Community center with a Saturday preschool and newcomer family support.",
        street="5950 N Temple City Blvd",
        city="Temple City",
        postal_code="91780",
        phone="626-555-0206",
        services=(
            ServiceSpec(
                name="Saturday Armenian preschool",
                description="Language and culture preschool on Saturday mornings.",
                needs=(N.EARLY_CARE_EDUCATION, N.SOCIAL_CONNECTION),
                languages=(HY, EN),
                min_age_months=30,
                max_age_months=71,
                is_free=False,
                typical_wait_days=14,
            ),
            ServiceSpec(
                name="Newcomer family support",
                description="Orientation, benefits help and interpreting for newly arrived families.",
                needs=(N.HEALTH_INSURANCE, N.EMPLOYMENT, N.SOCIAL_CONNECTION),
                languages=(HY, EN),
                typical_wait_days=7,
            ),
        ),
    ),
    OrganizationSpec(
        slug="sgv-child-care-resource",
        name="San Gabriel Valley Child Care Resource and Referral",
        kind=K.OTHER,
        description="Child care resource and referral agency and subsidized child care payments.",
        street="10501 Valley Blvd, Suite 120",
        city="El Monte",
        postal_code="91731",
        phone="626-555-0207",
        services=(
            ServiceSpec(
                name="Child care referrals",
                description="Personalized lists of licensed centers and family child care homes with openings.",
                needs=(N.CHILD_CARE, N.EARLY_CARE_EDUCATION),
                languages=(EN, ES, CMN, VI, ASL),
                min_age_months=0,
                max_age_months=155,
                typical_wait_days=2,
            ),
            ServiceSpec(
                name="Subsidized child care (Alternative Payment Program)",
                description="Payments to the family's chosen provider for eligible working or studying parents.",
                needs=(N.CHILD_CARE, N.FINANCIAL_INSECURITY),
                languages=(EN, ES, CMN),
                min_age_months=0,
                max_age_months=155,
                accepting_referrals=False,
                typical_wait_days=180,
                eligibility="Income-eligible parents who work, study or look for work.",
            ),
        ),
    ),
)

# --- The directory: where and when the services are offered ---------------------------------------

# ZIP code centroids (US Census ZCTA, as in the ``zipcodes`` package), for the directory's locations.
ZIP_CENTROIDS: dict[str, tuple[str, str]] = {
    "90022": ("34.0245", "-118.1561"),
    "90032": ("34.0818", "-118.1753"),
    "90063": ("34.0451", "-118.1859"),
    "91731": ("34.0791", "-118.0371"),
    "91733": ("34.0557", "-118.0444"),
    "91754": ("34.0534", "-118.1271"),
    "91770": ("34.0658", "-118.0853"),
    "91775": ("34.1155", "-118.0857"),
    "91776": ("34.0890", "-118.0955"),
    "91780": ("34.1016", "-118.0537"),
    "91801": ("34.0914", "-118.1293"),
    "91803": ("34.0745", "-118.1434"),
}


@dataclass(frozen=True)
class SiteSpec:
    """A second place where an organization offers some of its services."""

    organization: str  # slug
    name: str
    street: str
    city: str
    postal_code: str
    services: tuple[str, ...]  # service names offered there
    transportation: str = ""


SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        MAIN_FRC_SLUG,
        "Alhambra Park community room",
        "500 N Palm Ave",
        "Alhambra",
        "91801",
        ("Parent cafés and parenting classes",),
        "Metro bus 260 to Atlantic Blvd / Alhambra Rd; free parking on Palm Ave.",
    ),
    SiteSpec(
        MAIN_FOOD_BANK_SLUG,
        "South El Monte mobile pantry (Thursdays)",
        "1415 Santa Anita Ave",
        "South El Monte",
        "91733",
        (),
        "El Monte Transit green line, stop at Santa Anita Ave / Rush St.",
    ),
    SiteSpec(
        "wic-alhambra",
        "WIC at San Gabriel Mission Playhouse annex",
        "320 S Mission Dr",
        "San Gabriel",
        "91776",
        (),
    ),
    SiteSpec(
        "nido-home-visiting",
        "Nido group connections room",
        "2000 W Garvey Ave",
        "Monterey Park",
        "91754",
        (),
    ),
)

# Weekly hours, as (days, opens, closes): weekday offices, evening classes, Saturday mornings.
HOURS_PATTERNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "office": (("MO,TU,WE,TH,FR", "09:00", "17:00"),),
    "office_saturday": (("MO,TU,WE,TH,FR", "08:30", "17:00"), ("SA", "09:00", "13:00")),
    "clinic_evenings": (("MO,TU,WE,TH,FR", "08:00", "17:00"), ("TU,TH", "17:00", "20:00"), ("SA", "08:00", "12:00")),
    "evenings": (("TU,TH", "17:30", "20:00"),),
    "weekend": (("SA", "09:00", "12:00"), ("WE", "15:00", "18:00")),
    "school": (("MO,TU,WE,TH,FR", "07:30", "15:30"),),
}
HOURS_BY_KIND: dict[str, tuple[str, ...]] = {
    K.FAMILY_RESOURCE_CENTER: ("office_saturday", "office", "evenings"),
    K.CLINIC: ("clinic_evenings", "office"),
    K.SCHOOL: ("school", "office"),
    K.FOOD_BANK: ("weekend", "office_saturday"),
    K.WIC: ("office_saturday", "office"),
    K.HOME_VISITING: ("office", "office_saturday"),
    K.MENTAL_HEALTH: ("clinic_evenings", "office", "evenings"),
    K.LEGAL_AID: ("office", "evenings"),
}
# Words in a service name that decide its hours, before the organization's kind does.
HOURS_BY_WORD: tuple[tuple[str, str], ...] = (
    ("Saturday", "weekend"),
    ("pantry", "weekend"),
    ("class", "evenings"),
    ("café", "evenings"),
    ("group", "evenings"),
    ("preschool", "school"),
)
# Share of listings whose provider has not confirmed them for more than 180 days.
STALE_SHARE = 0.15

# The services' names in Spanish, listed as the HSDS ``alternate_name`` (the network's second language).
SPANISH_SERVICE_NAMES: dict[str, str] = {
    "Family navigation and care coordination": "Navegación familiar y coordinación de servicios",
    "Parent cafés and parenting classes": "Cafés para padres y clases de crianza",
    "Diaper bank and basic needs closet": "Banco de pañales y artículos básicos",
    "Medi-Cal and CalFresh enrollment assistance": "Ayuda para inscribirse en Medi-Cal y CalFresh",
    "Baby and me playgroups": "Grupos de juego para bebés y sus padres",
    "Family navigation": "Navegación familiar",
    "ESL and parent education": "Inglés como segundo idioma y educación para padres",
    "Free tax preparation and financial coaching": "Preparación gratuita de impuestos y asesoría financiera",
    "Promotora home visits and navigation": "Visitas de promotoras al hogar y navegación",
    "Housing stability and utility assistance": "Ayuda con vivienda y servicios públicos",
    "Job readiness and digital skills": "Preparación para el empleo y habilidades digitales",
    "Hotspot and laptop lending": "Préstamo de hotspots y computadoras portátiles",
    "Domestic violence advocacy and support groups": "Apoyo y grupos para sobrevivientes de violencia doméstica",
    "Immigrant family support": "Apoyo a familias inmigrantes",
    "Pediatric primary care and well-child visits": "Atención pediátrica primaria y chequeos del niño sano",
    "Developmental screening and HealthySteps": "Evaluación del desarrollo y HealthySteps",
    "Comprehensive perinatal services": "Servicios perinatales integrales",
    "Integrated behavioral health": "Salud mental integrada",
    "Pediatric care": "Atención pediátrica",
    "Walk-in immunization clinic": "Clínica de vacunas sin cita",
    "Prenatal care": "Atención prenatal",
    "Well-child visits": "Chequeos del niño sano",
    "Lactation support": "Apoyo para la lactancia",
    "Pediatric and family medicine": "Medicina pediátrica y familiar",
    "Children's dental clinic": "Clínica dental infantil",
    "Community health worker program": "Programa de promotores de salud",
    "Pediatric dentistry": "Odontología pediátrica",
    "Pediatric primary care": "Atención pediátrica primaria",
    "Postpartum depression screening and support": "Detección y apoyo para la depresión posparto",
    "Transitional kindergarten and preschool enrollment": "Inscripción en kínder de transición y preescolar",
    "McKinney-Vento family liaison": "Enlace familiar McKinney-Vento",
    "Child Find special education assessment": "Evaluación de educación especial (Child Find)",
    "Family literacy nights": "Noches familiares de lectura",
    "School-based counseling": "Consejería en la escuela",
    "After-school program": "Programa después de clases",
    "Family center": "Centro familiar",
    "Transitional kindergarten": "Kínder de transición",
    "California State Preschool": "Preescolar estatal de California",
    "Infant and toddler care": "Cuidado de bebés y niños pequeños",
    "Head Start preschool": "Preescolar Head Start",
    "Early Head Start": "Early Head Start (bebés y niños pequeños)",
    "Tenant rights and eviction defense": "Derechos de inquilinos y defensa contra desalojos",
    "Public benefits advocacy": "Defensa para beneficios públicos",
    "Family law and restraining orders": "Derecho familiar y órdenes de restricción",
    "Immigration legal consultations": "Consultas legales de inmigración",
    "Public charge and benefits information": "Información sobre carga pública y beneficios",
    "WIC food benefits and nutrition education": "Beneficios de alimentos de WIC y educación sobre nutrición",
    "Breastfeeding peer counseling": "Consejería de lactancia entre madres",
    "Emergency food boxes": "Cajas de comida de emergencia",
    "Mobile pantry": "Despensa móvil",
    "Baby pantry: formula and diapers": "Despensa para bebés: fórmula y pañales",
    "CalFresh application help": "Ayuda con la solicitud de CalFresh",
    "Weekly pantry": "Despensa semanal",
    "Pantry and hot meals": "Despensa y comidas calientes",
    "Holiday and back-to-school drives": "Colectas de fiestas y de regreso a clases",
    "Parents as Teachers home visits": "Visitas al hogar de Parents as Teachers",
    "Prenatal home visits": "Visitas prenatales al hogar",
    "Healthy Families home visiting": "Visitas al hogar de Healthy Families",
    "Nurse home visiting for first-time parents": "Visitas de enfermeras para padres primerizos",
    "Child-parent psychotherapy": "Psicoterapia para padres e hijos",
    "Parent-child interaction therapy": "Terapia de interacción entre padres e hijos",
    "Perinatal mood counseling": "Consejería para el estado de ánimo perinatal",
    "Family and child counseling": "Consejería familiar e infantil",
    "Maternal mental health program": "Programa de salud mental materna",
    "Early childhood mental health assessment": "Evaluación de salud mental en la primera infancia",
    "Wraparound services": "Servicios integrales Wraparound",
    "Early Start early intervention": "Intervención temprana Early Start",
    "Lanterman eligibility intake": "Evaluación de elegibilidad Lanterman",
    "Parent-to-parent support": "Apoyo entre padres",
    "Enhanced Care Management for children and youth": "Gestión de Atención Mejorada para niños y jóvenes",
    "Transportation to medical appointments": "Transporte a citas médicas",
    "Doula services": "Servicios de doula",
    "Member care management": "Gestión de atención para miembros",
    "Community Supports: housing navigation": "Apoyos Comunitarios: navegación de vivienda",
    "Story time and family learning": "Hora del cuento y aprendizaje en familia",
    "Chromebook and hotspot lending": "Préstamo de Chromebooks y hotspots",
    "Tiny Tots play program": "Programa de juego Tiny Tots",
    "Summer day camp scholarships": "Becas para campamento de verano",
    "Clothing closet and emergency assistance": "Ropero y ayuda de emergencia",
    "Grupo de apoyo para madres": "Grupo de apoyo para madres",
    "Parenting groups in Chinese": "Grupos de crianza en chino",
    "Family case management": "Manejo de casos familiares",
    "Elder and grandparent caregiver support": "Apoyo para abuelos y personas que cuidan a mayores",
    "Saturday Armenian preschool": "Preescolar armenio de los sábados",
    "Newcomer family support": "Apoyo a familias recién llegadas",
    "Child care referrals": "Referidos para cuidado infantil",
    "Subsidized child care (Alternative Payment Program)": "Cuidado infantil subsidiado (Programa de Pago Alternativo)",
}

# Who signs households up, and how often: the organizations that run intake.
REGISTRAR_WEIGHTS: tuple[tuple[str, int], ...] = (
    (MAIN_FRC_SLUG, 22),
    ("monterey-park-frc", 9),
    ("el-monte-familias", 10),
    ("centro-familias-este", 7),
    (MAIN_CLINIC_SLUG, 12),
    ("garvey-community-clinic", 6),
    ("eastside-family-health", 6),
    ("tyler-avenue-chc", 5),
    ("sgv-pediatric-group", 2),
    ("alhambra-esd", 5),
    ("cedar-grove-elementary", 2),
    ("sgv-head-start", 3),
    ("wic-alhambra", 5),
    ("wic-el-monte", 3),
    ("nido-home-visiting", 2),
    ("bright-start-home-visiting", 1),
)

# --- Staff ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSlot:
    role: str
    title: str
    count: int = 1
    is_org_admin: bool = False


R = Role

# Staffing by kind of organization: who works there and under which role.
STAFF_BY_KIND: dict[str, tuple[StaffSlot, ...]] = {
    K.HUB: (
        StaffSlot(R.HUB_ADMIN, "Network Data Manager"),
        StaffSlot(R.COORDINATOR, "Network Care Coordination Lead"),
        StaffSlot(R.ANALYST, "Evaluation Analyst"),
    ),
    K.FAMILY_RESOURCE_CENTER: (
        StaffSlot(R.PROVIDER_STAFF, "Program Director", is_org_admin=True),
        StaffSlot(R.COORDINATOR, "Family Specialist", 2),
        StaffSlot(R.COORDINATOR, "Community Health Worker"),
        StaffSlot(R.COORDINATOR, "Promotora de Salud"),
        StaffSlot(R.PROVIDER_STAFF, "Intake Specialist"),
    ),
    K.CLINIC: (
        StaffSlot(R.PROVIDER_STAFF, "Clinic Operations Manager", is_org_admin=True),
        StaffSlot(R.CLINICIAN, "Pediatrician"),
        StaffSlot(R.CLINICIAN, "Pediatric Nurse Practitioner"),
        StaffSlot(R.CLINICIAN, "Behavioral Health Clinician, LCSW"),
        StaffSlot(R.COORDINATOR, "Community Health Worker"),
        StaffSlot(R.COORDINATOR, "HealthySteps Specialist"),
        StaffSlot(R.PROVIDER_STAFF, "Referral Coordinator"),
    ),
    K.SCHOOL: (
        StaffSlot(R.PROVIDER_STAFF, "Principal", is_org_admin=True),
        StaffSlot(R.PROVIDER_STAFF, "Family Liaison"),
        StaffSlot(R.PROVIDER_STAFF, "School Counselor"),
    ),
    K.LEGAL_AID: (
        StaffSlot(R.PROVIDER_STAFF, "Managing Attorney", is_org_admin=True),
        StaffSlot(R.PROVIDER_STAFF, "Staff Attorney"),
        StaffSlot(R.PROVIDER_STAFF, "Paralegal"),
    ),
    K.WIC: (
        StaffSlot(R.PROVIDER_STAFF, "Site Supervisor", is_org_admin=True),
        StaffSlot(R.PROVIDER_STAFF, "WIC Nutrition Assistant", 2),
    ),
    K.FOOD_BANK: (
        StaffSlot(R.PROVIDER_STAFF, "Executive Director", is_org_admin=True),
        StaffSlot(R.PROVIDER_STAFF, "Pantry Coordinator"),
    ),
    K.HOME_VISITING: (
        StaffSlot(R.PROVIDER_STAFF, "Program Manager", is_org_admin=True),
        StaffSlot(R.COORDINATOR, "Home Visitor", 2),
        StaffSlot(R.COORDINATOR, "Parent Educator"),
        StaffSlot(R.CLINICIAN, "Public Health Nurse"),
    ),
    K.MENTAL_HEALTH: (
        StaffSlot(R.PROVIDER_STAFF, "Clinical Director", is_org_admin=True),
        StaffSlot(R.CLINICIAN, "Licensed Marriage and Family Therapist", 2),
        StaffSlot(R.CLINICIAN, "Infant Mental Health Specialist"),
        StaffSlot(R.PROVIDER_STAFF, "Intake Coordinator"),
    ),
    K.REGIONAL_CENTER: (
        StaffSlot(R.PROVIDER_STAFF, "Early Start Manager", is_org_admin=True),
        StaffSlot(R.PROVIDER_STAFF, "Early Start Service Coordinator", 2),
        StaffSlot(R.CLINICIAN, "Developmental Pediatrician"),
    ),
    K.MANAGED_CARE_PLAN: (
        StaffSlot(R.PROVIDER_STAFF, "Community Partnerships Manager", is_org_admin=True),
        StaffSlot(R.COORDINATOR, "ECM Lead Care Manager"),
        StaffSlot(R.ANALYST, "Quality Improvement Analyst"),
    ),
    K.OTHER: (
        StaffSlot(R.PROVIDER_STAFF, "Program Coordinator", is_org_admin=True),
        StaffSlot(R.PROVIDER_STAFF, "Outreach Worker"),
    ),
}


@dataclass(frozen=True)
class WellKnownUser:
    email: str
    role: str
    organization_slug: str
    first_name: str
    last_name: str
    title: str
    is_org_admin: bool = False
    preferred_language: str = "en"


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


# One sign-in per role that the README and the demo script can name.
WELL_KNOWN_USERS: tuple[WellKnownUser, ...] = (
    WellKnownUser(demo_email("admin"), R.HUB_ADMIN, HUB_SLUG, "Grace", "Liu", "Hub Director", is_org_admin=True),
    WellKnownUser(demo_email("coordinator"), R.COORDINATOR, MAIN_FRC_SLUG, "Maribel", "Ortiz", "Family Specialist"),
    WellKnownUser(
        demo_email("provider"), R.PROVIDER_STAFF, MAIN_FOOD_BANK_SLUG, "Daniel", "Tran", "Pantry Coordinator"
    ),
    WellKnownUser(demo_email("clinician"), R.CLINICIAN, MAIN_CLINIC_SLUG, "Laura", "Chen", "Pediatrician"),
    WellKnownUser(demo_email("analyst"), R.ANALYST, HUB_SLUG, "Marcus", "Reed", "Data and Evaluation Lead"),
    WellKnownUser(
        demo_email("family"),
        R.FAMILY_MEMBER,
        HUB_SLUG,
        "Rosa",
        "Hernández",
        "",
        preferred_language="es",
    ),
)

FAMILY_MEMBER_USERS = 5  # besides the well-known family sign-in

# --- Places ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    postal_code: str
    city: str
    area_code: str
    streets: tuple[str, ...]


PLACES: tuple[Place, ...] = (
    Place(
        "91801",
        "Alhambra",
        "626",
        (
            "W Main St",
            "E Main St",
            "N Garfield Ave",
            "N Chapel Ave",
            "N Marengo Ave",
            "N 1st St",
            "W Commonwealth Ave",
            "E Alhambra Rd",
            "N Stoneman Ave",
            "E Woodward Ave",
            "N Electric Ave",
            "W Valley Blvd",
        ),
    ),
    Place(
        "91803",
        "Alhambra",
        "626",
        (
            "S Garfield Ave",
            "W Mission Rd",
            "S Fremont Ave",
            "S Date Ave",
            "W Vega St",
            "S Palm Ave",
            "W Hellman Ave",
            "W Ramona Rd",
            "S 6th St",
            "S Atlantic Blvd",
        ),
    ),
    Place(
        "91754",
        "Monterey Park",
        "626",
        (
            "W Garvey Ave",
            "N Atlantic Blvd",
            "N Garfield Ave",
            "Monterey Pass Rd",
            "N Ynez Ave",
            "W Emerson Ave",
            "N Sierra Vista Ave",
            "S Ramona Ave",
        ),
    ),
    Place(
        "91755",
        "Monterey Park",
        "323",
        (
            "Potrero Grande Dr",
            "Brightwood St",
            "N Wilcox Ave",
            "Riggin St",
            "E Garvey Ave",
            "N Findlay Ave",
            "Corporate Center Dr",
        ),
    ),
    Place(
        "91776",
        "San Gabriel",
        "626",
        (
            "S San Gabriel Blvd",
            "E Valley Blvd",
            "S Del Mar Ave",
            "W Mission Dr",
            "S Broadway",
            "Bencamp St",
            "S Gladys Ave",
            "E Live Oak St",
        ),
    ),
    Place(
        "91775",
        "San Gabriel",
        "626",
        (
            "E Las Tunas Dr",
            "Roses Rd",
            "Wells St",
            "Sunnyslope Dr",
            "N Del Mar Ave",
            "Country Club Dr",
        ),
    ),
    Place(
        "91770",
        "Rosemead",
        "626",
        (
            "Garvey Ave",
            "Rosemead Blvd",
            "Walnut Grove Ave",
            "Valley Blvd",
            "Hellman Ave",
            "Delta Ave",
            "Marshall St",
            "Mission Dr",
            "Ivar Ave",
        ),
    ),
    Place(
        "91780",
        "Temple City",
        "626",
        (
            "Las Tunas Dr",
            "Rosemead Blvd",
            "Longden Ave",
            "Baldwin Ave",
            "Temple City Blvd",
            "Olive St",
            "Lower Azusa Rd",
            "Golden West Ave",
        ),
    ),
    Place(
        "91731",
        "El Monte",
        "626",
        (
            "Valley Blvd",
            "Tyler Ave",
            "Santa Anita Ave",
            "Main St",
            "Ramona Blvd",
            "Garvey Ave",
            "Flair Dr",
        ),
    ),
    Place(
        "91732",
        "El Monte",
        "626",
        (
            "Peck Rd",
            "Lower Azusa Rd",
            "Cogswell Rd",
            "Mountain View Rd",
            "Elliott Ave",
            "Bodger St",
            "Maxson Rd",
        ),
    ),
    # USPS names 91733 South El Monte; part of El Monte shares it.
    Place(
        "91733",
        "South El Monte",
        "626",
        (
            "Santa Anita Ave",
            "Rush St",
            "Durfee Ave",
            "Central Ave",
            "Tyler Ave",
            "Merced Ave",
            "Rosemead Blvd",
        ),
    ),
    # El Sereno is a Los Angeles neighborhood; mail goes to Los Angeles.
    Place(
        "90032",
        "Los Angeles",
        "323",
        (
            "Huntington Dr N",
            "Eastern Ave",
            "Alhambra Ave",
            "Van Horne Ave",
            "Lowell Ave",
            "Maycrest Ave",
            "Navarro St",
            "Kendall Ave",
            "Mercury Ave",
        ),
    ),
    Place(
        "90022",
        "East Los Angeles",
        "323",
        (
            "Whittier Blvd",
            "S Atlantic Blvd",
            "E Olympic Blvd",
            "S Eastern Ave",
            "S Arizona Ave",
            "S Mednik Ave",
            "S Ford Blvd",
            "E Cesar E Chavez Ave",
        ),
    ),
    Place(
        "90063",
        "East Los Angeles",
        "323",
        (
            "City Terrace Dr",
            "N Hazard Ave",
            "Marianna Ave",
            "Floral Dr",
            "E 1st St",
            "N Ford Blvd",
            "E Cesar E Chavez Ave",
        ),
    ),
    Place(
        "91030",
        "South Pasadena",
        "626",
        (
            "Fair Oaks Ave",
            "Mission St",
            "Huntington Dr",
            "Monterey Rd",
            "El Centro St",
            "Oxley St",
            "Garfield Ave",
            "Meridian Ave",
        ),
    ),
)
PLACE_BY_ZIP: dict[str, Place] = {place.postal_code: place for place in PLACES}

# Where households of each background tend to live, weights in PLACES order. The western San
# Gabriel Valley cities are majority Asian American; El Monte and East Los Angeles majority Latino.
ZIP_WEIGHTS: dict[str, tuple[int, ...]] = {
    #          801 803 754 755 776 775 770 780 731 732 733 032 022 063 030
    "latino": (12, 12, 5, 4, 5, 2, 8, 3, 12, 10, 8, 8, 10, 8, 1),
    "asian": (14, 10, 12, 8, 12, 8, 14, 10, 4, 4, 2, 1, 1, 1, 3),
    "other": (15, 10, 5, 5, 8, 8, 5, 12, 5, 5, 2, 5, 2, 2, 15),
}

# --- Names ---------------------------------------------------------------------------------------
# Spanish-speaking families (Mexican, Central American)
SPANISH_FEMALE: tuple[str, ...] = (
    "María",
    "Guadalupe",
    "Rosa",
    "Ana",
    "Juana",
    "Claudia",
    "Verónica",
    "Leticia",
    "Patricia",
    "Adriana",
    "Yesenia",
    "Araceli",
    "Maribel",
    "Norma",
    "Silvia",
    "Elizabeth",
    "Gabriela",
    "Alejandra",
    "Karla",
    "Brenda",
    "Marisol",
    "Lucía",
    "Carmen",
    "Teresa",
    "Yolanda",
    "Sandra",
    "María Guadalupe",
    "María de Jesús",
    "Ana María",
    "Rocío",
)
SPANISH_MALE: tuple[str, ...] = (
    "José",
    "Juan",
    "Luis",
    "Carlos",
    "Jorge",
    "Miguel",
    "Francisco",
    "Jesús",
    "Antonio",
    "Alejandro",
    "Ricardo",
    "Javier",
    "Fernando",
    "Eduardo",
    "Roberto",
    "Óscar",
    "Raúl",
    "Sergio",
    "Mario",
    "Rafael",
    "Víctor",
    "Manuel",
    "Pedro",
    "Arturo",
    "Héctor",
    "Edgar",
    "José Luis",
    "Juan Carlos",
    "Ignacio",
    "Ramón",
)
SPANISH_CHILD_FEMALE: tuple[str, ...] = (
    "Sofía",
    "Valentina",
    "Camila",
    "Isabella",
    "Mía",
    "Emily",
    "Ximena",
    "Natalie",
    "Génesis",
    "Aylin",
    "Victoria",
    "Daniela",
    "Ashley",
    "Jazmín",
    "Regina",
    "Luna",
    "Abigail",
    "Andrea",
    "Renata",
    "Guadalupe",
    "María José",
)
SPANISH_CHILD_MALE: tuple[str, ...] = (
    "Mateo",
    "Santiago",
    "Sebastián",
    "Diego",
    "Daniel",
    "Ángel",
    "Adrián",
    "Leonardo",
    "Emiliano",
    "Liam",
    "Ethan",
    "Noah",
    "Christopher",
    "Jayden",
    "Julián",
    "Gael",
    "Iker",
    "Aarón",
    "Isaac",
    "Joshua",
    "Jesús",
)
SPANISH_SURNAMES: tuple[str, ...] = (
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Cruz",
    "Morales",
    "Reyes",
    "Gutiérrez",
    "Ortiz",
    "Chávez",
    "Ramos",
    "Ruiz",
    "Vásquez",
    "Castillo",
    "Jiménez",
    "Mendoza",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Vargas",
    "Guerrero",
    "Domínguez",
    "Ríos",
    "Contreras",
    "Navarro",
    "Salazar",
    "Estrada",
    "de la Cruz",
    "del Río",
    "de León",
    "de los Santos",
    "de la Torre",
    "del Valle",
)
# Nicknames families give as the name to use.
SPANISH_NICKNAMES = {
    "Guadalupe": "Lupe",
    "María Guadalupe": "Lupita",
    "José": "Pepe",
    "Francisco": "Paco",
    "Jesús": "Chuy",
    "Ignacio": "Nacho",
    "Alejandro": "Alex",
    "Roberto": "Beto",
    "María de Jesús": "Chucha",
    "Rocío": "Chío",
}

# Indigenous Mexican and Guatemalan families.
MIXTEC_FEMALE: tuple[str, ...] = (
    "Juana",
    "Margarita",
    "Reyna",
    "Eulalia",
    "Florentina",
    "Catalina",
    "Rufina",
    "Petra",
    "Modesta",
    "Isabel",
    "Ofelia",
    "Felícitas",
    "Hermelinda",
)
MIXTEC_MALE: tuple[str, ...] = (
    "Bernardino",
    "Crispín",
    "Florencio",
    "Faustino",
    "Serafín",
    "Emiliano",
    "Gregorio",
    "Cirilo",
    "Hilario",
    "Abundio",
    "Isidro",
    "Teodoro",
    "Marcelino",
)
MIXTEC_SURNAMES: tuple[str, ...] = (
    "López",
    "Santiago",
    "Hernández",
    "Martínez",
    "Cruz",
    "Ramírez",
    "Bautista",
    "Mendoza",
    "Ortiz",
    "Jiménez",
    "Velasco",
    "Reyes",
    "Sarmiento",
    "Feria",
    "Guzmán",
    "Rojas",
    "Ventura",
    "Solano",
    "Zárate",
    "de la Cruz",
)
ZAPOTEC_SURNAMES: tuple[str, ...] = (
    "Ruiz",
    "Santiago",
    "Méndez",
    "Luis",
    "Antonio",
    "Vásquez",
    "Martínez",
    "Mendoza",
    "Gómez",
    "Bautista",
    "Hipólito",
    "Cruz",
    "Lazo",
    "Contreras",
    "Matías",
    "Sosa",
    "Ángeles",
)
KICHE_FEMALE: tuple[str, ...] = (
    "Juana",
    "Manuela",
    "Micaela",
    "Rosalía",
    "Catarina",
    "Magdalena",
    "Tomasa",
    "Sandra",
    "Olga",
    "Floridalma",
    "Heidy",
    "Yesica",
)
KICHE_MALE: tuple[str, ...] = (
    "Diego",
    "Tomás",
    "Sebastián",
    "Francisco",
    "Manuel",
    "Pascual",
    "Baltazar",
    "Mateo",
    "Marvin",
    "Elmer",
    "Byron",
    "Wilson",
    "Edwin",
)
KICHE_SURNAMES: tuple[str, ...] = (
    "Tzoc",
    "Ixcoy",
    "Tum",
    "Chitay",
    "Tzul",
    "Xoc",
    "Us",
    "Batz",
    "Tambriz",
    "Ajpop",
    "Coyoy",
    "Guarchaj",
    "Tzunux",
    "Ixchop",
    "García",
    "López",
    "Gómez",
)
MIXTEC_DIALECTS = (
    ("Mixteco de San Juan Mixtepec", 30),
    ("Mixteco Bajo", 25),
    ("Mixteco Alto", 15),
    ("Mixteco de San Martín Peras", 15),
    ("Mixteco de Tlaxiaco", 15),
)
ZAPOTEC_DIALECTS = (
    ("Zapoteco del Valle de Tlacolula", 45),
    ("Zapoteco de San Lucas Quiaviní", 25),
    ("Zapoteco de la Sierra Norte", 30),
)
KICHE_DIALECTS = (
    ("K'iche' de Totonicapán", 40),
    ("K'iche' de Nahualá", 30),
    ("", 30),
)

# Chinese: (simplified, traditional, pinyin, Cantonese romanization). A family romanizes with
# pinyin (Mandarin) or Hong Kong style (Cantonese), so the same 陈 is Chen in one file and Chan in
# another: the variants record linkage has to bridge.
CHINESE_SURNAMES = (
    ("陈", "陳", "Chen", "Chan"),
    ("黄", "黃", "Huang", "Wong"),
    ("张", "張", "Zhang", "Cheung"),
    ("李", "李", "Li", "Lee"),
    ("王", "王", "Wang", "Wong"),
    ("刘", "劉", "Liu", "Lau"),
    ("林", "林", "Lin", "Lam"),
    ("吴", "吳", "Wu", "Ng"),
    ("杨", "楊", "Yang", "Yeung"),
    ("周", "周", "Zhou", "Chow"),
    ("郑", "鄭", "Zheng", "Cheng"),
    ("梁", "梁", "Liang", "Leung"),
    ("谢", "謝", "Xie", "Tse"),
    ("何", "何", "He", "Ho"),
    ("邓", "鄧", "Deng", "Tang"),
    ("冯", "馮", "Feng", "Fung"),
    ("马", "馬", "Ma", "Ma"),
    ("胡", "胡", "Hu", "Wu"),
    ("朱", "朱", "Zhu", "Chu"),
    ("郭", "郭", "Guo", "Kwok"),
    ("罗", "羅", "Luo", "Lo"),
    ("许", "許", "Xu", "Hui"),
    ("蔡", "蔡", "Cai", "Choi"),
    ("徐", "徐", "Xu", "Tsui"),
    ("孙", "孫", "Sun", "Suen"),
)
# Taishanese families, long settled in the valley, kept older spellings.
TAISHANESE_SURNAMES = (
    ("邝", "鄺", "Kuang", "Kwong"),
    ("甄", "甄", "Zhen", "Yan"),
    ("伍", "伍", "Wu", "Eng"),
    ("余", "余", "Yu", "Yee"),
    ("雷", "雷", "Lei", "Louie"),
    ("关", "關", "Guan", "Quan"),
    ("谭", "譚", "Tan", "Tom"),
    ("朱", "朱", "Zhu", "Gee"),
    ("司徒", "司徒", "Situ", "Szeto"),
    ("黄", "黃", "Huang", "Wong"),
    ("赵", "趙", "Zhao", "Jue"),
)
# (simplified, traditional, pinyin, Cantonese romanization, sex: f, m or u)
CHINESE_GIVEN = (
    ("伟", "偉", "Wei", "Wai", "m"),
    ("静", "靜", "Jing", "Ching", "f"),
    ("丽华", "麗華", "Lihua", "Lai Wah", "f"),
    ("敏", "敏", "Min", "Man", "f"),
    ("婷", "婷", "Ting", "Ting", "f"),
    ("浩然", "浩然", "Haoran", "Ho Yin", "m"),
    ("子涵", "子涵", "Zihan", "Tsz Ham", "u"),
    ("梓轩", "梓軒", "Zixuan", "Tsz Hin", "m"),
    ("欣怡", "欣怡", "Xinyi", "Yan Yi", "f"),
    ("雨桐", "雨桐", "Yutong", "Yu Tung", "f"),
    ("嘉欣", "嘉欣", "Jiaxin", "Ka Yan", "f"),
    ("咏诗", "詠詩", "Yongshi", "Wing Sze", "f"),
    ("志强", "志強", "Zhiqiang", "Chi Keung", "m"),
    ("美玲", "美玲", "Meiling", "Mei Ling", "f"),
    ("国伟", "國偉", "Guowei", "Kwok Wai", "m"),
    ("家豪", "家豪", "Jiahao", "Ka Ho", "m"),
    ("俊杰", "俊傑", "Junjie", "Chun Kit", "m"),
    ("玉兰", "玉蘭", "Yulan", "Yuk Lan", "f"),
    ("文杰", "文傑", "Wenjie", "Man Kit", "m"),
    ("慧敏", "慧敏", "Huimin", "Wai Man", "f"),
    ("凯欣", "凱欣", "Kaixin", "Hoi Yan", "f"),
    ("建华", "建華", "Jianhua", "Kin Wah", "m"),
    ("秀英", "秀英", "Xiuying", "Sau Ying", "f"),
    ("晓明", "曉明", "Xiaoming", "Hiu Ming", "u"),
    ("芳", "芳", "Fang", "Fong", "f"),
    ("磊", "磊", "Lei", "Lui", "m"),
    ("思远", "思遠", "Siyuan", "Sze Yuen", "m"),
    ("佳怡", "佳怡", "Jiayi", "Kai Yi", "f"),
    ("宇航", "宇航", "Yuhang", "Yu Hong", "m"),
    ("诗涵", "詩涵", "Shihan", "Sze Ham", "f"),
    ("明轩", "明軒", "Mingxuan", "Ming Hin", "m"),
    ("若曦", "若曦", "Ruoxi", "Yeuk Hei", "f"),
    ("一诺", "一諾", "Yinuo", "Yat Nok", "u"),
    ("美华", "美華", "Meihua", "Mei Wah", "f"),
    ("永康", "永康", "Yongkang", "Wing Hong", "m"),
    ("丽娟", "麗娟", "Lijuan", "Lai Kuen", "f"),
)
# Names Chinese- and Vietnamese-American children often go by at school.
ASIAN_AMERICAN_CHILD_FEMALE: tuple[str, ...] = (
    "Emily",
    "Chloe",
    "Olivia",
    "Sophia",
    "Angela",
    "Vivian",
    "Michelle",
    "Kaitlyn",
    "Ivy",
    "Audrey",
    "Claire",
    "Tiffany",
)
ASIAN_AMERICAN_CHILD_MALE: tuple[str, ...] = (
    "Ethan",
    "Ryan",
    "Jayden",
    "Lucas",
    "Aiden",
    "Kevin",
    "Brandon",
    "Justin",
    "Evan",
    "Ian",
    "Nathan",
    "Andrew",
)
CHINESE_ADULT_ENGLISH_FEMALE: tuple[str, ...] = ("Jenny", "Amy", "Helen", "Grace", "Kelly", "Wendy", "Cindy", "Annie")
CHINESE_ADULT_ENGLISH_MALE: tuple[str, ...] = ("Tony", "Eric", "Jason", "Vincent", "Peter", "David", "Kenny", "Jimmy")

# Vietnamese: (with diacritics). The plain spelling is derived by stripping them.
VIETNAMESE_SURNAMES = (
    ("Nguyễn", 30),
    ("Trần", 12),
    ("Lê", 9),
    ("Phạm", 7),
    ("Huỳnh", 5),
    ("Hoàng", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 4),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 2),
    ("Lý", 2),
    ("Trương", 2),
    ("Đinh", 1),
    ("Lâm", 1),
)
VIETNAMESE_FEMALE: tuple[str, ...] = (
    "Thị Lan",
    "Thị Hoa",
    "Ngọc Anh",
    "Thu Trang",
    "Thị Mai",
    "Kim Liên",
    "Thanh Hương",
    "Bích Ngọc",
    "Thị Hằng",
    "Mỹ Linh",
    "Phương Thảo",
    "Thị Thủy",
)
VIETNAMESE_MALE: tuple[str, ...] = (
    "Văn Hùng",
    "Minh Tuấn",
    "Quốc Bảo",
    "Văn Nam",
    "Đức Anh",
    "Thanh Tùng",
    "Hoàng Long",
    "Văn Tài",
    "Công Danh",
    "Quang Huy",
    "Văn Dũng",
)
VIETNAMESE_CHILD_FEMALE: tuple[str, ...] = (
    "Bảo Ngọc",
    "Minh Anh",
    "Gia Hân",
    "Khánh Linh",
    "Anh Thư",
    "Ngọc Hân",
    "Bảo Trâm",
)
VIETNAMESE_CHILD_MALE: tuple[str, ...] = (
    "Gia Bảo",
    "Minh Khôi",
    "Đăng Khoa",
    "Minh Quân",
    "Bảo Long",
    "Gia Huy",
    "Tuấn Kiệt",
)

# Armenian: (Latin, Armenian script). Eastern spellings end in -yan; Western families write -ian.
ARMENIAN_FEMALE = (
    ("Ani", "Անի"),
    ("Lilit", "Լիլիթ"),
    ("Mariam", "Մարիամ"),
    ("Anahit", "Անահիտ"),
    ("Karine", "Կարինե"),
    ("Sona", "Սոնա"),
    ("Nare", "Նարե"),
    ("Arpi", "Արփի"),
    ("Gayane", "Գայանե"),
    ("Tatevik", "Տաթևիկ"),
)
ARMENIAN_MALE = (
    ("Narek", "Նարեկ"),
    ("Arman", "Արման"),
    ("Hayk", "Հայկ"),
    ("Gor", "Գոռ"),
    ("Tigran", "Տիգրան"),
    ("Davit", "Դավիթ"),
    ("Aram", "Արամ"),
    ("Vahe", "Վահե"),
    ("Armen", "Արմեն"),
    ("Levon", "Լևոն"),
    ("Sevak", "Սևակ"),
)
ARMENIAN_SURNAMES = (
    ("Petrosyan", "Պետրոսյան"),
    ("Hakobyan", "Հակոբյան"),
    ("Grigoryan", "Գրիգորյան"),
    ("Sargsyan", "Սարգսյան"),
    ("Avetisyan", "Ավետիսյան"),
    ("Manukyan", "Մանուկյան"),
    ("Khachatryan", "Խաչատրյան"),
    ("Harutyunyan", "Հարությունյան"),
    ("Ghazaryan", "Ղազարյան"),
    ("Mkrtchyan", "Մկրտչյան"),
    ("Vardanyan", "Վարդանյան"),
    ("Karapetyan", "Կարապետյան"),
)
ARMENIAN_CHILD_FEMALE: tuple[str, ...] = ("Ani", "Mariam", "Nare", "Sofia", "Eva", "Emily", "Lilit", "Elen")
ARMENIAN_CHILD_MALE: tuple[str, ...] = ("Narek", "Davit", "Tigran", "Alex", "Mark", "Aram", "Erik", "Levon")

FILIPINO_FEMALE: tuple[str, ...] = (
    "Maria Cristina",
    "Mary Grace",
    "Angelica",
    "Lorna",
    "Mylene",
    "Joy",
    "Rowena",
    "Jennifer",
    "Kristine",
    "Marites",
)
FILIPINO_MALE: tuple[str, ...] = (
    "Jose Miguel",
    "Rodel",
    "Ronaldo",
    "Jerome",
    "Mark Anthony",
    "Ariel",
    "Reynaldo",
    "Rommel",
    "Noel",
)
FILIPINO_CHILD_FEMALE: tuple[str, ...] = ("Princess", "Sophia", "Althea", "Bea", "Samantha", "Nicole", "Angel", "Kyla")
FILIPINO_CHILD_MALE: tuple[str, ...] = (
    "Ethan",
    "Nathaniel",
    "Angelo",
    "Jaden",
    "Joshua",
    "Gabriel",
    "Miguel",
    "Francis",
)
FILIPINO_SURNAMES: tuple[str, ...] = (
    "Santos",
    "Reyes",
    "Cruz",
    "Bautista",
    "Garcia",
    "Mendoza",
    "Dela Cruz",
    "Villanueva",
    "Ramos",
    "Aquino",
    "Castillo",
    "Manalo",
    "Dizon",
    "Mercado",
    "Soriano",
    "Pascual",
    "Tolentino",
    "Macaraeg",
)
FILIPINO_NICKNAMES: tuple[str, ...] = ("Jun", "Bong", "Jojo", "Ging", "Bing", "Tess", "Weng")

ANGLO_FEMALE: tuple[str, ...] = (
    "Emily",
    "Jessica",
    "Sarah",
    "Ashley",
    "Megan",
    "Rachel",
    "Lauren",
    "Amanda",
    "Katie",
    "Nicole",
)
ANGLO_MALE: tuple[str, ...] = (
    "Michael",
    "David",
    "Ryan",
    "Matthew",
    "Andrew",
    "Joshua",
    "Tyler",
    "Kyle",
    "Brian",
    "James",
)
ANGLO_CHILD_FEMALE: tuple[str, ...] = ("Olivia", "Ava", "Emma", "Harper", "Charlotte", "Amelia", "Nora", "Hazel")
ANGLO_CHILD_MALE: tuple[str, ...] = ("Liam", "Noah", "Oliver", "Henry", "Wyatt", "Owen", "Theodore", "Jack")
ANGLO_SURNAMES: tuple[str, ...] = (
    "Smith",
    "Johnson",
    "Miller",
    "Anderson",
    "Thompson",
    "Walker",
    "Young",
    "Clark",
    "Lewis",
    "Hall",
    "Allen",
    "Wright",
    "Scott",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Campbell",
)

# Family backgrounds and how common each is among the families the network serves.
CULTURE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("latino", 36),
    ("mixtec", 6),
    ("zapotec", 3),
    ("kiche", 2),
    ("cantonese", 14),
    ("mandarin", 16),
    ("vietnamese", 10),
    ("armenian", 3),
    ("filipino", 4),
    ("anglo", 6),
)

# Medi-Cal plan choice among members in Los Angeles County: the two local plans hold most members.
MEDI_CAL_PLAN_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("la_care", 48),
    ("health_net", 34),
    ("anthem", 6),
    ("blue_shield_promise", 5),
    ("molina", 4),
    ("kaiser", 2),
    ("fee_for_service", 1),
)

EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")
