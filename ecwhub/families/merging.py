"""Merging two records of one person (or of one family) and undoing it, losslessly.

A merge keeps the survivor's values, fills its empty fields from the merged record (remembering
which record each value came from), moves every row that pointed at the merged record (consents,
sensitive notes, relations, flags, rows of other apps: found through Django's relation registry,
so new tables are covered when they are added) to the survivor, and deletes the merged record.
The snapshot (encrypted) holds both records as they were and the list of moved rows, so an
unmerge recreates the merged record with the same id and every value, moves the rows back, and
returns the survivor's filled fields to what they were. Merges are undone newest first.

Two people may merge, or undo, records of the same family at the same moment. Every operation
takes its row locks in one order, families first (by id), then the merge row, then the people
(by id), so two of them never wait for each other in a circle; and each re-reads what it locked.
The one that comes second finds the records as the first left them and, when its merge no
longer makes sense (a record merged away, moved, or the merge already undone), raises a
``MergeError`` that says so, having written nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecwhub.accounts.models import Membership, User
from ecwhub.consent.audit import audit_append, audit_line
from ecwhub.consent.models import AuditEntry, DataCategory, Purpose
from ecwhub.consent.policy import may_change_identity

from .models import Household, HouseholdMerge, Person, PersonMerge

SNAPSHOT_VERSION = 1
_NEVER_FILLED = frozenset({"id", "household", "created_at", "account"})
_UNKNOWN = {"sex": Person.Sex.UNKNOWN, "insurance_status": "unknown"}


class MergeError(ValueError):
    """A merge or unmerge that cannot be done; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _gone(field: str) -> MergeError:
    return MergeError(
        field, _("This record was merged into another one, or removed, a moment ago. Nothing was changed.")
    )


def _lock_households(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Household]:
    """Lock the families with these ids, in id order (the order every merge takes), and return
    those that still exist."""
    locked = Household.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    return {household.pk: household for household in locked}


def _lock_people(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
    """Lock these people, in id order, after their families; return those that still exist."""
    locked = Person.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk")
    return {person.pk: person for person in locked}


class _Moved(Exception):
    """The merge row left the family we locked before we locked it."""


MergeRow = TypeVar("MergeRow", PersonMerge, HouseholdMerge)


def _lock_merge(model: type[MergeRow], pk: uuid.UUID, family_field: str) -> tuple[MergeRow, Household]:
    """Lock the family a merge row belongs to, then the row. A later merge can move the row to
    another family between our read and our lock: then follow it (the savepoint gives back the
    lock on the family it left, so the family-first order still holds)."""
    for _attempt in range(5):
        family_id = model.objects.filter(pk=pk).values_list(family_field, flat=True).first()
        if family_id is None:
            raise MergeError("__all__", _("This merge no longer exists."))
        try:
            with transaction.atomic():
                household = _lock_households([family_id]).get(family_id)
                if household is None:
                    raise _Moved
                merge = model.objects.select_for_update().get(pk=pk)
                if getattr(merge, f"{family_field}_id") != family_id:
                    raise _Moved
                return merge, household
        except _Moved:
            continue
    raise MergeError("__all__", _("This family is being changed by someone else right now. Try again in a moment."))


def _encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def row_dump(instance: models.Model) -> dict[str, Any]:
    """Every concrete field of a row, JSON-ready (foreign keys by id)."""
    return {f.attname: _encode(f.value_from_object(instance)) for f in instance._meta.concrete_fields}


def row_load(model: type[models.Model], dump: dict[str, Any]) -> models.Model:
    values = {}
    for f in model._meta.concrete_fields:
        if f.attname not in dump:
            continue
        raw = dump[f.attname]
        target = f.target_field if f.is_relation else f  # type: ignore[attr-defined]
        values[f.attname] = None if raw is None else target.to_python(raw)
    return model(**values)


def _references(model: type[models.Model]) -> dict[type[models.Model], list[str]]:
    """{model: [field names]} for every foreign key to ``model`` in the project, hidden ones
    (``related_name="+"``) included."""
    refs: dict[type[models.Model], list[str]] = {}
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one or rel.many_to_many)):
            continue
        if rel.many_to_many:
            through = rel.through  # type: ignore[union-attr]
            if through is not None and not through._meta.auto_created:
                continue  # an explicit link model: its own foreign key is one of the references
            raise MergeError("__all__", f"{rel.related_model} links to {model.__name__} many-to-many")
        refs.setdefault(rel.related_model, []).append(rel.field.name)  # type: ignore[union-attr,arg-type]
    return refs


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _move_rows(model: type[models.Model], old: models.Model, new: models.Model) -> tuple[list[dict], list[dict]]:
    """Point every row that referenced ``old`` at ``new``. A row that already pointed at ``new``
    too (a relation between the two records of one person) is removed, as is one that would
    repeat a row ``new`` has (a unique constraint); both lists go in the snapshot."""
    moved: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    for related, field_names in _references(model).items():
        attnames = {name: related._meta.get_field(name).attname for name in field_names}  # type: ignore[union-attr]
        condition = models.Q()
        for name in field_names:
            condition |= models.Q(**{name: old.pk})
        for row in list(related._base_manager.filter(condition)):
            pointing = [name for name in field_names if getattr(row, attnames[name]) == old.pk]
            if any(getattr(row, attnames[name]) == new.pk for name in field_names):
                removed.append({"model": _label(related), "row": row_dump(row)})
                related._base_manager.filter(pk=row.pk).delete()
                continue
            try:
                with transaction.atomic():
                    related._base_manager.filter(pk=row.pk).update(**{name: new.pk for name in pointing})
            except IntegrityError:
                removed.append({"model": _label(related), "row": row_dump(row)})
                related._base_manager.filter(pk=row.pk).delete()
            else:
                moved.extend({"model": _label(related), "field": name, "pk": _encode(row.pk)} for name in pointing)
    return moved, removed


