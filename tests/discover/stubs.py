"""Recorded AWS responses for discover, served by botocore's Stubber (no network, no credentials).

``Stubbed`` is an :class:`~orgscaffold.discover.aws.Aws` whose clients answer from queues of
responses, each checked against the parameters discover must send. Every API call any client
makes is also recorded through a botocore ``before-call`` event hook (registered first, so it
runs before the Stubber answers), which is what the IAM policy test compares with the policy.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.stub import ANY, Stubber

from orgscaffold.discover.aws import Aws

MANAGEMENT_ID = "111111111111"
ORG_ID = "o-abcdefghij"
ROOT_ID = "r-ab12"
REGION = "eu-west-2"
INSTANCE = "arn:aws:sso:::instance/ssoins-1111111111111111"
STORE = "d-1111111111"
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def session() -> Any:
    return boto3.session.Session(
        aws_access_key_id="AKIDSTUBBEDSTUBBED00", aws_secret_access_key="stubbed-secret", region_name=REGION
    )


class Stubbed(Aws):
    """An Aws reader whose clients are stubbed; ``calls`` collects the IAM action of every API call."""

    def __init__(self, calls: list[str] | None = None, members: dict[str, Stubbed] | None = None) -> None:
        super().__init__(session(), region=REGION)
        self.calls: list[str] = calls if calls is not None else []
        self.members = members or {}
        self.stubbers: dict[str, Stubber] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = super().client(service)
            client.meta.events.register_first("before-call.*.*", self._record)
            self.stubbers[service] = Stubber(client)
            self.stubbers[service].activate()
        return self._clients[service]

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.signing_name}:{model.name}")

    def respond(
        self, service: str, operation: str, response: dict[str, Any], params: dict[str, Any] | None = None
    ) -> Stubbed:
        self.client(service)
        self.stubbers[service].add_response(operation, response, params)
        return self

    def fail(
        self, service: str, operation: str, code: str, message: str = "", params: dict[str, Any] | None = None
    ) -> Stubbed:
        self.client(service)
        self.stubbers[service].add_client_error(operation, code, message, expected_params=params)
        return self

    def member(self, credentials: dict[str, Any]) -> Aws:
        account = credentials["AccessKeyId"].removeprefix("ASIA")
        return self.members[account]

    def assert_all_used(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@contextmanager
def used(aws: Stubbed) -> Iterator[Stubbed]:
    yield aws
    aws.assert_all_used()
    for member in aws.members.values():
        member.assert_all_used()


def rrset(name: str, rtype: str, *values: str, ttl: int = 300, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"Name": name, "Type": rtype, **extra}
    if "AliasTarget" not in extra:
        record["TTL"] = ttl
        record["ResourceRecords"] = [{"Value": v} for v in values]
    return record


def zone_listing(*zones: tuple[str, str], private: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "HostedZones": [
            {
                "Id": f"/hostedzone/{zid}",
                "Name": name,
                "CallerReference": zid,
                "Config": {"PrivateZone": zid in private},
            }
            for zid, name in zones
        ],
        "IsTruncated": False,
        "MaxItems": "100",
        "Marker": "",
    }


def apex(zone: str) -> list[dict[str, Any]]:
    return [
        rrset(zone, "NS", "ns-1.awsdns-01.org.", "ns-2.awsdns-02.co.uk.", ttl=172800),
        rrset(zone, "SOA", "ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400", ttl=900),
    ]


def records_page(records: list[dict[str, Any]], next_name: str | None = None, next_type: str = "A") -> dict[str, Any]:
    page: dict[str, Any] = {"ResourceRecordSets": records, "IsTruncated": next_name is not None, "MaxItems": "300"}
    if next_name is not None:
        page.update(NextRecordName=next_name, NextRecordType=next_type)
    return page


def account(account_id: str, name: str, email: str, status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "Id": account_id,
        "Arn": f"arn:aws:organizations::{MANAGEMENT_ID}:account/{ORG_ID}/{account_id}",
        "Email": email,
        "Name": name,
        "Status": status,
        "JoinedMethod": "CREATED",
        "JoinedTimestamp": NOW,
    }


def unit(unit_id: str, name: str) -> dict[str, Any]:
    return {"Id": unit_id, "Arn": f"arn:aws:organizations::{MANAGEMENT_ID}:ou/{ORG_ID}/{unit_id}", "Name": name}


__all__ = ["ANY", "Stubbed", "used"]
