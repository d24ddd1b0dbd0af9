"""The lake's own objects on S3 (and S3-compatible servers): snapshot, manifests, journal,
lease. Single PUTs, conditional PUTs and listings through boto3, each retried (`retry.py`).

A PutObject is atomic: readers see the old object or all of the new one, so the snapshot is
published with one conditional PUT (`If-Match` on the snapshot the run started from, or
`If-None-Match: *` for the first) and the lease is created with `If-None-Match: *`.
Bulk data (the tables) goes through Beam's file systems on the workers; this module never
imports Beam, so `spindrift query s3://…` stays light.

Connection settings: Beam's S3 options of the run (`--s3_endpoint_url`, `--s3_access_key_id`,
… given to `configure`), else the standard AWS environment (`AWS_ENDPOINT_URL`,
`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` …) and boto3's credential chain.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from pipelines.lake import retry

SCHEME = "s3://"
# Conditional-write failures: 412 (the precondition does not hold) and 409 (a concurrent
# conditional write to the same key won).
_CONFLICT_STATUS = frozenset({409, 412})
_LIST_PAGE = 1000


class PreconditionFailed(Exception):
    """A conditional PUT or DELETE lost: the object is not in the state the caller expected."""


def is_s3(path: str) -> bool:
    return path.startswith(SCHEME)


def split(uri: str) -> tuple[str, str]:
    """`s3://bucket/key/…` -> ("bucket", "key/…")."""
    bucket, _, key = uri[len(SCHEME) :].partition("/")
    return bucket, key


@dataclass(frozen=True)
class S3Settings:
    """Where and as whom to reach S3: Beam's `S3Options` fields (None: boto3's defaults)."""

    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    region_name: str | None = None
    verify: str | bool | None = None
    disable_ssl: bool = False

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> S3Settings:
        """From a pipeline's options (`PipelineOptions.get_all_options()`), env for the rest."""
        env = cls.from_env()
        return cls(
            endpoint_url=options.get("s3_endpoint_url") or env.endpoint_url,
            access_key_id=options.get("s3_access_key_id") or env.access_key_id,
            secret_access_key=options.get("s3_secret_access_key") or env.secret_access_key,
            session_token=options.get("s3_session_token") or env.session_token,
            region_name=options.get("s3_region_name") or env.region_name,
            verify=options.get("s3_verify"),
            disable_ssl=bool(options.get("s3_disable_ssl")),
        )

    @classmethod
    def from_env(cls) -> S3Settings:
        env = os.environ.get
        return cls(
            endpoint_url=env("AWS_ENDPOINT_URL_S3") or env("AWS_ENDPOINT_URL"),
            access_key_id=env("AWS_ACCESS_KEY_ID"),
            secret_access_key=env("AWS_SECRET_ACCESS_KEY"),
            session_token=env("AWS_SESSION_TOKEN"),
            region_name=env("AWS_REGION") or env("AWS_DEFAULT_REGION"),
        )

    def beam_args(self) -> list[str]:
        """The same settings as Beam flags (for a worker or a test's command line)."""
        pairs = [
            ("s3_endpoint_url", self.endpoint_url),
            ("s3_access_key_id", self.access_key_id),
            ("s3_secret_access_key", self.secret_access_key),
            ("s3_session_token", self.session_token),
            ("s3_region_name", self.region_name),
        ]
        return [f"--{k}={v}" for k, v in pairs if v]


_configured: S3Settings | None = None
_stores: dict[S3Settings, S3Store] = {}
_stores_lock = threading.Lock()


def configure(settings: S3Settings | None) -> None:
    """Use `settings` for this process's lake objects (the driver calls it with the run's
    Beam options, as Beam's `FileSystems.set_options` does for its file systems)."""
    global _configured
    _configured = settings


def settings() -> S3Settings:
    return _configured if _configured is not None else S3Settings.from_env()


def store() -> S3Store:
    """The client for the current settings (one per settings, shared by threads)."""
    current = settings()
    with _stores_lock:
        if current not in _stores:
            _stores[current] = S3Store(current)
        return _stores[current]


