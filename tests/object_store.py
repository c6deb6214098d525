"""A real S3 endpoint for the tests: moto's standalone server on 127.0.0.1, started by the tests.

The server speaks S3's HTTP API (signatures, ACLs, multipart uploads) from memory; the portal
talks to it with the same client and settings as to any S3-compatible store (decision 0030).
"""

import os
import sys
import urllib.request
import uuid
from pathlib import Path

import boto3

from .workers import free_port, started, stop, wait_for

BACKEND = "portal.object_storage.PrivateObjectStorage"


class S3Server:
    region = "eu-west-1"
    access_key = "portal-test-key"
    secret_key = "portal-test-secret"

    def __init__(self, folder: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = folder / "s3-server.log"
        environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        self.process = started(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=folder,
            env=environment,
            log=self.log,
        )
        try:
            wait_for(self._answers, timeout=60, message="the S3 server")
        except AssertionError:
            self.stop()
            raise AssertionError(self.log.read_text(errors="replace")) from None

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the S3 server stopped: {self.log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        stop(self.process)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def new_bucket(self) -> str:
        name = f"portal-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        return name

    def options(self, bucket: str, prefix: str = "") -> dict:
        """The storage's OPTIONS, as portal/settings/base.py makes them from the environment."""
        return {
            "bucket_name": bucket,
            "endpoint_url": self.endpoint,
            "region_name": self.region,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "addressing_style": "path",
            "location": prefix,
        }

    def environment(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """What a process of the portal is given to keep its private files in the bucket."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": self.region,
            "S3_ACCESS_KEY_ID": self.access_key,
            "S3_SECRET_ACCESS_KEY": self.secret_key,
            "S3_ADDRESSING_STYLE": "path",
            "S3_PREFIX": prefix,
        }


class Bucket:
    """One test's place in the store: a bucket and a prefix of its own."""

    def __init__(self, server: S3Server, name: str, prefix: str):
        self.server, self.name, self.prefix = server, name, prefix

    def names(self) -> list[str]:
        """Every object's name below the prefix, without it."""
        pages = self.server.client().get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=self.prefix)
        return sorted(
            item["Key"].removeprefix(f"{self.prefix}/") for page in pages for item in page.get("Contents", [])
        )

    def read(self, name: str) -> bytes:
        return self.server.client().get_object(Bucket=self.name, Key=f"{self.prefix}/{name}")["Body"].read()

    def url(self, name: str) -> str:
        return f"{self.server.endpoint}/{self.name}/{self.prefix}/{name}"

    def storage_setting(self) -> dict:
        return {"BACKEND": BACKEND, "OPTIONS": self.server.options(self.name, self.prefix)}