def _move_back(snapshot: dict[str, Any], survivor_pk: Any, restored_pk: Any) -> None:
    for entry in snapshot["moved"]:
        model = _model(entry["model"])
        pk = model._meta.pk.to_python(entry["pk"])  # type: ignore[union-attr]
        model._base_manager.filter(pk=pk, **{entry["field"]: survivor_pk}).update(**{entry["field"]: restored_pk})
    for entry in snapshot["removed"]:
        row_load(_model(entry["model"]), entry["row"]).save(force_insert=True)


def _is_empty(name: str, value: Any) -> bool:
    return value in ("", None) or _UNKNOWN.get(name) == value


def _fill(survivor: models.Model, merged: models.Model, never: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Fill the survivor's empty fields from the merged record: {field: {before, after}}."""
    filled: dict[str, dict[str, Any]] = {}
    for f in survivor._meta.concrete_fields:
        if f.name in never or f.is_relation or f.primary_key:
            continue
        mine, theirs = getattr(survivor, f.attname), getattr(merged, f.attname)
        if isinstance(f, models.BooleanField) and f.null is False:
            if theirs and not mine:
                filled[f.attname] = {"before": mine, "after": theirs}
        elif _is_empty(f.name, mine) and not _is_empty(f.name, theirs):
            filled[f.attname] = {"before": _encode(mine), "after": _encode(theirs)}
    for attname, change in filled.items():
        setattr(survivor, attname, getattr(merged, attname))
        change["after"] = _encode(getattr(survivor, attname))
    return filled


def _unfill(instance: models.Model, filled: dict[str, dict[str, Any]]) -> list[str]:
    """Return filled fields to their value before the merge, unless they were changed since."""
    restored = []
    for attname, change in filled.items():
        field: Any = instance._meta.get_field(attname)
        if _encode(getattr(instance, attname)) == change["after"]:
            setattr(instance, attname, None if change["before"] is None else field.to_python(change["before"]))
            restored.append(attname)
    return restored


def _audit(membership: Membership | None, user: User, household_id: uuid.UUID, detail: str, person: Any = None) -> None:
    audit_append(
        [
            audit_line(
                user,
                membership,
                AuditEntry.Action.WRITE,
                household_id=household_id,
                person_id=person,
                categories=[DataCategory.IDENTITY_CONTACT, DataCategory.DEMOGRAPHICS],
                purpose=Purpose.CARE_COORDINATION,
                detail=detail,
            )
        ]
    )


def _later_active_merges(household_id: uuid.UUID, after: Any) -> bool:
    return (
        PersonMerge.objects.filter(household_id=household_id, undone_at__isnull=True, merged_at__gt=after).exists()
        or HouseholdMerge.objects.filter(survivor_id=household_id, undone_at__isnull=True, merged_at__gt=after).exists()
    )


def _people_join(survivor: Person, merged: Person) -> dict[str, Any]:
    """Make two locked records of one family's person one (the rows moved, the merged record
    deleted) and return the snapshot that undoes it (``_people_split``). Raises MergeError
    (before writing) when both have a sign-in."""
    if survivor.account_id and merged.account_id:
        raise MergeError("merged", _("Both records have their own sign-in; they cannot be merged."))
    snapshot: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "survivor": row_dump(survivor),
        "merged": row_dump(merged),
        "account_moved": bool(merged.account_id),
    }
    snapshot["filled"] = _fill(survivor, merged, _NEVER_FILLED)
    snapshot["sources"] = {
        name: ("merged" if name in snapshot["filled"] else "survivor") for name in snapshot["survivor"]
    }
    account_id = merged.account_id
    moved, removed = _move_rows(Person, merged, survivor)
    snapshot["moved"], snapshot["removed"] = moved, removed
    merged.account = None
    merged.save(update_fields=["account"])
    merged.delete()
    if account_id:
        survivor.account_id = account_id
    survivor.save()
    return snapshot


