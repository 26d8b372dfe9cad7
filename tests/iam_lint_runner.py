"""Run parliament and cloudsplaining over IAM policy documents (in their own virtual environment).

Reads ``{"<document id>": {"kind": "identity"|"resource"|"trust", "document": {...}}}`` as JSON on
standard input and prints one finding per line as JSON: ``[document id, tool, finding, detail]``.
Not a test module: tests/test_iam_lint.py runs it with the linters' Python.
"""

from __future__ import annotations

import json
import sys

from cloudsplaining.scan.policy_document import PolicyDocument
from parliament import analyze_policy_string


def main() -> None:
    documents = json.load(sys.stdin)
    for name, item in sorted(documents.items()):
        text = json.dumps(item["document"])
        # Trust policies are not permission policies: parliament reads every statement as one.
        if item["kind"] != "trust":
            for finding in analyze_policy_string(text, include_community_auditors=True).findings:
                detail = finding.detail
                detail = detail if isinstance(detail, str) else json.dumps(detail, sort_keys=True)
                print(json.dumps([name, "parliament", finding.issue, detail]))
        if item["kind"] == "identity":
            scanned = PolicyDocument(item["document"])
            checks = {
                "PrivilegeEscalation": [str(p) for p in scanned.allows_privilege_escalation],
                "DataExfiltration": scanned.allows_data_exfiltration_actions,
                "ResourceExposure": scanned.permissions_management_without_constraints,
                "InfrastructureModification": scanned.infrastructure_modification,
            }
            for kind, actions in checks.items():
                for action in actions:
                    print(json.dumps([name, "cloudsplaining", kind, action]))


if __name__ == "__main__":
    main()
