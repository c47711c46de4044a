"""Languages families speak, as BCP 47 tags. Dialects are recorded next to the language as text
(for example the Mixtec variety of a town), because no code list covers them well."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    CANTONESE = "yue", _("Cantonese")
    MANDARIN = "cmn", _("Mandarin")
    VIETNAMESE = "vi", _("Vietnamese")
    MIXTEC = "mix", _("Mixtec")
    ZAPOTEC = "zap", _("Zapotec")
    KICHE = "quc", _("K'iche'")
    TAGALOG = "tl", _("Tagalog")
    KOREAN = "ko", _("Korean")
    ARMENIAN = "hy", _("Armenian")
    ARABIC = "ar", _("Arabic")
    KHMER = "km", _("Khmer")
    ASL = "ase", _("American Sign Language")
    OTHER = "other", _("Other")
