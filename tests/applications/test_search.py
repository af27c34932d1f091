"""``fold``: the searchable form of a name, blind to case and to Azerbaijani/Turkish letters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.search import fold

AZ_TR_LETTERS = "əğıöüçş"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("İsmayılov", "ismayilov"),
        ("ÇELİK", "celik"),
        ("Çelik", "celik"),
        ("CELIK", "celik"),
        ("ƏLİYEV", "eliyev"),
        ("Əliyev", "eliyev"),
        ("Quliyeva", "quliyeva"),
        ("guliyeva", "guliyeva"),
        ("Gülşən Aygün", "gulsen aygun"),
        ("ŞƏHLA", "sehla"),
        ("Öztürk", "ozturk"),
        ("Ağaoğlu", "agaoglu"),
        ("Kâmil Îlhan Ûmit", "kamil ilhan umit"),
        ("AZTR-2024-000001", "aztr-2024-000001"),
        ("C12345678", "c12345678"),
        ("  Ayşe \t\n  Çelik  ", "ayse celik"),
        ("", ""),
        ("   ", ""),
    ],
    ids=lambda value: repr(value),
)
def test_fold_table(text, folded):
    assert fold(text) == folded


def test_the_three_spellings_of_celik_fold_together():
    assert fold("ÇELİK") == fold("Çelik") == fold("CELIK") == "celik"


def test_spellings_are_not_guessed():
    """Q and G are different letters: "guliyeva" is not "Quliyeva"."""
    assert fold("Quliyeva") != fold("guliyeva")
    assert fold("guliyeva") not in fold("Quliyeva")


def test_dotted_capital_i_leaves_no_combining_dot():
    # str.lower() alone turns "İ" into "i" + U+0307; the search would then miss "ismayilov".
    assert "İsmayılov".lower() != "ismayılov"
    assert fold("İsmayılov") == "ismayilov"
    assert "\u0307" not in fold("İİİ")


@given(st.text())
def test_fold_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_fold_leaves_nothing_to_lower_case_and_no_az_tr_letters(text):
    folded = fold(text)
    # "No uppercase": every character with a lower-case form has been lowered. (A few symbols,
    # e.g. U+1D400 MATHEMATICAL BOLD CAPITAL A, count as uppercase for str.isupper() but have no
    # lower-case form at all; they are unchanged by any lowering.)
    assert folded == folded.lower()
    assert not set(folded) & set(AZ_TR_LETTERS)


NAME_ALPHABET = st.sampled_from(
    "ABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZabcçdeəfgğhxıijkqlmnoöprsştuüvyzÂâÎîÛû-' \t\n"
)


@given(st.text(NAME_ALPHABET))
def test_fold_of_names_has_no_uppercase_and_single_spaces(text):
    folded = fold(text)
    assert not any(character.isupper() for character in folded)
    assert not set(folded) & set(AZ_TR_LETTERS)
    assert folded == folded.strip()
    assert "  " not in folded
    assert "\t" not in folded
    assert "\n" not in folded


@given(st.text(NAME_ALPHABET), st.text(NAME_ALPHABET))
def test_case_changes_do_not_change_the_fold(first, second):
    """Upper-casing a name the Azerbaijani way (i→İ, ı→I) folds to the same text."""

    def az_upper(text: str) -> str:
        return text.replace("i", "İ").replace("ı", "I").upper()

    text = f"{first} {second}"
    assert fold(az_upper(text)) == fold(text)
