"""What exists in AWS before the first apply, read from the client's data in the generated repositories.

An adopted questionnaire imports an organisation, accounts and hosted zones that already exist;
the emulator must hold them, with the questionnaire's ids, before the first plan. Everything here
comes from the answers the repositories were rendered with (the questionnaire's data), so the
rehearsal needs nothing but the folder of repositories.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# The management account id used when the questionnaire does not know it yet (moto's default
# account, so that nothing else needs to change in the emulator).
DEFAULT_MANAGEMENT_ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class SeedAccount:
    """An existing member account: in the organisation already, or outside it until it is invited."""

    key: str
    id: str
    name: str
    email: str
    member: bool


@dataclass(frozen=True)
class SeedZone:
    """An existing public hosted zone, in an existing account."""

    domain: str
    zone_id: str
    account_id: str


@dataclass(frozen=True)
class Seed:
    """Everything to create in the emulator before the first command of the runbook."""

    region: str
    management_account_id: str
    organization_id: str | None
    accounts: tuple[SeedAccount, ...] = ()
    zones: tuple[SeedZone, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON document the launcher reads."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Seed:
        """The inverse of :meth:`as_dict`."""
        return cls(
            region=data["region"],
            management_account_id=data["management_account_id"],
            organization_id=data["organization_id"],
            accounts=tuple(SeedAccount(**a) for a in data["accounts"]),
            zones=tuple(SeedZone(**z) for z in data["zones"]),
        )


def seed_from_answers(bootstrap: dict[str, Any], dns: dict[str, Any] | None) -> Seed:
    """The seed of a deployment, from the answers of its bootstrap and (when rendered) DNS repositories.

    An adopted account is a member from the start only when the organisation already exists and the
    account is not marked to join by invitation; an invited one joins when the runbook invites it.
    A zone is seeded only in an account that exists (has an id): anywhere else the import must fail
    in AWS too, and the rehearsal shows that failure.
    """
    settings = bootstrap["settings"]
    tfvars = bootstrap["tfvars"]
    organization = tfvars["organization"]
    existing = organization.get("existing_id")
    runbook = settings.get("handover", {}).get("runbook", {})
    invited = {a["key"] for a in runbook.get("invited_accounts", [])}
    accounts = tuple(
        SeedAccount(
            key=key,
            id=account["id"],
            name=account["name"],
            email=account["email"],
            member=existing is not None and key not in invited,
        )
        for key, account in tfvars["accounts"].items()
        if account.get("id")
    )
    ids = {a.key: a.id for a in accounts}
    zones: list[SeedZone] = []
    if dns is not None:
        for domain, zone in dns["tfvars"]["zones"].items():
            if zone.get("existing_zone_id") and zone["account"] in ids:
                zones.append(SeedZone(domain=domain, zone_id=zone["existing_zone_id"], account_id=ids[zone["account"]]))
    return Seed(
        region=settings["region"],
        management_account_id=organization["management_account"].get("id") or DEFAULT_MANAGEMENT_ACCOUNT_ID,
        organization_id=existing,
        accounts=accounts,
        zones=tuple(zones),
    )
