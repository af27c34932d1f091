"""Policy version 1: the numbers of shared/domain/RULES.md."""

import datetime

from django.db import migrations

LENGTHS = [
    # level, field, standard years, maximum years (Law 2547 Art. 44, YÖK)
    ("associate", "any", 2, 4),
    ("bachelor", "general", 4, 7),
    ("bachelor", "dentistry", 5, 8),
    ("bachelor", "pharmacy", 5, 8),
    ("bachelor", "veterinary", 5, 8),
    ("bachelor", "medicine", 6, 9),
    ("master", "any", 2, 3),
    ("doctoral", "any", 4, 6),
]

NOTES = """Seed article (Azernews, 2024): bachelor's, master's and doctoral students get one permit
for the whole programme if the passport is valid for that period.
LFIP (Law 6458) Art. 21(2): passport valid 60 days beyond the permit; Art. 21(5): decision within
90 days; Art. 21(3): up to 30 days to supply missing documents.
Law 2547 Art. 44 / YÖK: standard and maximum programme lengths. Doctoral standard length kept at 4
years (sources disagree: 3 or 4). In force from the agreement's signature, 2024-06-07."""


def create(apps, schema_editor):
    PolicyVersion = apps.get_model("applications", "PolicyVersion")
    ProgrammeLength = apps.get_model("applications", "ProgrammeLength")
    version, created = PolicyVersion.objects.get_or_create(
        number=1,
        defaults={
            "title": "Azerbaijan–Türkiye migration agreement (2024), initial rules",
            "effective_from": datetime.date(2024, 6, 7),
            "covered_levels": ["bachelor", "master", "doctoral"],
            "prep_year_years": 1,
            "passport_margin_days": 60,
            "legal_stay_days": 90,
            "decision_days": 90,
            "info_request_days": 30,
            "source_notes": NOTES,
        },
    )
    if created:
        ProgrammeLength.objects.bulk_create(
            ProgrammeLength(
                policy=version, level=level, field=field, standard_years=std, maximum_years=mx
            )
            for level, field, std, mx in LENGTHS
        )


def remove(apps, schema_editor):
    apps.get_model("applications", "PolicyVersion").objects.filter(number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_reference_data")]
    operations = [migrations.RunPython(create, remove)]
