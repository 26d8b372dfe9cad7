"""Discover stage: read an existing AWS account and write the questionnaire that adopts it.

``discover(profile=..., region=...)`` reads the organisation, hosted zones, IAM Identity Center,
the GitHub OIDC provider, AWS Config and CloudTrail of the account of the credentials with
read-only calls, and returns a commented questionnaire that ``orgscaffold check`` accepts. It
never prints: progress goes to the ``progress`` callback. Needs the ``discover`` extra (boto3).
"""

from __future__ import annotations

from orgscaffold.discover.aws import Aws, Progress
from orgscaffold.discover.build import questionnaire_text
from orgscaffold.discover.read import Discovery, read

__all__ = ["Discovery", "discover", "read_account"]


def read_account(
    *,
    profile: str | None = None,
    region: str | None = None,
    member_role: str | None = None,
    progress: Progress | None = None,
) -> Discovery:
    """Read what exists in the account of the credentials (and, through ``member_role``, its members' zones)."""
    return read(Aws.connect(profile=profile, region=region, progress=progress), member_role=member_role)


def discover(
    *,
    profile: str | None = None,
    region: str | None = None,
    member_role: str | None = None,
    progress: Progress | None = None,
) -> str:
    """The commented questionnaire of the account of the credentials; raises DiscoverError for AWS problems."""
    found = read_account(profile=profile, region=region, member_role=member_role, progress=progress)
    if progress:
        progress("writing the questionnaire")
    return questionnaire_text(found)
