"""Reads of the directory. Directory data is not family data: every signed-in user may read it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from . import models as m


def organizations_listed() -> QuerySet[m.DirectoryOrganization]:
    return m.DirectoryOrganization.objects.annotate(
        service_count=Count("services", distinct=True),
        accepting_count=Count("services", filter=Q(services__accepting_referrals=True), distinct=True),
    ).order_by("name")


def services_listed(*, stale: bool = False, accepting: bool = False, need: str = "") -> QuerySet[m.Service]:
    queryset = m.Service.objects.all()
    if stale:
        queryset = queryset.stale()
    if accepting:
        queryset = queryset.filter(accepting_referrals=True)
    if need:
        queryset = queryset.filter(needs__need=need)
    return (
        queryset.select_related("directory_organization", "organization")
        .prefetch_related("needs", "languages")
        .order_by("name", "id")
    )


@dataclass(frozen=True)
class Site:
    location: m.Location
    addresses: list[m.Address]
    schedules: list[m.Schedule]


def service_open(service_id: uuid.UUID) -> m.Service:
    """One service with everything its page shows, in a fixed number of queries; Http404 when missing."""
    service = (
        m.Service.objects.select_related("directory_organization", "organization", "program")
        .prefetch_related(
            "needs",
            "languages",
            "phones",
            "cost_options",
            "required_documents",
            "service_areas",
            Prefetch("schedules", queryset=m.Schedule.objects.order_by("byday", "opens_at")),
            Prefetch(
                "service_at_locations",
                queryset=m.ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses", "location__accessibility", "schedules"
                ),
            ),
        )
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404
    return service


def directory_organization_open(organization_id: uuid.UUID) -> m.DirectoryOrganization:
    organization = m.DirectoryOrganization.objects.filter(pk=organization_id).select_related("member").first()
    if organization is None:
        raise Http404
    return organization
