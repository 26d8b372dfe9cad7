"""Generate large, valid client questionnaires for the benchmarks.

    python benchmarks/generate.py --accounts 100 --users 500 --zones 20 --records 100 -o /tmp/large.yaml

The client looks like a real large one: a management account, a DNS account, a website account
and workload accounts spread over an OU tree; users in one or two groups each; permission sets
assigned to groups across every member account; zones with MX, SPF, DMARC, A, AAAA, CNAME, TXT,
CAA and SRV records; one website. Every value is deterministic, so two runs give the same file.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

OUS = [
    {"name": "Infrastructure"},
    {"name": "Security"},
    {"name": "Workloads", "children": [{"name": "Production"}, {"name": "Staging"}]},
    {"name": "Sandbox"},
]
WORKLOAD_OUS = ["Workloads/Production", "Workloads/Staging", "Sandbox", "Security"]
MANAGED_POLICIES = [
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/job-function/Billing",
    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
]


@dataclass(frozen=True)
class Size:
    """How large a generated client is."""

    accounts: int = 100
    users: int = 500
    groups: int = 20
    permission_sets: int = 10
    zones: int = 20
    records: int = 100

    def scaled(self, factor: float) -> Size:
        """This client ``factor`` times as large: every count multiplied but two (at least one of each).

        Records per zone and permission sets stay: more zones make more records, and more accounts
        make more assignments. Every permission set is assigned in every member account, so
        multiplying both would multiply the assignments (AWS resources, data rows) by the square:
        a client with twice the accounts and people does not invent twice the job functions.
        """
        return Size(
            accounts=max(2, round(self.accounts * factor)),
            users=max(1, round(self.users * factor)),
            groups=max(1, round(self.groups * factor)),
            permission_sets=self.permission_sets,
            zones=max(1, round(self.zones * factor)),
            records=self.records,
        )

    @property
    def label(self) -> str:
        """A short name such as ``a100-u500-z20x100``."""
        return f"a{self.accounts}-u{self.users}-g{self.groups}-p{self.permission_sets}-z{self.zones}x{self.records}"


def _accounts(count: int) -> list[dict[str, Any]]:
    """``count`` member accounts: one for DNS, one for the website, the rest workloads."""
    accounts: list[dict[str, Any]] = [
        {"key": "dns", "name": "Bench DNS", "email": "aws+dns@bench.example", "ou": "Infrastructure", "purpose": "dns"},
        {
            "key": "website-prod",
            "name": "Bench Website Production",
            "email": "aws+website@bench.example",
            "ou": "Workloads/Production",
            "purpose": "website",
        },
    ]
    for index in range(count - len(accounts)):
        accounts.append(
            {
                "key": f"workload-{index:04d}",
                "name": f"Bench Workload {index:04d}",
                "email": f"aws+workload-{index:04d}@bench.example",
                "ou": WORKLOAD_OUS[index % len(WORKLOAD_OUS)],
            }
        )
    return accounts[:count]


def _identity(size: Size) -> dict[str, Any]:
    groups = [{"name": f"Team{index:03d}", "description": f"Team {index} — ops & dev"} for index in range(size.groups)]
    users = []
    for index in range(size.users):
        member_of = sorted({groups[index % size.groups]["name"], groups[(index * 7 + 3) % size.groups]["name"]})
        users.append(
            {
                "user_name": f"user.{index:05d}",
                "given_name": f"Given{index}",
                "family_name": f"Family-Ñame {index}",
                "email": f"user.{index:05d}@bench.example",
                "groups": member_of,
            }
        )
    permission_sets = [
        {
            "name": f"Access{index:03d}",
            "description": f"Permission set {index}",
            "session_duration": f"PT{1 + index % 12}H",
            "managed_policies": [MANAGED_POLICIES[index % len(MANAGED_POLICIES)]],
        }
        for index in range(size.permission_sets)
    ]
    # Each permission set goes to two groups in every member account, the first also to management.
    assignments = [
        {
            "permission_set": permission_set["name"],
            "groups": sorted({groups[index % size.groups]["name"], groups[(index + 1) % size.groups]["name"]}),
            "accounts": ["management", "*"] if index == 0 else ["*"],
        }
        for index, permission_set in enumerate(permission_sets)
    ]
    return {"groups": groups, "users": users, "permission_sets": permission_sets, "assignments": assignments}


def _record(index: int) -> dict[str, Any]:
    """The ``index``-th record of a zone (index >= 3); names are unique per (name, type)."""
    kind = index % 8
    if kind == 0:
        return {"name": f"v6-{index}", "type": "AAAA", "values": [f"2001:db8::{index:x}"]}
    if kind == 1:
        return {"name": f"alias-{index}", "type": "CNAME", "values": [f"target-{index}.cdn.example"]}
    if kind == 2:
        return {"name": f"txt-{index}", "type": "TXT", "values": [f'verification={index:08d} "quoted" ${{literal}}']}
    if kind == 3:
        return {"name": f"_sip._tcp.svc-{index}", "type": "SRV", "values": [f"10 5 5060 sip-{index}.bench.example"]}
    return {
        "name": f"host-{index}",
        "type": "A",
        "ttl": 300 + index,
        "values": [f"198.51.{index // 250}.{index % 250}"],
    }


def _zones(size: Size) -> list[dict[str, Any]]:
    zones = []
    for zone_index in range(size.zones):
        domain = f"zone{zone_index:03d}.bench.example"
        fixed: list[dict[str, Any]] = [
            {"name": "@", "type": "MX", "ttl": 3600, "values": ["10 mx1.mail.example", "20 mx2.mail.example"]},
            {"name": "@", "type": "TXT", "values": ["v=spf1 include:_spf.mail.example -all"]},
            {"name": "_dmarc", "type": "TXT", "values": [f"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}"]},
            {"name": "@", "type": "CAA", "values": ['0 issue "amazon.com"']},
        ]
        records = fixed + [_record(index) for index in range(len(fixed), size.records)]
        zones.append({"domain": domain, "records": records[: size.records]})
    return zones


def questionnaire(size: Size) -> dict[str, Any]:
    """A valid questionnaire (as plain data) of the given size."""
    zones = _zones(size)
    return {
        "schema_version": 1,
        "client": {"name": "Bench Client Ltd — scale test", "slug": "bench", "primary_region": "eu-west-2"},
        "github": {"owner": "bench-client"},
        "organization": {
            "management_account": {"name": "Bench Management", "email": "aws@bench.example"},
            "organizational_units": OUS,
            "accounts": _accounts(size.accounts),
        },
        "identity": _identity(size),
        "dns": {"zones": zones},
        "website": {
            "apps": [
                {
                    "name": "bench-site",
                    "account": "website-prod",
                    "repository": "https://github.com/bench-client/website",
                    "branch": "main",
                    "platform": "WEB",
                    "domain": zones[0]["domain"],
                    "subdomains": ["", "www"],
                }
            ]
        },
    }


def write(path: Path, size: Size) -> Path:
    """Write the questionnaire of ``size`` to ``path`` as YAML; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(questionnaire(size), sort_keys=False, allow_unicode=True, width=1000)
    path.write_text(f"# Generated by benchmarks/generate.py ({size.label}).\n{text}", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: write one generated questionnaire."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    defaults = Size()
    for name in ("accounts", "users", "groups", "permission_sets", "zones", "records"):
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=int, default=getattr(defaults, name), help=f"default {getattr(defaults, name)}")
    parser.add_argument("-o", "--output", type=Path, required=True, help="YAML file to write")
    args = parser.parse_args(argv)
    size = Size(args.accounts, args.users, args.groups, args.permission_sets, args.zones, args.records)
    print(write(args.output, size))


if __name__ == "__main__":
    main()