def _people_split(snapshot: dict[str, Any], survivor_id: Any) -> Person:
    """Undo ``_people_join``: the merged record comes back with its id and every value, in the
    survivor's family, with its rows; the survivor's filled fields return to their earlier value."""
    survivor = _lock_people([survivor_id]).get(survivor_id)
    if survivor is None:
        raise MergeError("__all__", _("Undo the later merges in this family first."))
    restored: Any = row_load(
        Person, {**snapshot["merged"], "account_id": None, "household_id": str(survivor.household_id)}
    )
    restored.save(force_insert=True)
    _unfill(survivor, snapshot["filled"])
    if snapshot["account_moved"] and survivor.account_id == snapshot["merged"]["account_id"]:
        survivor.account_id = None
        survivor.save()
        restored.account_id = snapshot["merged"]["account_id"]
        restored.save(update_fields=["account"])
    else:
        survivor.save()
    _move_back(snapshot, survivor.pk, restored.pk)
    return restored


@transaction.atomic
def person_merge(*, acting_user: User, membership: Membership | None, survivor: Person, merged: Person) -> PersonMerge:
    """Make two records of one person in one family one record. Raises MergeError (nothing
    changed) when they are the same record, in different families (merge the families first),
    both have a sign-in, or the user may not change the family."""
    if survivor.pk == merged.pk:
        raise MergeError("merged", _("Choose two different records."))
    current = {p.pk: p.household_id for p in Person.objects.filter(pk__in=[survivor.pk, merged.pk])}
    if survivor.pk not in current:
        raise _gone("survivor")
    if merged.pk not in current:
        raise _gone("merged")
    if current[survivor.pk] != current[merged.pk]:
        raise MergeError("merged", _("The two records are in different families: merge the families first."))
    changed = MergeError("merged", _("These records changed a moment ago. Nothing was changed; look at them again."))
    household = _lock_households([current[survivor.pk]]).get(current[survivor.pk])
    if household is None:  # a merge of their family went first and moved them
        raise changed
    people = _lock_people(current)
    if survivor.pk not in people:
        raise _gone("survivor")
    if merged.pk not in people:
        raise _gone("merged")
    survivor, merged = people[survivor.pk], people[merged.pk]
    if {survivor.household_id, merged.household_id} != {household.pk}:
        raise changed
    if not may_change_identity(user=acting_user, membership=membership, household=household):
        raise MergeError("__all__", _("You may not change this family's records."))
    merged_pk = merged.pk
    snapshot = _people_join(survivor, merged)
    merge = PersonMerge.objects.create(
        household=household,
        survivor=survivor,
        merged_person_id=merged_pk,
        snapshot=json.dumps(snapshot, ensure_ascii=False),
        merged_by=acting_user,
        merged_in=membership.organization if membership else household.registered_by,
    )
    _audit(membership, acting_user, household.pk, f"person merge {merge.pk}", survivor.pk)
    return merge


@transaction.atomic
def person_unmerge(*, acting_user: User, membership: Membership | None, merge: PersonMerge) -> Person:
    """Undo a person merge: the merged record comes back with its id and every value, the rows
    it had come back to it, and the survivor's filled fields return to their earlier values.
    Returns the restored person."""
    merge, household = _lock_merge(PersonMerge, merge.pk, "household")
    if merge.undone_at is not None:
        raise MergeError("__all__", _("This merge was already undone."))
    if not may_change_identity(user=acting_user, membership=membership, household=household):
        raise MergeError("__all__", _("You may not change this family's records."))
    if _later_active_merges(household.pk, merge.merged_at):
        raise MergeError("__all__", _("Undo the later merges in this family first."))
    snapshot = json.loads(merge.snapshot)
    if not snapshot:
        raise MergeError("__all__", _("This record was de-identified; the merge can no longer be undone."))
    restored = _people_split(snapshot, merge.survivor_id)
    merge.undone_at = timezone.now()
    merge.undone_by = acting_user
    merge.save(update_fields=["undone_at", "undone_by"])
    _audit(membership, acting_user, household.pk, f"person unmerge {merge.pk}", restored.pk)
    return restored


