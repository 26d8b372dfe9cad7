"""Names derived from the questionnaire, decided once so every repository agrees on them."""

from __future__ import annotations

from functools import cached_property

from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.guardrails import BREAK_GLASS_ROLE, DEPLOY_ROLE, READONLY_ROLE


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
        """The shared state bucket."""
        if self.q.state.bucket:
            return self.q.state.bucket
        suffix = self.q.organization.management_account.id or "mgmt"
        return f"{self.slug}-tofu-state-{suffix}"

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
    def state(self) -> dict[str, str | None]:
        """Where and how every repository keeps its state (the same in every repository)."""
        return {
            "bucket": self.state_bucket,
            "region": self.state_region,
            "locking": self.q.state.locking,
            "dynamodb_table": self.lock_table,
            "encryption": self.q.state.encryption,
            "kms_key_alias": self.state_kms_alias,
        }

    @cached_property
    def roles(self) -> dict[str, str]:
        """IAM role names: CI roles in the management account and deployment roles in members."""
        roles = {
            "deploy": DEPLOY_ROLE.format(slug=self.slug),
            "readonly": READONLY_ROLE.format(slug=self.slug),
            "break_glass": BREAK_GLASS_ROLE,
        }
        for key in ("bootstrap", "identity", "dns", "website"):
            roles[f"{key}_plan"] = f"{self.slug}-{key}-plan"
            roles[f"{key}_apply"] = f"{self.slug}-{key}-apply"
        return roles
