"""The organisation conformance pack's template, written from the questionnaire's AWS Config rules.

Here, not in the plan, because the questionnaire rules check its size against AWS's limit.
"""

from __future__ import annotations

from typing import Any

import yaml

from orgscaffold.questionnaire.models import Config, Questionnaire

# PutOrganizationConformancePack accepts a TemplateBody of at most 51,200 bytes:
# https://docs.aws.amazon.com/config/latest/APIReference/API_PutOrganizationConformancePack.html
MAX_TEMPLATE_BYTES = 51_200


def has_conformance_pack(config: Config) -> bool:
    """Whether aws-identity-management deploys the organisation conformance pack (AWS Config on, rules given)."""
    return config.enabled and bool(config.rules)


def conformance_pack_template(q: Questionnaire) -> str | None:
    """The organisation conformance pack's template (YAML, as AWS requires), or None without rules.

    One AWS managed rule per questionnaire rule, named after its identifier in lowercase with
    hyphens; parameter values are the questionnaire's text, written by the YAML dumper (the one
    escaping path for this file) and read back unchanged by any YAML parser.
    """
    if not has_conformance_pack(q.security.config):
        return None
    resources: dict[str, Any] = {}
    for rule in q.security.config.rules:
        logical = base = "".join(part.capitalize() for part in rule.identifier.split("_"))
        suffix = 2
        while logical in resources:
            logical, suffix = f"{base}{suffix}", suffix + 1
        properties: dict[str, Any] = {
            "ConfigRuleName": rule.identifier.lower().replace("_", "-"),
            "Source": {"Owner": "AWS", "SourceIdentifier": rule.identifier},
        }
        if rule.parameters:
            properties["InputParameters"] = dict(rule.parameters)
        resources[logical] = {"Type": "AWS::Config::ConfigRule", "Properties": properties}
    return yaml.safe_dump({"Resources": resources}, sort_keys=False, allow_unicode=True, width=2**31 - 1)
