"""A minimal stand-in for the AWS Amplify API, which moto 5.2.5 does not emulate at all.

It serves the operations the hashicorp/aws provider calls for ``aws_amplify_app``,
``aws_amplify_branch`` and ``aws_amplify_domain_association`` (create, read, update, delete and
tags), routed by the request paths of botocore's Amplify service model, and answers with the
documented response shapes (https://docs.aws.amazon.com/amplify/latest/APIReference/): stored
arguments echoed back, documented defaults for the rest. A domain association is
``PENDING_VERIFICATION`` at once, with its certificate validation record as
``"<name> CNAME <value>"`` and each subdomain's routing record as ``"<prefix> CNAME <target>"``.

What this proves: the generated code drives the Amplify API with valid requests and turns its
documented answers into DNS records that converge. What it cannot prove: anything Amplify itself
decides (GitHub access, builds, certificate issuance, quotas). The rehearsal reports every Amplify
resource as served by this stand-in.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

import botocore.session

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
Json = dict[str, Any]

CLOUDFRONT_SUFFIX = ".cloudfront.net"


class NotFound(Exception):
    """The app, branch or domain association does not exist (Amplify's NotFoundException)."""


class BadRequest(Exception):
    """The request conflicts with what exists (Amplify's BadRequestException)."""


def _routes() -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operation) of every Amplify operation, from botocore's model."""
    model = botocore.session.get_session().get_service_model("amplify")
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = http["requestUri"].split("?")[0]
        # An ARN label holds "/" (apps/<id>/branches/<name>); every other label is one segment.
        pattern = re.sub(
            r"\\\{(\w+)\\\}",
            lambda label: f"(?P<{label[1]}>{'.+' if label[1].endswith('Arn') else '[^/]+'})",
            re.escape(path),
        )
        routes.append((http["method"], re.compile(f"^{pattern}$"), name))
    return routes


def _digest(*parts: str, size: int = 13) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:size]


