"""Who ``seed_demo`` makes: the demo staff, and the demo students with the status each one's
application is brought to (through the workflow, by the command)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.roles import OFFICER, SUPERVISOR

from .models import Status


@dataclass
class DemoApplicant:
    email: str
    given_names: str
    surname: str
    father_name: str
    target: str
    university: str
    province_code: int
    passport_years: int = 8
    level: str = "bachelor"
    extra: dict = field(default_factory=dict)
    # A passport expiring this many days from today instead (a permit cut short by it).
    passport_days: int | None = None


# The university whose international office checks documents first (the others do not).
PRECHECK_UNIVERSITY = "İstanbul Teknik Üniversitesi"

STAFF = [
    ("officer@example.com", "Kemal", "Yıldız", OFFICER),
    ("supervisor@example.com", "Ayşe", "Demir", SUPERVISOR),
]

APPLICANTS = [
    DemoApplicant(
        "student@example.com",
        "Aysel",
        "Məmmədova",
        "Elçin",
        Status.INFO_REQUESTED,
        "Orta Doğu Teknik Üniversitesi",
        6,
    ),
    DemoApplicant(
        "student2@example.com",
        "Rəşad",
        "Əliyev",
        "Vüqar",
        Status.APPROVED,
        "İstanbul Teknik Üniversitesi",
        34,
        level="master",
    ),
    DemoApplicant(
        "nigar.huseynova@example.com",
        "Nigar",
        "Hüseynova",
        "Şahin",
        Status.DRAFT,
        "Ege Üniversitesi",
        35,
    ),
    DemoApplicant(
        "elvin.quliyev@example.com",
        "Elvin",
        "Quliyev",
        "Ramiz",
        Status.SUBMITTED,
        "Ankara Üniversitesi",
        6,
    ),
    DemoApplicant(
        "leyla.ismayilova@example.com",
        "Leyla",
        "İsmayılova",
        "Fərid",
        Status.UNDER_REVIEW,
        "Hacettepe Üniversitesi",
        6,
        passport_years=3,
        extra={"field": "medicine"},
    ),
    DemoApplicant(
        "tural.cavadov@example.com",
        "Tural",
        "Cavadov",
        "Əkbər",
        Status.REJECTED,
        "Atatürk Üniversitesi",
        25,
        level="doctoral",
    ),
    # A permit cut short by the passport, ending within the extension window: the student can
    # renew the passport and extend the permit for the rest of the programme.
    DemoApplicant(
        "renewal@example.com",
        "Orxan",
        "Nəsirov",
        "Kamran",
        Status.APPROVED,
        "Gazi Üniversitesi",
        6,
        passport_days=100,
    ),
    # A permit holder at ODTÜ: uni1@example.com can report the end of his studies.
    DemoApplicant(
        "murad.isayev@example.com",
        "Murad",
        "İsayev",
        "Tofiq",
        Status.APPROVED,
        "Orta Doğu Teknik Üniversitesi",
        6,
    ),
    # Waits for the enrolment confirmation of uni2@example.com's university (İTÜ).
    DemoApplicant(
        "farid.rzayev@example.com",
        "Fərid",
        "Rzayev",
        "Elşən",
        Status.SUBMITTED,
        "İstanbul Teknik Üniversitesi",
        34,
    ),
    # İTÜ's office checks documents before the migration office (University.precheck_enabled):
    # one application waits for that check, one was returned to its student.
    DemoApplicant(
        "sevinc.bayramova@example.com",
        "Sevinc",
        "Bayramova",
        "Akif",
        Status.PRECHECK,
        "İstanbul Teknik Üniversitesi",
        34,
    ),
    DemoApplicant(
        "kenan.mammadli@example.com",
        "Kənan",
        "Məmmədli",
        "Nazim",
        Status.RETURNED,
        "İstanbul Teknik Üniversitesi",
        34,
    ),
    DemoApplicant(
        "gunel.hasanova@example.com",
        "Günel",
        "Həsənova",
        "Oqtay",
        Status.WITHDRAWN,
        "Boğaziçi Üniversitesi",
        34,
    ),
]

# The path from a draft to each target status, as the workflow allows it.
PATHS = {
    Status.DRAFT: [],
    Status.PRECHECK: ["submit"],
    Status.RETURNED: ["submit", "return"],
    Status.SUBMITTED: ["submit"],
    Status.UNDER_REVIEW: ["submit", "review"],
    Status.INFO_REQUESTED: ["submit", "review", "request_info"],
    Status.APPROVED: ["submit", "review", "approve"],
    Status.REJECTED: ["submit", "review", "reject"],
    Status.WITHDRAWN: ["submit", "withdraw"],
}
