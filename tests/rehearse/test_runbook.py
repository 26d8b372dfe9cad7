"""The runbook's shell blocks read as commands, each with its repository and step."""

from __future__ import annotations

from orgscaffold.rehearse.runbook import commands

TEXT = """\
# Deployment runbook

## 3. Bootstrap, phase 1

```sh
cd "$ORG/aws-bootstrap"
tofu plan -out=tfplan      # the first plan
tofu apply tfplan
```

Some prose with `tofu output not_a_command`.

### Accounts that join by invitation

```sh
aws organizations invite-account-to-organization --target Id=444455556666,Type=ACCOUNT
```

## 7. DNS

```bash
cd "$ORG/aws-dns-management"
export TF_VAR_x="<a placeholder>"
tofu output -json name_servers | jq -r '.["acme.example"][]'
```

```text
tofu plan   # not a shell block
```
"""


def test_each_line_keeps_its_repository_step_and_words_without_comments() -> None:
    found = [(c.step, c.repository, c.words) for c in commands(TEXT)]
    assert found == [
        ("3. Bootstrap, phase 1", "aws-bootstrap", ("tofu", "plan", "-out=tfplan")),
        ("3. Bootstrap, phase 1", "aws-bootstrap", ("tofu", "apply", "tfplan")),
        (
            "Accounts that join by invitation",
            None,
            ("aws", "organizations", "invite-account-to-organization", "--target", "Id=444455556666,Type=ACCOUNT"),
        ),
        ("7. DNS", "aws-dns-management", ("export", "TF_VAR_x=<a placeholder>")),
        (
            "7. DNS",
            "aws-dns-management",
            ("tofu", "output", "-json", "name_servers", "|", "jq", "-r", '.["acme.example"][]'),
        ),
    ]
    assert commands(TEXT)[0].tool == "tofu"


def test_a_line_with_an_unbalanced_quote_is_kept_as_its_first_word() -> None:
    (command,) = commands("```sh\necho 'unbalanced\n```\n")
    assert command.words == ("echo",) and command.line == "echo 'unbalanced"
