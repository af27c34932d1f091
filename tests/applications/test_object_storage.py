"""Documents in S3-compatible object storage (DOCUMENT_STORAGE=s3), against moto's in-process S3."""

from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.urls import reverse
from moto import mock_aws

from applications import services
from applications.models import Status
from documents.models import Document

pytestmark = pytest.mark.django_db

BUCKET = "portal-documents"


@pytest.fixture
def s3(settings):
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        settings.STORAGES = settings.STORAGES | {
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "eu-central-1",
                    "access_key": "test",
                    "secret_key": "test",
                    "location": "private",
                    "default_acl": "private",
                    "file_overwrite": False,
                },
            }
        }
        yield client


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_an_upload_lands_in_the_bucket_and_is_served_from_it(
    s3, application_in, client_for, make_upload
):
    draft = application_in(Status.DRAFT)
    document = services.document_upload(
        application_id=draft.pk,
        actor=draft.applicant,
        kind="photo",
        uploaded=make_upload("photo.png"),
    )
    assert f"private/{document.file.name}" in keys(s3)
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / document.file.name).exists()

    response = client_for(draft.applicant).get(reverse("document-file", args=[document.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\x89PNG")
    assert len(body) == document.size


def test_a_replaced_draft_document_is_removed_from_the_bucket(
    s3, application_in, make_upload, django_capture_on_commit_callbacks
):
    draft = application_in(Status.DRAFT)
    first = services.document_upload(
        application_id=draft.pk, actor=draft.applicant, kind="photo", uploaded=make_upload("a.png")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_upload(
            application_id=draft.pk,
            actor=draft.applicant,
            kind="photo",
            uploaded=make_upload("b.jpg"),
        )
    assert f"private/{first.file.name}" not in keys(s3)
    assert not Document.objects.filter(pk=first.pk).exists()