class S3Store:
    """Small-object operations on S3 with conditional writes; every call retried."""

    def __init__(self, settings: S3Settings) -> None:
        import boto3
        from botocore.config import Config

        # botocore's own retries off: `retry.call` is the one layer that retries, with the
        # project's constants, and its final error names the path.
        config = Config(retries={"max_attempts": 1, "mode": "standard"})
        self.settings = settings
        self._client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.endpoint_url,
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=settings.secret_access_key,
            aws_session_token=settings.session_token,
            region_name=settings.region_name,
            verify=settings.verify,
            use_ssl=not settings.disable_ssl,
            config=config,
        )
        from botocore.exceptions import ClientError

        self._client_error = ClientError

    def _status(self, exc: Exception) -> int | None:
        if isinstance(exc, self._client_error):
            return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return None

    def get(self, uri: str) -> tuple[bytes, str] | None:
        """(content, etag) of an object, None when there is none."""
        bucket, key = split(uri)

        def action() -> tuple[bytes, str] | None:
            try:
                response = self._client.get_object(Bucket=bucket, Key=key)
            except self._client_error as exc:
                if self._status(exc) == 404:
                    return None
                raise
            return response["Body"].read(), response["ETag"]

        return retry.call(action, f"reading {uri}")

    def head(self, uri: str) -> dict[str, Any] | None:
        """{'etag', 'size'} of an object, None when there is none."""
        bucket, key = split(uri)

        def action() -> dict[str, Any] | None:
            try:
                response = self._client.head_object(Bucket=bucket, Key=key)
            except self._client_error as exc:
                if self._status(exc) == 404:
                    return None
                raise
            return {"etag": response["ETag"], "size": response["ContentLength"]}

        return retry.call(action, f"checking {uri}")

    def put(
        self, uri: str, body: bytes, *, if_none_match: bool = False, if_match: str | None = None
    ) -> str:
        """Write an object in one PUT; returns its new etag.

        `if_none_match`: only if no object exists; `if_match`: only if its etag is this one.
        Raises PreconditionFailed when the condition does not hold.
        """
        bucket, key = split(uri)
        extra: dict[str, str] = {}
        if if_none_match:
            extra["IfNoneMatch"] = "*"
        if if_match is not None:
            extra["IfMatch"] = if_match

        def action() -> str:
            try:
                response = self._client.put_object(Bucket=bucket, Key=key, Body=body, **extra)
            except self._client_error as exc:
                if extra and self._status(exc) in _CONFLICT_STATUS:
                    raise PreconditionFailed(f"{uri}: {exc}") from None
                raise
            return response["ETag"]

        return retry.call(action, f"writing {uri}")

    def delete(self, uri: str, *, if_match: str | None = None) -> None:
        """Delete an object (no error when it is gone); `if_match`: only if its etag is this."""
        bucket, key = split(uri)
        extra = {"IfMatch": if_match} if if_match is not None else {}

        def action() -> None:
            try:
                self._client.delete_object(Bucket=bucket, Key=key, **extra)
            except self._client_error as exc:
                if extra and self._status(exc) in _CONFLICT_STATUS:
                    raise PreconditionFailed(f"{uri}: {exc}") from None
                if self._status(exc) != 404:
                    raise

        retry.call(action, f"deleting {uri}")

    def list(self, prefix: str, delimiter: bool = False) -> list[str]:
        """URIs of every object under `prefix` (a URI), sorted; with `delimiter`, only the
        names directly under it (objects and common prefixes, without the trailing '/')."""
        bucket, key = split(prefix)
        found: list[str] = []

        def page(token: str | None) -> dict[str, Any]:
            kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": key, "MaxKeys": _LIST_PAGE}
            if delimiter:
                kwargs["Delimiter"] = "/"
            if token:
                kwargs["ContinuationToken"] = token
            return self._client.list_objects_v2(**kwargs)

        token: str | None = None
        while True:
            response = retry.call(lambda t=token: page(t), f"listing {prefix}")
            found.extend(f"{SCHEME}{bucket}/{o['Key']}" for o in response.get("Contents", []))
            found.extend(
                f"{SCHEME}{bucket}/{p['Prefix'].rstrip('/')}"
                for p in response.get("CommonPrefixes", [])
            )
            token = response.get("NextContinuationToken")
            if not response.get("IsTruncated") or not token:
                return sorted(found)

    def delete_many(self, uris: list[str]) -> None:
        for uri in uris:
            self.delete(uri)