class Amplify:
    """In-memory apps, branches and domain associations of every account and region."""

    def __init__(self, account_of: Callable[[str], str] | None = None) -> None:
        # The account of an access key: moto's mapping in the launcher, any function in tests.
        self._account_of = account_of or _moto_account
        self._lock = threading.Lock()
        self._routes = _routes()
        self.apps: dict[str, Json] = {}
        self.branches: dict[tuple[str, str], Json] = {}
        self.domains: dict[tuple[str, str], Json] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.handlers: dict[str, Callable[[str, str, dict[str, str], Json, dict[str, list[str]]], Json]] = {
            "CreateApp": self._create_app,
            "GetApp": self._get_app,
            "UpdateApp": self._update_app,
            "DeleteApp": self._delete_app,
            "CreateBranch": self._create_branch,
            "GetBranch": self._get_branch,
            "UpdateBranch": self._update_branch,
            "DeleteBranch": self._delete_branch,
            "CreateDomainAssociation": self._create_domain,
            "GetDomainAssociation": self._get_domain,
            "UpdateDomainAssociation": self._update_domain,
            "DeleteDomainAssociation": self._delete_domain,
            "TagResource": self._tag,
            "UntagResource": self._untag,
            "ListTagsForResource": self._list_tags,
        }

    # ------------------------------------------------------------------------------------- WSGI

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(size) if size else b""
        body = json.loads(raw) if raw.strip() else {}
        query = parse_qs(environ.get("QUERY_STRING", ""))
        access_key, region = _credential_scope(environ)
        account = self._account_of(access_key)
        for route_method, pattern, operation in self._routes:
            match = pattern.match(path)
            if route_method == method and match:
                handler = self.handlers.get(operation)
                if handler is None:
                    return _reply(start_response, 400, _error("BadRequestException", f"{operation} is not served"))
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                try:
                    with self._lock:
                        result = handler(account, region, params, body, query)
                except NotFound as exc:
                    return _reply(start_response, 404, _error("NotFoundException", str(exc)))
                except BadRequest as exc:
                    return _reply(start_response, 400, _error("BadRequestException", str(exc)))
                return _reply(start_response, 200, result)
        return _reply(start_response, 404, _error("NotFoundException", f"no Amplify operation for {method} {path}"))

    # -------------------------------------------------------------------------------------- apps

    def _app(self, app_id: str) -> Json:
        if app_id not in self.apps:
            raise NotFound(f"App {app_id} not found.")
        return self.apps[app_id]

    def _with_tags(self, item: Json, arn_key: str) -> Json:
        return {**item, "tags": dict(self.tags.get(item[arn_key], {}))}

    def _create_app(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        app_id = "d" + _digest(account, region, body["name"], str(len(self.apps)))
        now = time.time()
        app = {
            "appId": app_id,
            "appArn": f"arn:aws:amplify:{region}:{account}:apps/{app_id}",
            "name": body["name"],
            "description": body.get("description", ""),
            "repository": body.get("repository", ""),
            "platform": body.get("platform", "WEB"),
            "createTime": now,
            "updateTime": now,
            "environmentVariables": body.get("environmentVariables", {}),
            "defaultDomain": f"{app_id}.amplifyapp.com",
            "enableBranchAutoBuild": body.get("enableBranchAutoBuild", False),
            "enableBranchAutoDeletion": body.get("enableBranchAutoDeletion", False),
            "enableBasicAuth": body.get("enableBasicAuth", False),
            "enableAutoBranchCreation": body.get("enableAutoBranchCreation", False),
            "customRules": body.get("customRules", []),
            "buildSpec": body.get("buildSpec", ""),
            "cacheConfig": body.get("cacheConfig", {"type": "AMPLIFY_MANAGED_NO_COOKIES"}),
            # The GitHub token is used to connect the repository and never returned.
            "repositoryCloneMethod": "TOKEN" if body.get("accessToken") else "SIGV4",
        }
        for optional in ("iamServiceRoleArn", "computeRoleArn", "customHeaders", "basicAuthCredentials"):
            if optional in body:
                app[optional] = body[optional]
        self.apps[app_id] = app
        self.tags[app["appArn"]] = dict(body.get("tags", {}))
        return {"app": self._with_tags(app, "appArn")}

    def _get_app(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        return {"app": self._with_tags(self._app(params["appId"]), "appArn")}

    def _update_app(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        app = self._app(params["appId"])
        app.update({k: v for k, v in body.items() if k in app or k in ("iamServiceRoleArn", "customHeaders")})
        app["updateTime"] = time.time()
        return {"app": self._with_tags(app, "appArn")}

    def _delete_app(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        app = self._app(params["appId"])
        del self.apps[params["appId"]]
        for key in [k for k in self.branches if k[0] == params["appId"]]:
            del self.branches[key]
        for key in [k for k in self.domains if k[0] == params["appId"]]:
            del self.domains[key]
        return {"app": app}

    # ---------------------------------------------------------------------------------- branches

    def _branch(self, app_id: str, name: str) -> Json:
        self._app(app_id)
        if (app_id, name) not in self.branches:
            raise NotFound(f"Branch {name} not found.")
        return self.branches[(app_id, name)]

    def _create_branch(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        app = self._app(params["appId"])
        name = body["branchName"]
        now = time.time()
        branch = {
            "branchArn": f"{app['appArn']}/branches/{name}",
            "branchName": name,
            "description": body.get("description", ""),
            "stage": body.get("stage", "NONE"),
            "displayName": body.get("displayName", name.replace("/", "-")),
            "enableNotification": body.get("enableNotification", False),
            "createTime": now,
            "updateTime": now,
            "environmentVariables": body.get("environmentVariables", {}),
            "enableAutoBuild": body.get("enableAutoBuild", True),
            "customDomains": [],
            "framework": body.get("framework", ""),
            "activeJobId": "0",
            "totalNumberOfJobs": "0",
            "enableBasicAuth": body.get("enableBasicAuth", False),
            "enablePerformanceMode": body.get("enablePerformanceMode", False),
            "ttl": body.get("ttl", "5"),
            "enablePullRequestPreview": body.get("enablePullRequestPreview", False),
        }
        for optional in ("pullRequestEnvironmentName", "backendEnvironmentArn", "basicAuthCredentials", "buildSpec"):
            if optional in body:
                branch[optional] = body[optional]
        self.branches[(app["appId"], name)] = branch
        self.tags[branch["branchArn"]] = dict(body.get("tags", {}))
        return {"branch": self._with_tags(branch, "branchArn")}

    def _get_branch(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        return {"branch": self._with_tags(self._branch(params["appId"], params["branchName"]), "branchArn")}

    def _update_branch(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        branch = self._branch(params["appId"], params["branchName"])
        branch.update({k: v for k, v in body.items() if k != "branchName"})
        branch["updateTime"] = time.time()
        return {"branch": self._with_tags(branch, "branchArn")}

    def _delete_branch(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        branch = self._branch(params["appId"], params["branchName"])
        del self.branches[(params["appId"], params["branchName"])]
        return {"branch": branch}

    # ------------------------------------------------------------------------- domain associations

    def _domain(self, app_id: str, name: str) -> Json:
        self._app(app_id)
        if (app_id, name) not in self.domains:
            raise NotFound(f"Domain association {name} not found.")
        return self.domains[(app_id, name)]

    def _sub_domains(self, app_id: str, domain: str, settings: list[Json]) -> list[Json]:
        target = f"d{_digest(app_id, domain)}{CLOUDFRONT_SUFFIX}"
        return [
            {"subDomainSetting": setting, "verified": False, "dnsRecord": f"{setting['prefix']} CNAME {target}"}
            for setting in settings
        ]

    def _create_domain(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        app = self._app(params["appId"])
        domain = body["domainName"]
        for _, other_domain in self.domains:
            if other_domain == domain:
                raise BadRequest(
                    f"One or more domains requested are already associated with another Amplify app: {domain}"
                )
        validation = f"_{_digest(app['appId'], domain, size=32)}.acm-validations.aws."
        record = f"_{_digest(domain, size=32)}.{domain}. CNAME {validation}"
        association = {
            "domainAssociationArn": f"{app['appArn']}/domains/{domain}",
            "domainName": domain,
            "enableAutoSubDomain": body.get("enableAutoSubDomain", False),
            "domainStatus": "PENDING_VERIFICATION",
            "statusReason": "",
            "certificateVerificationDNSRecord": record,
            "subDomains": self._sub_domains(app["appId"], domain, body.get("subDomainSettings", [])),
            "certificate": {"type": "AMPLIFY_MANAGED", "certificateVerificationDNSRecord": record},
        }
        self.domains[(app["appId"], domain)] = association
        return {"domainAssociation": association}

    def _get_domain(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        return {"domainAssociation": self._domain(params["appId"], params["domainName"])}

    def _update_domain(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        association = self._domain(params["appId"], params["domainName"])
        if "subDomainSettings" in body:
            association["subDomains"] = self._sub_domains(
                params["appId"], params["domainName"], body["subDomainSettings"]
            )
        if "enableAutoSubDomain" in body:
            association["enableAutoSubDomain"] = body["enableAutoSubDomain"]
        return {"domainAssociation": association}

    def _delete_domain(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        association = self._domain(params["appId"], params["domainName"])
        del self.domains[(params["appId"], params["domainName"])]
        return {"domainAssociation": association}

    # -------------------------------------------------------------------------------------- tags

    def _tag(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        self.tags.setdefault(params["resourceArn"], {}).update(body.get("tags", {}))
        return {}

    def _untag(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        tags = self.tags.setdefault(params["resourceArn"], {})
        for key in query.get("tagKeys", []):
            tags.pop(key, None)
        return {}

    def _list_tags(self, account: str, region: str, params: dict[str, str], body: Json, query: Any) -> Json:
        return {"tags": dict(self.tags.get(params["resourceArn"], {}))}


def _moto_account(access_key: str) -> str:
    from moto.iam.models import get_account_id_from

    return str(get_account_id_from(access_key))


def _credential_scope(environ: Environ) -> tuple[str, str]:
    """The access key and region a SigV4 request is signed with."""
    scope = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    return (scope[0], scope[2]) if len(scope) >= 3 else ("", "us-east-1")


def _error(code: str, message: str) -> Json:
    return {"__type": code, "message": message}


def _reply(start_response: StartResponse, status: int, payload: Json) -> list[bytes]:
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found"}
    data = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    if "__type" in payload:
        headers.append(("x-amzn-ErrorType", payload["__type"]))
    start_response(f"{status} {reasons[status]}", headers)
    return [data]


def is_amplify_request(environ: Environ) -> bool:
    """Whether a request is signed for the Amplify service (SigV4 credential scope)."""
    scope = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    return len(scope) >= 4 and scope[3] == "amplify"
