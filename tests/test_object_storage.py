"""Evidence in S3-compatible object storage (a local moto server): stored, hashed, listed in
the bucket, served only through the scope-checked view, replaced with the old version kept."""

from __future__ import annotations

import hashlib

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from scoring.assessment.evidence import replace_evidence, store_evidence
from tests.conftest import client_for
from tests.test_evidence import PDF

BUCKET = "cchc-evidence-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "default_acl": "private",
                "file_overwrite": False,
                "location": "cchc",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_evidence_is_stored_in_the_bucket_and_served_within_scope(
    world, s3_storage, evidence_storage
):
    evidence = store_evidence(
        world.commune_a, SimpleUploadedFile("ke-hoach.pdf", PDF), world.officer_a
    )
    keys = [item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"cchc/{evidence.file.name}"]
    stored = s3_storage.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    assert not any(evidence_storage.rglob("*.pdf"))  # nothing on the local disk
    response = client_for(world.officer_a).get(reverse("evidence_download", args=[evidence.pk]))
    assert response.getvalue() == PDF and response["Content-Disposition"].startswith("attachment")
    assert (
        client_for(world.officer_b)
        .get(reverse("evidence_download", args=[evidence.pk]))
        .status_code
        == 404
    )


def test_replacing_keeps_both_versions_in_the_bucket(world, s3_storage):
    old = store_evidence(world.commune_a, SimpleUploadedFile("ke-hoach.pdf", PDF), world.officer_a)
    new = replace_evidence(
        old, SimpleUploadedFile("ke-hoach-v2.pdf", PDF + b"%v2"), world.officer_a
    )
    assert len(s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]) == 2
    assert old.file.read() == PDF and new.file.read() == PDF + b"%v2"
