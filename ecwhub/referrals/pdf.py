"""The printed referral, as a page (``templates/referrals/print.html``) and as a PDF: for a service
that does not take referrals through the hub, handed to the family or sent to the service.

Both are drawn from one ``PrintedReferral``, built from the referral as the reader opened it
(``selectors.referral_open``): the family's names and phone appear only when the policy let the
reader see them, the needs only in the categories they may see.

The PDF is drawn with fpdf2 in DejaVu Sans, a Unicode font, so Spanish accents, ñ and any name a
family writes come out as written. The font is looked for in ``static/fonts/`` (vendored) and
then where Debian's ``fonts-dejavu-core`` package puts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ecwhub.directory.services import location_label
from ecwhub.families.display import person_name

from .models import Referral
from .selectors import OpenedReferral

FONT_DIRS = (
    Path(settings.BASE_DIR) / "static" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class PrintedReferral:
    reference: str
    sent_at: datetime | None
    from_organization: str
    from_phone: str
    service: str
    service_organization: str
    service_phone: str
    service_email: str
    location: str
    people: tuple[Contact, ...]
    needs: tuple[str, ...]
    introduction: str
    contact_times: str
    note: str
    language: str = ""


def printed(view: OpenedReferral) -> PrintedReferral:
    """What the printed referral says, from what the reader may see of it."""
    referral = view.referral
    service = referral.service
    if view.person is not None:
        shown = [view.person]
    else:
        shown = [m for m in view.members if m.relationship in ("caregiver", "legal_guardian")]
    return PrintedReferral(
        reference=referral.reference,
        sent_at=referral.sent_at,
        from_organization=referral.referring_organization.name,
        from_phone=referral.referring_organization.phone,
        service=service.name,
        service_organization=service.directory_organization.name if service.directory_organization else "",
        service_phone=service.phone,
        service_email=service.email,
        location=location_label(referral.location) if referral.location else "",
        people=tuple(Contact(person_name(p), p.phone) for p in shown),
        needs=tuple(rn.need.get_need_display() for rn in view.needs),
        introduction=referral.get_handoff_display(),
        contact_times=referral.contact_times,
        note=referral.note,
        language=_language(referral),
    )


def _language(referral: Referral) -> str:
    """ "Mixtec — Mixteco de Oaxaca · interpreter needed: Mixteco de Oaxaca", or empty."""
    if not referral.language:
        return ""
    text = str(referral.get_language_display()) + (f" — {referral.dialect}" if referral.dialect else "")
    if referral.interpreter_needed:
        text += " · " + _("interpreter needed: %(language)s") % {
            "language": referral.dialect or referral.get_language_display()
        }
    return text


@cache
def _font_paths() -> tuple[Path, Path]:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise ImproperlyConfigured(
        "The printed referral needs DejaVu Sans: install fonts-dejavu-core, or put DejaVuSans.ttf and "
        "DejaVuSans-Bold.ttf in static/fonts/."
    )


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="Letter", unit="mm")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", size=8)
        self.cell(0, 5, self.footer_text, align="C")


def referral_pdf(data: PrintedReferral) -> bytes:
    """The printed referral as a PDF, in the current language."""
    regular, bold = _font_paths()
    title = _("Referral %(reference)s") % {"reference": data.reference}
    pdf = _Document(_("Referral %(reference)s · page {nb}") % {"reference": data.reference})
    pdf.alias_nb_pages("{nb}")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_title(title)
    pdf.set_lang(get_language() or settings.LANGUAGE_CODE)
    pdf.set_author(data.from_organization)
    pdf.set_creator("ECW Hub")
    pdf.set_creation_date(timezone.now())
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def heading(text: str, size: int = 13) -> None:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def lines(*texts: str, bold_first: bool = False) -> None:
        for index, text in enumerate(t for t in texts if t):
            pdf.set_font("DejaVu", "B" if bold_first and index == 0 else "", 11)
            pdf.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading(title, 18)
    sent = formats.date_format(timezone.localtime(data.sent_at), "DATE_FORMAT") if data.sent_at else ""
    lines(
        _("From %(organization)s") % {"organization": data.from_organization}
        + (f" · {data.from_phone}" if data.from_phone else "")
        + (f" · {sent}" if sent else "")
    )
    heading(_("To"))
    lines(
        data.service,
        data.service_organization,
        data.location,
        data.service_phone,
        data.service_email,
        bold_first=True,
    )
    heading(_("For"))
    for person in data.people:
        lines(person.name, person.phone, bold_first=True)
    if data.needs:
        lines(_("Needs: %(needs)s") % {"needs": ", ".join(data.needs)})
    if data.language:
        lines(_("Language: %(language)s") % {"language": data.language})
    lines(
        _("Introduction: %(introduction)s") % {"introduction": data.introduction}
        + (f" · {data.contact_times}" if data.contact_times else "")
    )
    if data.note:
        heading(_("Note for the service"))
        lines(data.note)
    heading(_("Please tell us what came of it"))
    if data.from_phone:
        lines(
            _("Call %(organization)s at %(phone)s and quote referral %(reference)s.")
            % {"organization": data.from_organization, "phone": data.from_phone, "reference": data.reference}
        )
    else:
        lines(
            _("Contact %(organization)s and quote referral %(reference)s.")
            % {"organization": data.from_organization, "reference": data.reference}
        )
    return bytes(pdf.output())
