"""The one door to AWS for discover: sessions, clients, paginated read calls, and errors as one line.

Only read calls go through here (the IAM policy in ``docs/discover-policy.json`` lists each of
them; a test compares it with the calls a full discovery makes). Clients retry throttled calls
with botocore's adaptive mode, paginated listings use botocore's paginators, and every AWS or
botocore error becomes a :class:`~orgscaffold.errors.DiscoverError` that the CLI prints as one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from orgscaffold.errors import DiscoverError

Progress = Callable[[str], None]

# Throttled calls (Route 53 allows five requests a second per account) are retried with growing
# back-off; adaptive mode also slows the client down once AWS starts throttling.
# https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html
RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 10}, user_agent_extra="orgscaffold-discover")

POLICY_HINT = "docs/discover.md lists the IAM permissions discover needs"
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
_BAD_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
}


def action(client: Any, operation: str) -> str:
    """The IAM action of an API operation: the service's signing name and the operation's name."""
    model = client.meta.service_model
    return f"{model.signing_name}:{model.operation_model(_operation_name(client, operation)).name}"


def _operation_name(client: Any, method: str) -> str:
    names: dict[str, str] = client.meta.method_to_api_mapping
    return names.get(method, method)


def error_message(exc: Exception, what: str) -> str:
    """One line saying what went wrong reading ``what`` (an IAM action or a description)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        text = str(exc.response.get("Error", {}).get("Message", "")).strip()
        if code in _DENIED:
            return f"access denied to {what} ({POLICY_HINT}): {text}"
        if code in _BAD_CREDENTIALS:
            return f"the AWS credentials were refused ({code}): they are invalid or expired; {text}"
        return f"AWS refused {what}: {code}: {text}"
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return "no AWS credentials found: pass --profile, or set AWS_PROFILE or the AWS_* credential variables"
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return f"{exc} (the profiles are in ~/.aws/config and ~/.aws/credentials)"
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return "no AWS region: pass --region or set one in the profile"
    if isinstance(exc, botocore.exceptions.SSOError | botocore.exceptions.TokenRetrievalError):
        return f"the AWS SSO session cannot be used ({exc}): run `aws sso login` for the profile"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError):
        return f"cannot reach AWS for {what}: {exc}"
    return f"reading {what} failed: {exc}"


def error_code(exc: Exception) -> str:
    """The AWS error code of a ClientError ('' for anything else)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


class Aws:
    """Read-only access to one AWS account through one boto3 session, with cached clients."""

    def __init__(self, session: Any, *, region: str, progress: Progress | None = None) -> None:
        self.session = session
        self.region = region
        self.progress = progress or (lambda message: None)
        self._clients: dict[str, Any] = {}

    @classmethod
    def connect(cls, *, profile: str | None, region: str | None, progress: Progress | None = None) -> Aws:
        """A session for ``profile`` (default: the environment's) in ``region`` (default: the profile's)."""
        try:
            session = boto3.session.Session(profile_name=profile, region_name=region)
        except botocore.exceptions.BotoCoreError as exc:
            raise DiscoverError(error_message(exc, "the AWS profile")) from None
        if not session.region_name:
            raise DiscoverError(error_message(botocore.exceptions.NoRegionError(), "the region"))
        return cls(session, region=session.region_name, progress=progress)

    def client(self, service: str) -> Any:
        """The (cached) client of ``service``, retrying throttled calls."""
        if service not in self._clients:
            try:
                self._clients[service] = self.session.client(service, region_name=self.region, config=RETRIES)
            except botocore.exceptions.BotoCoreError as exc:
                raise DiscoverError(error_message(exc, service)) from None
        return self._clients[service]

    def call(self, service: str, operation: str, *, tolerate: tuple[str, ...] = (), **params: Any) -> dict[str, Any]:
        """One call; the error codes in ``tolerate`` return ``{"Error": code}`` instead of failing."""
        client = self.client(service)
        try:
            response: dict[str, Any] = getattr(client, operation)(**params)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            if error_code(exc) in tolerate:
                return {"Error": error_code(exc)}
            raise DiscoverError(error_message(exc, action(client, operation))) from None
        return response

    def items(self, service: str, operation: str, key: str, *, label: str = "", **params: Any) -> Iterator[Any]:
        """Every item of a listing, page by page (botocore paginators), reporting progress on ``label``."""
        client = self.client(service)
        pages = client.get_paginator(operation).paginate(**params)
        count = 0
        try:
            for number, page in enumerate(pages, start=1):
                found = page.get(key, [])
                count += len(found)
                if label and (number > 1 or page.get("IsTruncated") or page.get("NextToken")):
                    self.progress(f"{label}: {count} read")
                yield from found
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise DiscoverError(error_message(exc, action(client, operation))) from None

    def assume(self, role_arn: str) -> Aws:
        """The same reader in another account, through ``role_arn`` (sts:AssumeRole)."""
        credentials = self.call("sts", "assume_role", RoleArn=role_arn, RoleSessionName="orgscaffold-discover")
        return self.member(credentials["Credentials"])

    def member(self, credentials: dict[str, Any]) -> Aws:
        """A reader with the temporary ``credentials`` of an assumed role (kept in memory only)."""
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
        )
        return type(self)(session, region=self.region, progress=self.progress)
