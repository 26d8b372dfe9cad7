"""Names derived from the questionnaire, decided once so every repository agrees on them."""

from __future__ import annotations

from functools import cached_property

from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.guardrails import BREAK_GLASS_ROLE, DEPLOY_ROLE, READONLY_ROLE, member_role

# The suffix of a state bucket name that ``orgscaffold new`` has not fixed yet (runbook and report
# printed from a questionnaire alone): twelve characters, like the suffixes it stands for.
BUCKET_SUFFIX_PLACEHOLDER = "xxxxxxxxxxxx"


class Names:
    """Resource and repository names of one client."""

    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.slug = q.client.slug

    def repository(self, key: str) -> str:
        """GitHub repository name of a repository key (bootstrap, identity, dns, website)."""
        return str(getattr(self.q.github.repositories, key))

    def state_key(self, key: str) -> str:
        """State object key of a repository: one key per repository in the shared bucket."""
        return f"{self.repository(key)}/terraform.tfstate"

    @cached_property
    def state_bucket(self) -> str:
        """The shared state bucket: ``state.bucket``, else ``<slug>-tofu-state-<management account id>``.

        Without either, ``orgscaffold new`` fixes a random suffix and records the name in the
        answers (:func:`orgscaffold.plan.state_bucket.resolve_state_bucket`); a questionnaire planned
        on its own shows :data:`BUCKET_SUFFIX_PLACEHOLDER` in its place.
        """
        if self.q.state.bucket:
            return self.q.state.bucket
        suffix = self.q.organization.management_account.id or BUCKET_SUFFIX_PLACEHOLDER
        return f"{self.slug}-tofu-state-{suffix}"

    def plans_prefix(self, key: str) -> str:
        """Key prefix of the saved plans a repository's apply workflow hands from its plan job to its apply job."""
        return f"plans/{self.repository(key)}/"

    def state_kms_key_alias(self, key: str) -> str:
        """Alias of the KMS key that encrypts one repository's state (``state.encryption: kms``).

        aws-bootstrap keeps the bucket's default key; every other repository has its own, so that
        the right to decrypt a state follows the right to read it.
        """
        return self.state_kms_alias if key == "bootstrap" else f"{self.state_kms_alias}-{key}"

    @cached_property
    def state_region(self) -> str:
        """Region of the state bucket."""
        return self.q.state.region or self.q.client.primary_region

    @cached_property
    def lock_table(self) -> str:
        """DynamoDB lock table name (used when locking is dynamodb or both)."""
        return self.q.state.dynamodb_table or f"{self.slug}-tofu-locks"

    @cached_property
    def state_kms_alias(self) -> str:
        """Alias of the KMS key that encrypts state."""
        return f"alias/{self.slug}-tofu-state"

    @property
    def state(self) -> dict[str, object]:
        """Where and how every repository keeps its state (the same in every repository).

        ``kms_key_alias`` is the bucket's default key (aws-bootstrap's state); ``kms_key_aliases``
        names each repository's own key.
        """
        keys = [key for key in ("bootstrap", "identity", "dns", "website") if key != "website" or self.q.website.apps]
        return {
            "bucket": self.state_bucket,
            "region": self.state_region,
            "locking": self.q.state.locking,
            "dynamodb_table": self.lock_table,
            "encryption": self.q.state.encryption,
            "kms_key_alias": self.state_kms_alias,
            "kms_key_aliases": {key: self.state_kms_key_alias(key) for key in keys},
        }

    @cached_property
    def roles(self) -> dict[str, str]:
        """IAM role names.

        ``<key>_plan`` and ``<key>_apply``: each repository's CI roles in the management account.
        ``<key>_read`` and ``<key>_deploy``: the roles those CI roles assume in member accounts (the
        DNS and website repositories; aws-identity-management reads through ``identity_read`` and
        writes through ``break_glass``). ``readonly`` and ``deploy`` name the shared member roles
        of releases up to 0.1.0, kept so that those releases' templates still render these answers.
        """
        roles = {
            "deploy": DEPLOY_ROLE.format(slug=self.slug),
            "readonly": READONLY_ROLE.format(slug=self.slug),
            "break_glass": BREAK_GLASS_ROLE,
        }
        for key in ("bootstrap", "identity", "dns", "website"):
            roles[f"{key}_plan"] = f"{self.slug}-{key}-plan"
            roles[f"{key}_apply"] = f"{self.slug}-{key}-apply"
        roles["identity_read"] = member_role(self.slug, "identity", "read")
        for key in ("dns", "website"):
            roles[f"{key}_read"] = member_role(self.slug, key, "read")
            roles[f"{key}_deploy"] = member_role(self.slug, key, "deploy")
        return roles