@transaction.atomic
def household_merge(
    *,
    acting_user: User,
    membership: Membership | None,
    survivor: Household,
    merged: Household,
    people: tuple[Person, Person] | None = None,
) -> HouseholdMerge:
    """Make two records of one family one: every member and every row of ``merged`` moves to
    ``survivor``. The user must be allowed to change both families.

    With ``people`` (a record of ``survivor`` and one of ``merged``: one person known twice, which
    is why the families are one), the two records of that person are made one too, in the same
    merge: one row records the decision, and one undo takes all of it back. Raises MergeError
    (nothing written) when either record is no longer in its family."""
    if survivor.pk == merged.pk:
        raise MergeError("merged", _("Choose two different families."))
    households = _lock_households([survivor.pk, merged.pk])
    if survivor.pk not in households:
        raise _gone("survivor")
    if merged.pk not in households:
        raise _gone("merged")
    survivor, merged = households[survivor.pk], households[merged.pk]
    if not (
        may_change_identity(user=acting_user, membership=membership, household=survivor)
        and may_change_identity(user=acting_user, membership=membership, household=merged)
    ):
        raise MergeError("__all__", _("You may not change both families' records."))
    snapshot: dict[str, Any] = {"version": SNAPSHOT_VERSION, "survivor": row_dump(survivor), "merged": row_dump(merged)}
    snapshot["filled"] = _fill(survivor, merged, frozenset({"id", "created_at", "registered_by", "deidentified_at"}))
    if people is not None:
        # Locked after the families, as every merge does; checked before anything is written.
        locked = _lock_people([people[0].pk, people[1].pk])
        if [locked[p.pk].household_id if p.pk in locked else None for p in people] != [survivor.pk, merged.pk]:
            raise MergeError(
                "merged", _("These records changed a moment ago. Nothing was changed; look at them again.")
            )
    moved, removed = _move_rows(Household, merged, survivor)
    snapshot["moved"], snapshot["removed"] = moved, removed
    merged_pk = merged.pk
    merged.delete()
    survivor.save()
    if people is not None:
        one, other = (Person.objects.get(pk=p.pk) for p in people)  # both now in the survivor family
        snapshot["person"] = _people_join(one, other)
        person_survivor = one.pk
    merge = HouseholdMerge.objects.create(
        survivor=survivor,
        merged_household_id=merged_pk,
        snapshot=json.dumps(snapshot, ensure_ascii=False),
        merged_by=acting_user,
        merged_in=membership.organization if membership else survivor.registered_by,
    )
    _audit(membership, acting_user, survivor.pk, f"family merge {merge.pk}")
    _audit(membership, acting_user, merged_pk, f"family merge {merge.pk}")
    if people is not None:
        _audit(membership, acting_user, survivor.pk, f"person merge (family merge {merge.pk})", person_survivor)
    return merge


@transaction.atomic
def household_unmerge(*, acting_user: User, membership: Membership | None, merge: HouseholdMerge) -> Household:
    """Undo a family merge: the merged family comes back with its id, every value, its members
    and its rows."""
    merge, survivor = _lock_merge(HouseholdMerge, merge.pk, "survivor")
    if merge.undone_at is not None:
        raise MergeError("__all__", _("This merge was already undone."))
    if not may_change_identity(user=acting_user, membership=membership, household=survivor):
        raise MergeError("__all__", _("You may not change this family's records."))
    if _later_active_merges(survivor.pk, merge.merged_at):
        raise MergeError("__all__", _("Undo the later merges in this family first."))
    snapshot = json.loads(merge.snapshot)
    if not snapshot:
        raise MergeError("__all__", _("This record was de-identified; the merge can no longer be undone."))
    if "person" in snapshot:  # the person first, in the survivor family; then the families
        person = _people_split(snapshot["person"], uuid.UUID(snapshot["person"]["survivor"]["id"]))
        _audit(membership, acting_user, survivor.pk, f"person unmerge (family merge {merge.pk})", person.pk)
    restored: Any = row_load(Household, snapshot["merged"])
    restored.save(force_insert=True)
    _unfill(survivor, snapshot["filled"])
    survivor.save()
    _move_back(snapshot, survivor.pk, restored.pk)
    merge.undone_at = timezone.now()
    merge.undone_by = acting_user
    merge.save(update_fields=["undone_at", "undone_by"])
    _audit(membership, acting_user, survivor.pk, f"family unmerge {merge.pk}")
    _audit(membership, acting_user, restored.pk, f"family unmerge {merge.pk}")
    return restored
