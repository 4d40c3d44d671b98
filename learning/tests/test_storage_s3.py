"""Evidence files on S3-compatible storage, end to end against a real S3 server.

.ci/run starts moto's server and sets S3_TEST_ENDPOINT_URL; the storage is configured by the
same ``s3_storage`` that production's STORAGE_BACKEND=s3 uses."""

import os
import uuid

import boto3
import pytest
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import service_missing
from learning.models import Attachment
from sscb.settings import s3_storage
from sscb.tests.factories import AgencyFactory

from .factories import ActionFactory

ENDPOINT = os.environ.get("S3_TEST_ENDPOINT_URL", "")
REGION = "eu-west-2"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def bucket(settings, tmp_path):
    if not ENDPOINT:
        service_missing("An S3-compatible server", "S3_TEST_ENDPOINT_URL is not set")
    environ = {
        "AWS_STORAGE_BUCKET_NAME": f"sscb-test-{uuid.uuid4().hex[:12]}",
        "AWS_S3_ENDPOINT_URL": ENDPOINT,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    name = environ["AWS_STORAGE_BUCKET_NAME"]
    try:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    except (BotoCoreError, ClientError) as error:
        service_missing("An S3-compatible server", f"{ENDPOINT}: {error}")
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(environ)}
    # Anything written to the local folder by mistake would show up here.
    settings.MEDIA_ROOT = tmp_path
    yield s3, name
    for key in _keys(s3, name):
        s3.delete_object(Bucket=name, Key=key)
    s3.delete_bucket(Bucket=name)


def _keys(s3, name):
    return [item["Key"] for item in s3.list_objects_v2(Bucket=name).get("Contents", [])]


def test_a_file_is_uploaded_downloaded_and_deleted_through_the_bucket(
    client, agency_user, make_user, bucket, tmp_path
):
    s3, name = bucket
    action = ActionFactory(owner_agency=agency_user.agency)
    client.force_login(agency_user)
    response = client.post(
        reverse("learning:action_progress", args=[action.uuid]),
        {
            "progress": "Chronology shared",
            "file": SimpleUploadedFile("Chronology.pdf", PDF),
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "Chronology.pdf"

    # In the bucket under its random name, private, and nowhere on the local disk.
    assert _keys(s3, name) == [attachment.file.name]
    assert s3.get_object(Bucket=name, Key=attachment.file.name)["Body"].read() == PDF
    grants = s3.get_object_acl(Bucket=name, Key=attachment.file.name)["Grants"]
    assert not [grant for grant in grants if "URI" in grant["Grantee"]]  # no AllUsers etc.
    assert "X-Amz-Signature=" in attachment.file.url  # never a plain public URL
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]

    # Downloaded through our view, which still checks who may see it.
    url = reverse("learning:attachment", args=[attachment.uuid])
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="Chronology.pdf"'
    assert b"".join(download.streaming_content) == PDF
    other_lead = make_user(role="agency_lead", agency=AgencyFactory(name="ICB"), username="icb")
    client.force_login(other_lead)
    assert client.get(url).status_code == 404

    # Deleted through the storage: gone from the bucket.
    stored = attachment.file.name
    attachment.file.delete(save=False)
    assert not default_storage.exists(stored)
    assert _keys(s3, name) == []


def test_a_refused_file_never_reaches_the_bucket(client, agency_user, bucket):
    s3, name = bucket
    action = ActionFactory(owner_agency=agency_user.agency)
    client.force_login(agency_user)
    response = client.post(
        reverse("learning:action_progress", args=[action.uuid]),
        {"progress": "x", "file": SimpleUploadedFile("a.pdf", b"<html>")},
    )
    assert response.status_code == 200
    assert _keys(s3, name) == [] and not Attachment.objects.exists()


def test_s3_storage_needs_a_bucket():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        s3_storage({"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"})
