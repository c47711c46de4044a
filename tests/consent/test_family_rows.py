"""The one row filter holds by construction: every model of family data says whose it is and its
consent category, and no view, API handler, page section or export reads such rows except through
``consent.selectors.rows_visible`` (or through the selectors that apply the policy in the query)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.db import models

from ecwhub.consent.models import DataCategory
from ecwhub.core.rows import FamilyRow
from ecwhub.families.models import Household, Person

ROOT = Path(__file__).resolve().parents[2] / "ecwhub"

# Rows about a family that are the access machinery itself, not family data: the policy reads
# them to decide, and they are shown only through the consent pages (which check who may change
# consents) and the disclosure report.
MACHINERY = {
    "consent.Consent",
    "consent.YouthRestriction",
    "consent.BreakGlass",
    "consent.Relationship",
    # Linkage keys and clusters: read only by the linkage engine and the review queue, which opens
    # both families through the policy.
    "identity.PersonKey",
    "identity.LinkClusterMember",
    "identity.MatchReview",
    # A draft belongs to its author until it becomes a family (encrypted, never shared).
    "families.IntakeDraft",
    # The hub administrator's requests and reviews about a family's duplicated coordination: who
    # acted about which organizations, no fact about the family; coordinators see them only beside
    # the flag on a family page the policy already opened for them.
    "families.DuplicationAction",
}


def _family_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        if model in (Household, Person):
            continue
        related = {
            f.related_model
            for f in model._meta.get_fields()
            if f.is_relation and f.concrete and (f.many_to_one or f.one_to_one)
        }
        if related & {Household, Person}:
            found.append(model)
    return found


def test_every_model_of_family_data_declares_its_family_and_category() -> None:
    missing = []
    for model in _family_models():
        label = f"{model._meta.app_label}.{model.__name__}"
        if label in MACHINERY:
            continue
        spec = getattr(model, "FAMILY_ROW", None)
        if not isinstance(spec, FamilyRow):
            missing.append(label)
            continue
        assert spec.category == "" or spec.category in DataCategory.values, label
        # The paths resolve on the model.
        model.objects.filter(**{spec.household: None}).query  # noqa: B018
        if spec.person:
            model.objects.filter(**{f"{spec.person}__isnull": True}).query  # noqa: B018
        if spec.category_field:
            model.objects.filter(**{f"{spec.category_field}__in": []}).query  # noqa: B018
    assert not missing, f"models of family data without FAMILY_ROW: {missing}"
    assert len(_family_models()) > 15, "the scan found almost no models"


# Modules that serve or render family data to people. Selectors are where policy-filtered reads
# live; services write; both are outside this rule.
SERVING = ("views.py", "api.py", "page_sections.py", "export.py", "home.py", "sections.py")


def _family_row_names() -> set[str]:
    rows = {m.__name__ for m in _family_models() if f"{m._meta.app_label}.{m.__name__}" not in MACHINERY}
    return rows | {"Person", "Household"}


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def test_no_serving_module_reads_family_rows_by_itself() -> None:
    names = _family_row_names() - {"Contact"}  # directory has its own Contact (HSDS): checked below
    offences = []
    modules = [p for p in ROOT.rglob("*.py") if p.name in SERVING or p.name.endswith("_views.py")]
    assert len(modules) > 10
    for path in modules:
        tree = ast.parse(path.read_text())
        parents = _parents(tree)
        imported = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr == "objects" and isinstance(node.value, ast.Name)):
                continue
            model = node.value.id
            if model not in names and not (model == "Contact" and "Contact" in imported and "care" in str(path)):
                continue
            # Allowed: the argument of rows_visible(...), or a count/existence that shows no row.
            up, allowed = node, False
            while up in parents:
                up = parents[up]
                if isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id == "rows_visible":
                    allowed = True
                    break
                if (
                    isinstance(up, ast.Call)
                    and isinstance(up.func, ast.Attribute)
                    and up.func.attr in ("count", "exists")
                ):
                    allowed = True
                    break
                if isinstance(up, ast.stmt):
                    break
            if not allowed:
                offences.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} reads {model} rows directly")
    assert not offences, "\n".join(offences)
