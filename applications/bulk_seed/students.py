"""The students: who they are, and their account, email address and profile rows."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from accounts.services import PRIVACY_NOTICE_VERSION
from core.search import fold

from .reference_data import (
    BIRTH_PLACES,
    EMAIL_DOMAIN,
    FEMALE_NAMES,
    FIN_ALPHABET,
    LANGUAGE_MIX,
    MALE_NAMES,
    SURNAMES,
    pick,
)

if TYPE_CHECKING:
    from .copy_writer import Table


@dataclass
class Student:
    pk: int
    number: int
    sex: str
    given_names: str
    surname: str
    email: str
    language: str
    date_of_birth: date
    fin: str
    phone: str
    father_name: str
    mother_name: str
    place_of_birth: str
    joined: datetime | None = None


def _ascii(text: str) -> str:
    return "".join(ch for ch in fold(text) if "a" <= ch <= "z")


def new_student(rng: random.Random, *, pk: int, number: int, today: date) -> Student:
    """Student ``number`` (numbered on across runs), with the user id ``pk``."""
    sex = rng.choice("FM")
    given = rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES)
    surname = rng.choice(SURNAMES)
    if sex == "F" and surname.endswith(("ov", "ev")):
        surname += "a"
    # Born 17 to 29 years before today; a few are still minors when they apply.
    dob = today - timedelta(days=rng.randint(17 * 365 + 30, 29 * 365))
    return Student(
        pk=pk,
        number=number,
        sex=sex,
        given_names=given,
        surname=surname,
        email=f"{_ascii(given)}.{_ascii(surname)}.{number:06d}@{EMAIL_DOMAIN}",
        language=pick(rng, LANGUAGE_MIX),
        date_of_birth=dob,
        fin="".join(rng.choice(FIN_ALPHABET) for _ in range(7)),
        phone=f"+90 5{rng.randint(30, 59)} {rng.randint(100, 999)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)}",
        father_name=rng.choice(MALE_NAMES),
        mother_name=rng.choice(FEMALE_NAMES),
        place_of_birth=rng.choice(BIRTH_PLACES),
    )


def add_student_rows(t: dict[str, Table], s: Student, *, password: str) -> None:
    """The student's account (signed up on ``s.joined``), verified address and profile."""
    t["user"].add(
        id=s.pk,
        password=password,
        email=s.email,
        first_name=s.given_names,
        last_name=s.surname,
        preferred_language=s.language,
        date_joined=s.joined,
        last_login=s.joined,
    )
    t["email"].add(user_id=s.pk, email=s.email, verified=True, primary=True)
    t["profile"].add(
        user_id=s.pk,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        privacy_notice_accepted_at=s.joined,
        surname=s.surname,
        given_names=s.given_names,
        date_of_birth=s.date_of_birth,
        phone=s.phone,
        fin=s.fin,
    )
