"""The Amplify stand-in answers as the Amplify API documents, read back by botocore's own client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

botocore_session = pytest.importorskip("botocore.session", reason="botocore comes with orgscaffold[rehearse]")

from botocore.exceptions import ClientError  # noqa: E402

from orgscaffold.rehearse.amplify import Amplify, is_amplify_request  # noqa: E402


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def amplify() -> Iterator[Any]:
    """A botocore Amplify client talking to the stand-in on a loopback port."""
    server = make_server("127.0.0.1", 0, Amplify(account_of=lambda key: "210987654321"), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = botocore_session.get_session().create_client(
        "amplify",
        region_name="eu-west-2",
        endpoint_url=f"http://127.0.0.1:{server.server_port}",
        aws_access_key_id="AKIAREHEARSAL",
        aws_secret_access_key="secret",
    )
    yield client
    server.shutdown()


def test_an_app_with_its_branch_and_domain_reads_back_as_created(amplify: Any) -> None:
    app = amplify.create_app(
        name="acme-site",
        description="Website",
        repository="https://github.com/acme/site",
        platform="WEB_COMPUTE",
        buildSpec="version: 1\n",
        accessToken="token",
        tags={"owner": "platform"},
    )["app"]
    assert app["appArn"] == f"arn:aws:amplify:eu-west-2:210987654321:apps/{app['appId']}"
    assert amplify.get_app(appId=app["appId"])["app"]["platform"] == "WEB_COMPUTE"
    assert "accessToken" not in amplify.get_app(appId=app["appId"])["app"]
    assert amplify.list_tags_for_resource(resourceArn=app["appArn"])["tags"] == {"owner": "platform"}

    branch = amplify.create_branch(appId=app["appId"], branchName="main", stage="PRODUCTION", enableAutoBuild=True)
    assert branch["branch"]["stage"] == "PRODUCTION"
    assert amplify.get_branch(appId=app["appId"], branchName="main")["branch"]["enableAutoBuild"] is True

    created = amplify.create_domain_association(
        appId=app["appId"],
        domainName="acme.example",
        subDomainSettings=[{"prefix": "", "branchName": "main"}, {"prefix": "www", "branchName": "main"}],
    )["domainAssociation"]
    assert created["domainStatus"] == "PENDING_VERIFICATION"
    read = amplify.get_domain_association(appId=app["appId"], domainName="acme.example")["domainAssociation"]
    # The documented forms the website repository splits: "<name> CNAME <value>" and
    # "<prefix> CNAME <target>" (the prefix is empty for the domain itself).
    name, kind, value = read["certificateVerificationDNSRecord"].split(" ")
    assert name.endswith(".acme.example.") and kind == "CNAME" and value.endswith(".acm-validations.aws.")
    records = {s["subDomainSetting"]["prefix"]: s["dnsRecord"] for s in read["subDomains"]}
    assert records[""].startswith(" CNAME d") and records["www"].startswith("www CNAME d")
    assert records[""].endswith(".cloudfront.net") and records[""].split(" ")[-1] == records["www"].split(" ")[-1]


def test_unknown_apps_and_a_domain_of_two_apps_are_refused_as_amplify_does(amplify: Any) -> None:
    with pytest.raises(ClientError) as missing:
        amplify.get_app(appId="dnothere")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"
    first = amplify.create_app(name="one")["app"]["appId"]
    second = amplify.create_app(name="two")["app"]["appId"]
    setting = [{"prefix": "", "branchName": "main"}]
    amplify.create_domain_association(appId=first, domainName="acme.example", subDomainSettings=setting)
    with pytest.raises(ClientError) as taken:
        amplify.create_domain_association(appId=second, domainName="acme.example", subDomainSettings=setting)
    assert taken.value.response["Error"]["Code"] == "BadRequestException"
    amplify.delete_app(appId=first)
    with pytest.raises(ClientError):
        amplify.get_domain_association(appId=first, domainName="acme.example")


def test_only_requests_signed_for_amplify_are_sent_to_the_stand_in() -> None:
    signed = "AWS4-HMAC-SHA256 Credential=AKIA/20250101/eu-west-2/{}/aws4_request, SignedHeaders=host, Signature=x"
    assert is_amplify_request({"HTTP_AUTHORIZATION": signed.format("amplify")})
    assert not is_amplify_request({"HTTP_AUTHORIZATION": signed.format("s3")})
    assert not is_amplify_request({})
