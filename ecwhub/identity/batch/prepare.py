"""The comparison columns, prepared in SQL that runs the same on DuckDB and Spark: folded names
without particles, the first given name's formal form (nickname table), each surname's
romanisation key, date parts and the date with day and month swapped, phone digits, house number
and street."""

from __future__ import annotations

from typing import Any

from ecwhub.core.text import NON_DECOMPOSING

from .. import compare as c


def lookup_rows() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    nicknames = sorted((nick, c.given_key(nick)) for nick in c.NICKNAME if c.given_key(nick) != nick)
    surnames = sorted((spelling, key) for spelling, key in c.SURNAME_KEY.items() if spelling != key)
    return nicknames, surnames


_PARTICLES_RE = r"\b(" + "|".join(sorted(c.PARTICLES)) + r")\b"


def _accent_table() -> tuple[str, str]:
    """Accented Latin letters (Latin-1, Latin Extended, Vietnamese) and their plain letters, for
    SQL ``translate()``, which both DuckDB and Spark have."""
    accented, plain = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = c.fold(char)
        if len(base) == 1 and base.isalpha() and base != char.lower():
            accented.append(char)
            plain.append(base)
    return "".join(accented), "".join(plain)


_NON_DECOMPOSING_LOWER = sorted((letter, plain) for letter, plain in NON_DECOMPOSING.items() if letter.islower())

_DIALECTS = {
    "duckdb": {
        "g": ", 'g'",
        "split": "string_split({0}, ' ')",
        "nonempty": "list_filter({0}, lambda x: x <> '')",
        "join": "array_to_string({0}, ' ')",
        "item": "{0}[{1}]",
        "text": "varchar",
        "ref1": "\\1",
    },
    "spark": {
        "g": "",
        "split": "split({0}, ' ')",
        "nonempty": "filter({0}, x -> x <> '')",
        "join": "array_join({0}, ' ')",
        "item": "try_element_at({0}, {1})",
        "text": "string",
        "ref1": "$1",
    },
}


def _plain_letters(expression: str) -> str:
    """The letters that do not decompose (đ, ø, ł, ß, æ) spelled as the hub's fold spells them,
    after ``lower()``: neither engine's accent stripping knows them."""
    for letter, plain in _NON_DECOMPOSING_LOWER:
        expression = f"replace({expression}, '{letter}', '{plain}')"
    return expression


def prepare_sql(table: str, dialect: str = "duckdb") -> str:
    """Comparison columns for ``table`` (columns of ``PERSON_FIELDS``), joined to the lookup tables."""
    d = _DIALECTS[dialect]
    g = d["g"]
    accented, plain = _accent_table()

    def folded(expression: str) -> str:
        if dialect == "duckdb":
            # strip_accents is fast; translate() with a long table costs ~80 µs a row on DuckDB.
            lowered = f"lower(strip_accents(coalesce({expression}, '')))"
        else:
            lowered = f"lower(translate(coalesce({expression}, ''), '{accented}', '{plain}'))"
        return _plain_letters(lowered)

    family = folded("family_name || ' ' || coalesce(second_family_name, '')")
    surnames = d["nonempty"].format(
        d["split"].format(
            f"trim(regexp_replace(regexp_replace({family}, '[^a-z ]+', ' '{g}), '{_PARTICLES_RE}', ' '{g}))"
        )
    )
    ref = d["ref1"]
    # Built from constants and internal table names only (no user input).
    sql = f"""
    with base as (
        select unique_id, household_id,
            nullif(trim(regexp_replace(regexp_replace({folded("given_name")}, '[^a-z ]+', ' '{g}),
                ' +', ' '{g})), '') as given_norm,
            {surnames} as surnames,
            nullif(replace(cast(date_of_birth as {d["text"]}), '-', ''), '') as dob,
            case when sex in ('female', 'male') then sex end as sex,
            nullif(right(regexp_replace(coalesce(phone, ''), '[^0-9]', ''{g}), 10), '') as phone,
            nullif(left(regexp_replace(coalesce(postal_code, ''), '[^0-9]', ''{g}), 5), '') as postcode,
            nullif(trim(regexp_replace({folded("street")}, '[^a-z0-9 ]+', ' '{g})), '') as street_norm
        from {table}
    ), parts as (
        select *,
            split_part(given_norm, ' ', 1) as given1,
            {d["item"].format("surnames", 1)} as surname1_raw,
            {d["item"].format("surnames", 2)} as surname2_raw,
            case when length(dob) = 8 then substr(dob, 1, 4) end as dob_year,
            case when length(dob) = 8 then substr(dob, 1, 6) end as dob_ym,
            case when length(dob) = 8 then substr(dob, 5, 4) end as dob_md,
            case when length(dob) = 8
                then substr(dob, 1, 4) || substr(dob, 7, 2) || substr(dob, 5, 2) end as dob_swapped,
            case when length(phone) >= 7 then right(phone, 7) end as phone7,
            nullif(regexp_extract(street_norm, '^([0-9]+[a-z]?) ', 1), '') as street_number
        from base
    )
    select parts.unique_id, parts.household_id, parts.given_norm, parts.given1, parts.surname1_raw as family1,
        coalesce(nick.formal, parts.given1) as given_canon,
        nullif({d["join"].format("parts.surnames")}, '') as surname_all,
        regexp_replace(coalesce(s1.key, parts.surname1_raw), '([a-z][a-z])yan$', '{ref}ian') as surname1,
        regexp_replace(coalesce(s2.key, parts.surname2_raw), '([a-z][a-z])yan$', '{ref}ian') as surname2,
        parts.dob, parts.dob_year, parts.dob_ym, parts.dob_md, parts.dob_swapped, parts.sex, parts.phone, parts.phone7,
        parts.postcode, parts.street_norm, parts.street_number
    from parts
    left join identity_nicknames nick on nick.nick = parts.given1
    left join identity_surname_keys s1 on s1.spelling = parts.surname1_raw
    left join identity_surname_keys s2 on s2.spelling = parts.surname2_raw
    """  # noqa: S608
    return sql


def lookup_tables(con: Any, nicknames: list[tuple[str, str]], surnames: list[tuple[str, str]]) -> None:
    """The nickname and romanisation tables, in one statement each (DuckDB's executemany is slow)."""
    for name, columns, rows in (
        ("identity_nicknames", "nick varchar, formal varchar", nicknames),
        ("identity_surname_keys", "spelling varchar, key varchar", surnames),
    ):
        con.execute(f"create table {name} ({columns})")
        values = ", ".join("(?, ?)" for _ in rows)
        con.execute(f"insert into {name} values {values}", [value for row in rows for value in row])  # noqa: S608
