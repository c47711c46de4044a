"""One diacritics fold for the hub: intake's matching, the directory's search and the demo's names agree."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecwhub.core.text import NON_DECOMPOSING, fold_diacritics, strip_diacritics
from ecwhub.directory.search.text import words
from ecwhub.identity import compare
from ecwhub.identity.batch.prepare import lookup_rows, lookup_tables, prepare_sql

NAMES = [
    ("Peña", "Pena"),
    ("Łódź", "Lodz"),
    ("Ørsted", "Orsted"),
    ("Straße", "Strasse"),
    ("Nguyễn", "Nguyen"),
    ("Đặng", "Dang"),
    ("Æsa", "AEsa"),
    ("José María", "Jose Maria"),
    ("Müller", "Muller"),
    ("Çelik", "Celik"),
    ("Søren", "Soren"),
    ("Małgorzata", "Malgorzata"),
    ("Trần Thị Ngọc Ánh", "Tran Thi Ngoc Anh"),
]


@pytest.mark.parametrize(("written", "plain"), NAMES)
def test_diacritics_are_dropped_and_case_is_kept(written: str, plain: str) -> None:
    assert strip_diacritics(written) == plain


@pytest.mark.parametrize(("written", "plain"), NAMES)
def test_the_fold_is_lower_case(written: str, plain: str) -> None:
    assert fold_diacritics(written) == plain.lower()


def test_letters_that_do_not_decompose_have_their_plain_spelling() -> None:
    assert fold_diacritics("ßẞ") == "ssss"
    assert fold_diacritics("ĐđØøŁłÆæ") == "ddoollaeae"
    assert fold_diacritics("Ǣǿ") == "aeo"  # decomposing into one of those letters and a mark
    # Every such letter, upper and lower case, is in the table.
    for letter in NON_DECOMPOSING:
        assert strip_diacritics(letter) == NON_DECOMPOSING[letter]


def test_text_without_diacritics_is_unchanged() -> None:
    assert strip_diacritics("") == ""
    assert strip_diacritics("Maria Lopez, 123 N Main St") == "Maria Lopez, 123 N Main St"
    assert strip_diacritics("陳") == "陳"  # not Latin: left as written


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x24F)))
def test_folding_twice_is_folding_once(text: str) -> None:
    once = fold_diacritics(text)
    assert fold_diacritics(once) == once
    assert strip_diacritics(strip_diacritics(text)) == strip_diacritics(text)


@pytest.mark.parametrize("name", [written for written, _ in NAMES])
def test_search_and_identity_fold_names_alike(name: str) -> None:
    assert words(name) == compare.fold(name).split()


def test_the_batch_linkage_sql_folds_names_as_the_real_time_check_does() -> None:
    """The DuckDB preparation of ``link_records`` and the hub's Python comparisons see the same letters."""
    con = duckdb.connect()
    lookup_tables(con, *lookup_rows())
    con.execute(
        "create table people_raw (unique_id varchar, household_id varchar, given_name varchar, family_name varchar,"
        " second_family_name varchar, preferred_name varchar, date_of_birth varchar, sex varchar, phone varchar,"
        " email varchar, street varchar, postal_code varchar)"
    )
    given_names = [written for written, _ in NAMES]
    con.executemany(
        "insert into people_raw (unique_id, household_id, given_name, family_name) values (?, '', ?, 'x')",
        [(str(n), name) for n, name in enumerate(given_names)],
    )
    rows = dict(con.execute(f"select unique_id, given_norm from ({prepare_sql('people_raw')})").fetchall())  # noqa: S608
    assert [rows[str(n)] for n in range(len(given_names))] == [compare.fold(name) for name in given_names]
