"""The student's dashboard shows the appointment: book one while the case needs a visit."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_dashboard_asks_a_submitted_student_to_book(case, client_for):
    application = case()
    page = client_for(application.applicant).get(reverse("dashboard")).content.decode()
    assert "Your appointment at the migration office" in page
    assert reverse("application-appointment", args=[application.pk]) in page


def test_the_data_export_holds_the_appointments_part(case, client_for):
    import io
    import json
    import zipfile

    application = case()
    response = client_for(application.applicant).get(reverse("data-export"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
    assert data["appointments"] == []
