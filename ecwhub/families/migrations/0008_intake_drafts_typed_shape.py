"""Unfinished intakes keep what was entered in the shape of the intake's typed input
(``{"caregiver": {...}, "children": [{...}], "details": {...}}``) instead of the intake page's
posted fields (``{"cg-given_name": ["Rosa"], "child-0-sex": ["male"], ...}``). The drafts in
progress are rewritten, so no one's partial intake is lost; the reverse rewrites them back.

The field lists are those of the intake at the time of this migration (a migration does not import
the code that may change after it).
"""

import json

from django.db import migrations

PARTS = {
    "caregiver": (
        "cg",
        {
            "text": (
                "relationship given_name family_name second_family_name preferred_name name_original_script "
                "date_of_birth phone email preferred_contact_method preferred_language dialect postal_code place "
                "consent_method consent_witness"
            ).split(),
            "bool": "date_of_birth_estimated is_pregnant interpreter_needed consent_given consent_network_wide".split(),
            "list": ["consent_sensitive"],
        },
    ),
    "child": (
        "child",
        {
            "text": "given_name family_name second_family_name date_of_birth sex".split(),
            "bool": ["date_of_birth_estimated"],
            "list": [],
        },
    ),
    "details": (
        "d",
        {
            "text": (
                "street unit city best_times sex insurance_status medi_cal_plan medi_cal_id children_insurance "
                "school_or_child_care"
            ).split(),
            "bool": ["text_ok", "is_legal_guardian"],
            "list": ["flags"],
        },
    ),
}
SAFE = {"yes": True, "no": False}
MAX_CHILDREN = 8


def _part(flat, prefix, kinds):
    part = {}
    for name in kinds["text"]:
        values = flat.get(f"{prefix}-{name}") or [""]
        part[name] = str(values[-1])
    for name in kinds["bool"]:
        values = flat.get(f"{prefix}-{name}") or []
        part[name] = bool(values) and str(values[-1]).lower() not in ("", "false")
    for name in kinds["list"]:
        part[name] = [str(v) for v in flat.get(f"{prefix}-{name}") or []]
    return part


def to_typed(flat):
    data = {"caregiver": None, "children": [], "details": None}
    if any(key.startswith("cg-") for key in flat):
        data["caregiver"] = _part(flat, *PARTS["caregiver"])
    if any(key.startswith("d-") for key in flat):
        details = _part(flat, *PARTS["details"])
        details["safe_to_leave_message"] = SAFE.get(str((flat.get("d-safe_to_leave_message") or [""])[-1]))
        data["details"] = details
    total = str((flat.get("child-TOTAL_FORMS") or [""])[-1])
    rows = int(total) if total.isdigit() else len({k.split("-")[1] for k in flat if k.startswith("child-") and k.split("-")[1].isdigit()})
    prefix, kinds = PARTS["child"]
    data["children"] = [_part(flat, f"{prefix}-{i}", kinds) for i in range(min(rows, MAX_CHILDREN))]
    return data


def _flat_part(part, prefix, kinds, flat):
    for name in kinds["text"]:
        flat[f"{prefix}-{name}"] = [part.get(name, "")]
    for name in kinds["bool"]:
        if part.get(name):
            flat[f"{prefix}-{name}"] = ["on"]
    for name in kinds["list"]:
        flat[f"{prefix}-{name}"] = list(part.get(name) or [])


def to_flat(data):
    flat = {}
    if data.get("caregiver"):
        _flat_part(data["caregiver"], *PARTS["caregiver"], flat)
    children = data.get("children") or []
    flat["child-TOTAL_FORMS"] = [str(len(children))]
    flat["child-INITIAL_FORMS"] = ["0"]
    prefix, kinds = PARTS["child"]
    for index, child in enumerate(children):
        _flat_part(child, f"{prefix}-{index}", kinds, flat)
    if data.get("details"):
        details = data["details"]
        _flat_part(details, *PARTS["details"], flat)
        flat["d-safe_to_leave_message"] = [{True: "yes", False: "no"}.get(details.get("safe_to_leave_message"), "")]
    return flat


def _rewrite(apps, convert, is_old):
    IntakeDraft = apps.get_model("families", "IntakeDraft")
    for draft in IntakeDraft.objects.all().iterator():
        held = json.loads(draft.data or "{}")
        if not is_old(held):
            continue
        draft.data = json.dumps(convert(held), ensure_ascii=False)
        draft.save(update_fields=["data"])


def forward(apps, schema_editor):
    _rewrite(apps, to_typed, lambda held: not ({"caregiver", "children", "details"} & set(held)))


def backward(apps, schema_editor):
    _rewrite(apps, to_flat, lambda held: bool({"caregiver", "children", "details"} & set(held)))


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0007_intake_record_changes"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
