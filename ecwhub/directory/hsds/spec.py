"""The HSDS 3.0.1 tables as the hub stores them: every table's fields, its model and its foreign keys.

Written from the HSDS 3.0.1 specification; validation takes the same rules from the official schema
files when they are available (see ``validation.py``). The order of ``TABLES`` is the order rows can
be written in (referenced tables first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from .. import models as m

Row = dict[str, Any]


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"  # string | number | date | datetime | time
    required: bool = False
    format: str = ""  # uuid | email | uri
    enum: tuple[str, ...] = ()
    attr: str = ""  # model attribute, when it differs from the HSDS name
    max_length: int | None = None

    @property
    def model_attr(self) -> str:
        return self.attr or self.name


@dataclass(frozen=True)
class Table:
    name: str  # HSDS table name, e.g. "service"
    path: str  # CSV file name in the data package
    model: type[models.Model]
    fields: tuple[Field, ...]
    # foreign keys: column → referenced table
    foreign_keys: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


def _id(name: str = "id", *, required: bool = False, attr: str = "") -> Field:
    return Field(name, format="uuid", required=required or name == "id", attr=attr)


_LOCATION_TYPES = ("physical", "postal", "virtual")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# The HSDS 3.0.1 tables, in the order rows can be written (referenced tables first).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "organization",
            "organizations.csv",
            m.DirectoryOrganization,
            (
                _id(),
                Field("name", required=True),
                Field("alternate_name"),
                Field("description", required=True),
                Field("email", format="email"),
                Field("website", format="uri"),
                Field("tax_status"),
                Field("tax_id"),
                Field("year_incorporated", "number"),
                Field("legal_status"),
                Field("logo"),
                Field("uri", format="uri"),
                _id("parent_organization_id"),
            ),
        ),
        Table(
            "organization_identifier",
            "organization_identifiers.csv",
            m.OrganizationIdentifier,
            (
                _id(),
                _id("organization_id", required=True),
                Field("identifier_scheme"),
                Field("identifier_type", required=True),
                Field("identifier", required=True),
            ),
            {"organization_id": "organization"},
        ),
        Table(
            "program",
            "programs.csv",
            m.Program,
            (
                _id(),
                _id("organization_id", required=True),
                Field("name", required=True),
                Field("alternate_name"),
                Field("description", required=True),
            ),
            {"organization_id": "organization"},
        ),
        Table(
            "taxonomy",
            "taxonomies.csv",
            m.Taxonomy,
            (
                _id(),
                Field("name", required=True),
                Field("description", required=True),
                Field("uri", format="uri"),
                Field("version"),
            ),
        ),
        Table(
            "taxonomy_term",
            "taxonomy_terms.csv",
            m.TaxonomyTerm,
            (
                _id(),
                Field("code"),
                Field("name", required=True),
                Field("description", required=True),
                _id("parent_id"),
                Field("taxonomy"),
                Field("language"),
                _id("taxonomy_id", attr="taxonomy_detail_id"),
                Field("term_uri", format="uri"),
            ),
            {"taxonomy_id": "taxonomy"},
        ),
        Table(
            "service",
            "services.csv",
            m.Service,
            (
                _id(),
                _id("organization_id", required=True, attr="directory_organization_id"),
                _id("program_id"),
                Field("name", required=True, max_length=200),
                Field("alternate_name"),
                Field("description"),
                Field("url", format="uri", max_length=2000),
                Field("email", format="email", max_length=254),
                Field("status", required=True, enum=tuple(m.Service.Status.values)),
                Field("interpretation_services"),
                Field("application_process"),
                Field("fees_description"),
                Field("wait_time"),
                Field("fees"),
                Field("accreditations"),
                Field("eligibility_description", attr="eligibility"),
                Field("minimum_age", "number"),
                Field("maximum_age", "number"),
                Field("assured_date", "date"),
                Field("assurer_email", format="email"),
                Field("licenses"),
                Field("alert"),
                Field("last_modified", "datetime"),
            ),
            {"organization_id": "organization", "program_id": "program"},
        ),
        Table(
            "location",
            "locations.csv",
            m.Location,
            (
                _id(),
                Field("location_type", required=True, enum=_LOCATION_TYPES),
                Field("url", format="uri"),
                _id("organization_id"),
                Field("name"),
                Field("alternate_name"),
                Field("description"),
                Field("transportation"),
                Field("latitude", "number"),
                Field("longitude", "number"),
                Field("external_identifier"),
                Field("external_identifier_type"),
            ),
            {"organization_id": "organization"},
        ),
        Table(
            "service_at_location",
            "service_at_location.csv",
            m.ServiceAtLocation,
            (_id(), _id("service_id", required=True), _id("location_id", required=True), Field("description")),
            {"service_id": "service", "location_id": "location"},
        ),
        Table(
            "contact",
            "contacts.csv",
            m.Contact,
            (
                _id(),
                _id("organization_id"),
                _id("service_id"),
                _id("service_at_location_id"),
                _id("location_id"),
                Field("name"),
                Field("title"),
                Field("department"),
                Field("email", format="email"),
            ),
            {
                "organization_id": "organization",
                "service_id": "service",
                "service_at_location_id": "service_at_location",
                "location_id": "location",
            },
        ),
        Table(
            "phone",
            "phones.csv",
            m.Phone,
            (
                _id(),
                _id("location_id"),
                _id("service_id"),
                _id("organization_id"),
                _id("contact_id"),
                _id("service_at_location_id"),
                Field("number", required=True),
                Field("extension", "number"),
                Field("type"),
                Field("description"),
            ),
            {
                "location_id": "location",
                "service_id": "service",
                "organization_id": "organization",
                "contact_id": "contact",
                "service_at_location_id": "service_at_location",
            },
        ),
        Table(
            "address",
            "addresses.csv",
            m.Address,
            (
                _id(),
                _id("location_id"),
                Field("attention"),
                Field("address_1", required=True),
                Field("address_2"),
                Field("city", required=True),
                Field("region"),
                Field("state_province", required=True),
                Field("postal_code", required=True, max_length=32),
                Field("country", required=True),
                Field("address_type", required=True, enum=_LOCATION_TYPES),
            ),
            {"location_id": "location"},
        ),
        Table(
            "schedule",
            "schedules.csv",
            m.Schedule,
            (
                _id(),
                _id("service_id"),
                _id("location_id"),
                _id("service_at_location_id"),
                Field("valid_from", "date"),
                Field("valid_to", "date"),
                Field("dtstart", "date"),
                Field("timezone", "number"),
                Field("until", "date"),
                Field("count", "number"),
                Field("wkst", enum=_WEEKDAYS),
                Field("freq", enum=("WEEKLY", "MONTHLY")),
                Field("interval", "number"),
                Field("byday"),
                Field("byweekno"),
                Field("bymonthday"),
                Field("byyearday"),
                Field("description"),
                Field("opens_at", "time"),
                Field("closes_at", "time"),
                Field("schedule_link", format="uri"),
                Field("attending_type"),
                Field("notes"),
            ),
            {"service_id": "service", "location_id": "location", "service_at_location_id": "service_at_location"},
        ),
        Table(
            "funding",
            "funding.csv",
            m.Funding,
            (_id(), _id("organization_id"), _id("service_id"), Field("source")),
            {"organization_id": "organization", "service_id": "service"},
        ),
        Table(
            "service_area",
            "service_areas.csv",
            m.ServiceArea,
            (
                _id(),
                _id("service_id"),
                Field("name"),
                Field("description"),
                Field("extent"),
                Field("extent_type"),
                Field("uri"),
            ),
            {"service_id": "service"},
        ),
        Table(
            "required_document",
            "required_documents.csv",
            m.RequiredDocument,
            (_id(), _id("service_id"), Field("document"), Field("uri", format="uri")),
            {"service_id": "service"},
        ),
        Table(
            "language",
            "languages.csv",
            m.DirectoryLanguage,
            (
                _id(),
                _id("service_id"),
                _id("location_id"),
                _id("phone_id"),
                Field("name"),
                Field("code"),
                Field("note"),
            ),
            {"service_id": "service", "location_id": "location", "phone_id": "phone"},
        ),
        Table(
            "accessibility",
            "accessibility.csv",
            m.Accessibility,
            (_id(), _id("location_id"), Field("description"), Field("details"), Field("url", format="uri")),
            {"location_id": "location"},
        ),
        Table(
            "cost_option",
            "cost_options.csv",
            m.CostOption,
            (
                _id(),
                _id("service_id", required=True),
                Field("valid_from", "date"),
                Field("valid_to", "date"),
                Field("option"),
                Field("currency"),
                Field("amount", "number"),
                Field("amount_description"),
            ),
            {"service_id": "service"},
        ),
        Table(
            "attribute",
            "attributes.csv",
            m.Attribute,
            (
                _id(),
                _id("link_id", required=True),
                _id("taxonomy_term_id", required=True),
                Field("link_type"),
                Field("link_entity", required=True, max_length=64),
                Field("value"),
            ),
            {"taxonomy_term_id": "taxonomy_term"},
        ),
        Table(
            "metadata",
            "metadata.csv",
            m.Metadata,
            (
                _id(),
                _id("resource_id", required=True),
                Field("resource_type", required=True),
                Field("last_action_date", "date", required=True),
                Field("last_action_type", required=True),
                Field("field_name", required=True),
                Field("previous_value", required=True),
                Field("replacement_value", required=True),
                Field("updated_by", required=True),
            ),
        ),
        Table(
            "meta_table_description",
            "meta_table_descriptions.csv",
            m.MetaTableDescription,
            (_id(), Field("name"), Field("language"), Field("character_set")),
        ),
    )
}
TABLE_BY_PATH = {t.path: t for t in TABLES.values()}
# Plural names used by JSON documents ({"services": [...]}) and the API.
TABLE_BY_PLURAL = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
    "taxonomies": "taxonomy",
}


# Nested JSON: which key of which object holds which child table, and how the child points back.
# ("list", child table, child column = parent id) or ("one", child table, parent column = child id).
NESTED: dict[str, dict[str, tuple[str, str, str]]] = {
    "organization": {
        "funding": ("list", "funding", "organization_id"),
        "contacts": ("list", "contact", "organization_id"),
        "phones": ("list", "phone", "organization_id"),
        "locations": ("list", "location", "organization_id"),
        "programs": ("list", "program", "organization_id"),
        "organization_identifiers": ("list", "organization_identifier", "organization_id"),
        "services": ("list", "service", "organization_id"),
    },
    "service": {
        "organization": ("one", "organization", "organization_id"),
        "program": ("one", "program", "program_id"),
        "phones": ("list", "phone", "service_id"),
        "schedules": ("list", "schedule", "service_id"),
        "service_areas": ("list", "service_area", "service_id"),
        "service_at_locations": ("list", "service_at_location", "service_id"),
        "languages": ("list", "language", "service_id"),
        "funding": ("list", "funding", "service_id"),
        "cost_options": ("list", "cost_option", "service_id"),
        "required_documents": ("list", "required_document", "service_id"),
        "contacts": ("list", "contact", "service_id"),
    },
    "service_at_location": {
        "service": ("one", "service", "service_id"),
        "location": ("one", "location", "location_id"),
        "contacts": ("list", "contact", "service_at_location_id"),
        "phones": ("list", "phone", "service_at_location_id"),
        "schedules": ("list", "schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("list", "language", "location_id"),
        "addresses": ("list", "address", "location_id"),
        "contacts": ("list", "contact", "location_id"),
        "accessibility": ("list", "accessibility", "location_id"),
        "phones": ("list", "phone", "location_id"),
        "schedules": ("list", "schedule", "location_id"),
    },
    "contact": {"phones": ("list", "phone", "contact_id")},
    "phone": {"languages": ("list", "language", "phone_id")},
    "attribute": {"taxonomy_term": ("one", "taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("one", "taxonomy", "taxonomy_id")},
}
