"""What the emulator cannot serve or does not enforce, as the rehearsal reports it.

The launcher (``launcher.py``) works around each gap listed in :data:`STAND_INS`; the rehearsal
lists every applied resource of those types under "served by a stand-in", with the reason, so
that nothing it did not really rehearse against moto passes unnoticed.
"""

from __future__ import annotations

MOTO_VERSION = "5.2.5"

_SSO_ADMIN = (
    f"moto {MOTO_VERSION} lacks sso-admin's tag, permissions-boundary and provisioning-status calls; "
    "the launcher answers them from memory"
)

# Resource type -> why the launcher, not moto, answers the API calls it needs.
STAND_INS: dict[str, str] = {
    "aws_amplify_app": f"moto {MOTO_VERSION} has no Amplify; served by the launcher's Amplify stand-in",
    "aws_amplify_branch": f"moto {MOTO_VERSION} has no Amplify; served by the launcher's Amplify stand-in",
    "aws_amplify_domain_association": (
        f"moto {MOTO_VERSION} has no Amplify; served by the launcher's Amplify stand-in "
        "(no certificate is issued: the association stays PENDING_VERIFICATION)"
    ),
    "aws_config_configuration_recorder": (
        f"moto {MOTO_VERSION} refuses the empty exclusion list the provider sends when it updates a "
        "recorder; the launcher drops it before moto validates the recording group"
    ),
    "aws_config_organization_conformance_pack": (
        f"moto {MOTO_VERSION} requires a template URI even with an inline template; the launcher "
        "gives it a placeholder, and moto neither reads the template nor deploys its rules"
    ),
    "aws_ssoadmin_permission_set": _SSO_ADMIN,
    "aws_ssoadmin_permissions_boundary_attachment": _SSO_ADMIN,
}

# What no rehearsal against an emulator proves, printed with every report.
NOT_ENFORCED = (
    "IAM authorisation, role trust policies and SCPs are not enforced by the emulator, and it lets "
    "anyone assume any role, existing or not: a missing permission or role, or a denying guardrail, "
    "shows only in AWS",
    "bucket policies are evaluated for state objects only, with aws:SecureTransport true "
    "(AWS clients use TLS; the emulator is reached over plain HTTP on the loopback address)",
    "invitations: the emulator has no handshakes; an invited account joins when the runbook's "
    "invite-account-to-organization line is reached, and accepting is not rehearsed",
    "customer managed policies that permission sets reference are not looked up in the assigned "
    "accounts (AWS refuses the assignment where one is missing; the runbook has them created first)",
)

# Runbook commands the rehearsal does not run, by their first word: why.
NOT_RUN: dict[str, str] = {
    "gh": "GitHub",
    "scripts/set-github-variables.sh": "GitHub",
    "git": "git history and remotes (the rehearsal works on a copy)",
    "aws": "AWS CLI (checks, accepting invitations, customer managed policies)",
    "dig": "public DNS",
}
