"""factory_boy factories for the portal's users, applications and documents.

``ApplicationFactory`` builds a *complete draft*: every field ``sections.REQUIRED_FIELDS`` asks for
is filled with a value the model validators accept, and the dates satisfy the worked example of
``shared/domain/RULES.md`` (bachelor's, general field, programme start 2024-09-16; passport valid
until 2032, so long enough). Status is never set here: later states come from the workflow
services themselves (see ``tests/applications/test_workflow.py``).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import date

import factory
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from accounts.models import User
from accounts.roles import OFFICER, SUPERVISOR, UNIVERSITY_STAFF
from accounts.services import email_mark_verified, privacy_notice_accept
from applications import workflow
from applications.models import Application
from documents.models import Document
from rules.models import Field, Level
from universities.models import University, UniversityStaff

DEMO_PASSWORD = "demo-portal-2026"


def _png(width: int = 1, height: int = 1) -> bytes:
    """A real, minimal PNG (8-bit greyscale), so content sniffing sees an image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PNG_BYTES = _png()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"student{n}@example.com")
    first_name = "Əli"
    last_name = "Məmmədov"

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs) -> None:
        obj.set_password(extracted or DEMO_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs) -> None:
        """The address is verified unless ``verified=False``: sign-in needs it."""
        if create and extracted is not False:
            email_mark_verified(user=obj)

    @factory.post_generation
    def consent(obj: User, create: bool, extracted: bool | None, **kwargs) -> None:
        """Notice accepted and profile filled, unless ``consent=False``."""
        if not create or extracted is False:
            return
        profile = privacy_notice_accept(user=obj)
        profile.surname = "Məmmədov"
        profile.given_names = "Əli"
        profile.date_of_birth = date(2004, 5, 12)
        profile.phone = "+994501234567"
        profile.fin = "5ABCD7K"
        profile.save()


def _in_group(name: str) -> factory.PostGeneration:
    """Put the user in a role group; the groups come from accounts' post_migrate handler."""

    def add(obj: User, create: bool, extracted, **kwargs) -> None:
        if create:
            obj.groups.add(Group.objects.get(name=name))

    return factory.PostGeneration(add)


class OfficerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"officer{n}@migration.example.gov.tr")
    role = _in_group(OFFICER)


class SupervisorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"supervisor{n}@migration.example.gov.tr")
    role = _in_group(SUPERVISOR)


class UniversityStaffFactory(UserFactory):
    """An international-office account of ``university`` (the first one by name unless given)."""

    email = factory.Sequence(lambda n: f"office{n}@university.example.edu.tr")
    role = _in_group(UNIVERSITY_STAFF)

    @factory.post_generation
    def university(obj: User, create: bool, extracted: University | None, **kwargs) -> None:
        if create:
            UniversityStaff.objects.create(user=obj, university=extracted or _first_university())


def _first_university() -> University:
    # Deterministic: the reference data comes from the migrations, never from a fixture of ids.
    return University.objects.select_related("province").order_by("name").first()


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft with every required field filled in; submit it with the workflow services."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(UserFactory)
    contact_email = factory.LazyAttribute(lambda o: o.applicant.email)

    surname = "Məmmədova"
    given_names = "Gülşən Aygün"
    father_name = "Əhməd"
    mother_name = "Şəhla"
    sex = Application.Sex.FEMALE
    date_of_birth = date(2005, 3, 14)
    place_of_birth = "Gəncə"
    marital_status = Application.MaritalStatus.SINGLE
    # 7 characters from the FIN alphabet (no I or O), e.g. 5ABCD7K, 5ABC012, ...
    fin = factory.Sequence(lambda n: f"5ABC{n % 1000:03d}")
    phone = "+994501234567"

    passport_number = factory.Sequence(lambda n: f"C{n % 100_000_000:08d}")
    passport_issue_date = date(2022, 1, 10)
    passport_expiry_date = date(2032, 1, 9)
    passport_issuing_authority = "DMX"
    entry_date = date(2024, 9, 1)

    university = factory.LazyFunction(_first_university)
    faculty = "Mühəndislik fakültəsi"
    department = "Kompüter mühəndisliyi"
    student_number = factory.Sequence(lambda n: f"2024{n:05d}")
    level = Level.BACHELOR
    field = Field.GENERAL
    programme_start = date(2024, 9, 16)
    programme_end = None
    prep_year = False

    province = factory.LazyAttribute(lambda o: o.university.province)
    district = "Çankaya"
    neighbourhood = "Kızılay"
    address_line = "Atatürk Bulvarı 12, daire 4"
    postal_code = "06420"


class DocumentFactory(factory.django.DjangoModelFactory):
    """A current document with real PNG bytes; ``size`` and ``sha256`` match the content."""

    class Meta:
        model = Document

    class Params:
        content = PNG_BYTES

    application = factory.SubFactory(ApplicationFactory)
    kind = "photo"
    original_name = factory.LazyAttribute(lambda o: f"{o.kind}.png")
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    content_type = "image/png"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by = factory.LazyAttribute(lambda o: o.application.applicant)


def attach_required_documents(application: Application, *, on: date) -> list[Document]:
    """Upload one current document of every kind the checklist requires on ``on``."""
    return [
        DocumentFactory(application=application, kind=kind)
        for kind in workflow.required_document_kinds(application, on=on)
    ]
