"""The directory search page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.http import urlencode

from ecwhub.accounts.acting import acting_member
from ecwhub.accounts.models import Role

from .family import family_context_open
from .forms import SearchForm
from .selectors import FamilyContext, SearchInputError, SearchPage, directory_search

# The roles that search for a family (and so may name one); everyone signed in may search.
FAMILY_SEARCH_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.PROVIDER_STAFF})


def family_for_search(request: HttpRequest, family_id: object, *, with_needs: bool = False) -> FamilyContext | None:
    """The family named in the search, read through the access policy; 404 when it may not be seen."""
    if not family_id:
        return None
    user, membership = acting_member(request, FAMILY_SEARCH_ROLES)
    return family_context_open(user=user, membership=membership, household_id=family_id, with_needs=with_needs)  # type: ignore[arg-type]


def _with_needs(data: QueryDict, needs: tuple[str, ...]) -> QueryDict:
    data = data.copy()
    data.setlist("need", list(needs))
    return data


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page: SearchPage | None = None
    family: FamilyContext | None = None
    if form.is_bound and form.is_valid():
        # Arriving from a family's page (the family and nothing else asked): the search starts from
        # the family's open needs, shown checked so the coordinator can change them.
        starting = set(request.GET.keys()) <= {"family"}
        family = family_for_search(request, form.cleaned_data["family"], with_needs=starting)
        if starting and family is not None and family.open_needs:
            form = SearchForm(_with_needs(request.GET, family.open_needs))
            form.is_valid()
        if form.has_criteria():
            try:
                page = directory_search(form.params(), family=family)
            except SearchInputError as error:
                for name, messages in error.fields.items():
                    for message in messages:
                        form.add_error(name, message)
    query = ""
    if page is not None:
        pairs = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
        query = urlencode(pairs) + "&" if pairs else ""
    template = "directory/search_results.html" if request.htmx else "directory/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "family": family, "query": query})
