"""Small questionnaires of adopted and invited accounts, shared by the runbook and rehearsal tests."""

from __future__ import annotations

from orgscaffold.questionnaire import Questionnaire, parse_questionnaire_text

HEADER = """\
schema_version: 1
client: {name: Acme, slug: acme, primary_region: eu-west-2}
github: {owner: acme}
"""

# An existing account, outside any organisation, invited into the one the deployment creates.
INVITED = """\
organization:
  management_account: {name: Acme Management, email: aws@acme.example}
  accounts:
    - {key: old, name: Acme Old, email: aws+old@acme.example, id: '444455556666', invite: true}
"""

# The same with a hosted zone adopted in the invited account and a second, created account.
INVITED_WITH_ZONE = """\
organization:
  management_account: {name: Acme Management, email: aws@acme.example}
  accounts:
    - {key: dns, name: Acme DNS, email: aws+dns@acme.example, purpose: dns, id: '555566667777', invite: true}
    - {key: web, name: Acme Web, email: aws+web@acme.example, purpose: website}
dns:
  zones:
    - domain: acme.example
      existing_zone_id: Z0123456789ABCDEFGHIJ
      records:
        - {name: "@", type: MX, values: ["10 mx1.mail.example"]}
        - {name: www, type: CNAME, values: [acme.example]}
"""


def questionnaire(body: str) -> Questionnaire:
    """A valid questionnaire: the common header, then ``body``."""
    return parse_questionnaire_text(HEADER + body, source="test.yaml")
