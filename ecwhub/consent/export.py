"""Everything the hub holds about one family, for the family (or its coordinator) to take away.

The export is assembled from the sections each app registers (``consent.sections``): the family is
opened once with every category any section may include, each section reads through the opened
family (so only what the requester may see is included), and one EXPORT audit entry records the
categories included. The same data serves the machine-readable (JSON) and the human-readable
(HTML) forms.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from ecwhub.accounts.models import Membership, User

from .models import AuditEntry, DataCategory, Purpose
from .sections import Readable, SectionContext, export_sections, when
from .selectors import OpenedHousehold, audit_reads, household_open

EXPORT_FORMAT_VERSION = "1"


def family_export_open(*, user: User, membership: Membership | None, household_id: uuid.UUID | str) -> OpenedHousehold:
    """The family opened for its export (care coordination: the family's own copy, or its
    coordinator's), with every category a section may include; ``NotFound`` when the user may
    not open it. Audited by ``family_export``."""
    return household_open(
        user=user,
        membership=membership,
        household_id=household_id,
        purpose=Purpose.CARE_COORDINATION,
        required=DataCategory.IDENTITY_CONTACT,
        optional=[c for c in DataCategory if c != DataCategory.IDENTITY_CONTACT],
        audit=False,
    )


def family_export(opened: OpenedHousehold) -> dict[str, Any]:
    """The export as a dictionary (JSON-ready). Audited as one EXPORT entry with the categories
    included."""
    context = SectionContext(opened)
    context.show(DataCategory.IDENTITY_CONTACT)
    data: dict[str, Any] = {
        "format": "ecwhub-family-export",
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    sections = export_sections()
    for section in sections:
        data.update(section.build(context))
    data["categories_included"] = sorted(opened.categories)
    _audit_export(opened)
    return data


def family_export_readable(opened: OpenedHousehold) -> list[Readable]:
    """The export as a person reads it: each section's facts in words, in the reader's language.
    Audited as one EXPORT entry with the categories included, as ``family_export`` is."""
    context = SectionContext(opened)
    context.show(DataCategory.IDENTITY_CONTACT)
    parts: list[Readable] = []
    for section in export_sections():
        if section.readable is not None:
            parts.extend(section.readable(context))
    _audit_export(opened)
    return parts


def family_export_html(opened: OpenedHousehold) -> str:
    """The export as a page a person can read and print."""
    parts = family_export_readable(opened)
    return render_to_string("exports/family.html", {"parts": parts, "exported_at": when(timezone.now())})


def _audit_export(opened: OpenedHousehold) -> None:
    audit_reads(
        user=opened.user,
        membership=opened.membership,
        household_ids=[opened.household.pk],
        categories=sorted(opened.categories),
        purpose=opened.purpose,
        action=AuditEntry.Action.EXPORT,
        detail=("break-glass " if opened.break_glass else "") + "family export",
    )
