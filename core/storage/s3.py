"""The S3-compatible object store backend (provincial government clouds; tested against SeaweedFS).

One PUT stores a whole object (S3 never shows half of one). Short timeouts and few retries: an unreachable
store answers the candidate within seconds with StorageUnavailable instead of hanging the request.
"""
from __future__ import annotations

from collections.abc import Iterator

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from core.storage.base import KEY, Storage, StorageUnavailable, check_key


class S3Storage(Storage):
    def __init__(self, endpoint_url: str, bucket: str, access_key: str, secret_key: str, *,
                 region: str = "us-east-1", timeout: float = 5.0) -> None:
        self.bucket = bucket
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            region_name=region, config=BotoConfig(connect_timeout=timeout, read_timeout=timeout,
                                                  retries={"max_attempts": 2},
                                                  s3={"addressing_style": "path"}))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def get(self, key: str) -> bytes | None:
        check_key(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise StorageUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def delete(self, key: str) -> None:
        check_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def keys(self) -> Iterator[tuple[str, float]]:
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for obj in page.get("Contents", []):
                    if KEY.fullmatch(obj["Key"]):
                        yield obj["Key"], obj["LastModified"].timestamp()
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def ensure_bucket(self) -> None:
        """Create the bucket if missing (setup and tests; production buckets are made by the cloud's admin)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except (BotoCoreError, ClientError) as exc:
                raise StorageUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(str(exc)) from exc
