"""Every command of the runbook and the operating documents names files and outputs that exist."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from orgscaffold.documents import render_document
from orgscaffold.plan.identity import resolve_accounts
from tests.adoption import INVITED, questionnaire
from tests.conftest import ROOT
from tests.handover.conftest import Rendered

FENCE = re.compile(r"^[ \t]*```(?:sh|bash)\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
CD = re.compile(r'^cd "\$ORG/([^"]+)"$')
OUTPUT = re.compile(r"^output \"(\w+)\"", re.MULTILINE)
INLINE_OUTPUT = re.compile(r"tofu output (?:-json )?([a-z_]+)")
FILE_ARG = re.compile(r"(?:^|=)([\w./-]+\.(?:tf|hcl|sh|json))$")


VARIABLE = re.compile(r"^variable \"(\w+)\"", re.MULTILINE)


def _outputs(repo: Path) -> set[str]:
    return set(OUTPUT.findall((repo / "outputs.tf").read_text(encoding="utf-8")))


def _variables(repo: Path) -> set[str]:
    return {name for path in repo.glob("*.tf") for name in VARIABLE.findall(path.read_text(encoding="utf-8"))}


def _var_names(words: list[str]) -> list[str]:
    """The variables a command sets with ``-var name=value`` or ``-var=name=value``."""
    names = []
    for index, word in enumerate(words):
        if word == "-var" and index + 1 < len(words):
            names.append(words[index + 1].split("=", 1)[0])
        elif word.startswith("-var="):
            names.append(word.removeprefix("-var=").split("=", 1)[0])
    return names


def _check_line(line: str, repo: Path | None) -> list[str]:
    """Problems of one command line run inside ``repo`` (None: outside every repository)."""
    words = shlex.split(line, comments=True)
    if not words:
        return []
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):  # TF=terraform scripts/...
        words = words[1:]
    tool = words[0]
    if tool not in ("tofu", "git") and not tool.startswith("scripts/"):
        return []
    if repo is None:
        return [f"{line!r} runs outside a repository (no cd before it)"]
    problems = []
    if tool.startswith("scripts/") and not os.access(repo / tool, os.X_OK):
        problems.append(f"{line!r}: {tool} is not an executable file of {repo.name}")
    for word in words[1:]:
        match = FILE_ARG.search(word)
        if match and not (repo / match[1]).is_file():
            problems.append(f"{line!r}: {match[1]} does not exist in {repo.name}")
    if words[:2] == ["tofu", "output"]:
        name = next((w for w in words[2:] if not w.startswith("-")), None)
        if name is not None and name not in _outputs(repo):
            problems.append(f"{line!r}: {repo.name} declares no output {name}")
    problems += [
        f"{line!r}: {repo.name} declares no variable {name}"
        for name in _var_names(words)
        if name not in _variables(repo)
    ]
    if words[:2] == ["tofu", "test"] and not list((repo / "tests").glob("*.tftest.hcl")):
        problems.append(f"{line!r}: {repo.name} has no tests/*.tftest.hcl")
    return problems


def check_document(text: str, repos: dict[str, Path]) -> tuple[list[str], int, set[str]]:
    """Problems, the number of command lines checked and the repositories visited."""
    problems: list[str] = []
    checked = 0
    visited: set[str] = set()
    for block in FENCE.findall(text):
        repo: Path | None = None
        placeholder = False
        for raw in block.splitlines():
            line = raw.strip()
            cd = CD.match(line)
            if cd:
                # "cd $ORG/<repository>" stands for any repository: its commands are generic.
                placeholder = "<" in cd[1]
                if not placeholder and cd[1] not in repos:
                    problems.append(f"{line!r}: no repository {cd[1]}")
                repo = repos.get(cd[1])
                visited.add(cd[1])
                continue
            if placeholder:
                continue
            found = _check_line(line, repo)
            problems += found
            checked += 1 if line.split(" ")[0] in ("tofu", "git") or line.startswith("scripts/") else 0
    declared = set().union(*(_outputs(r) for r in repos.values()))
    problems += [
        f"inline `tofu output {n}`: no repository declares it" for n in INLINE_OUTPUT.findall(text) if n not in declared
    ]
    return problems, checked, visited


def test_every_runbook_command_references_existing_files_and_outputs(rendered: Rendered) -> None:
    text = (next(iter(rendered.repos.values())) / "docs" / "runbook.md").read_text(encoding="utf-8")
    problems, checked, visited = check_document(text, rendered.repos)
    assert not problems, "\n".join(problems)
    assert visited >= set(rendered.repos), "the runbook must apply every rendered repository"
    assert checked >= 6 * len(rendered.repos)


def test_every_operations_command_references_existing_files_and_outputs(rendered: Rendered) -> None:
    text = (next(iter(rendered.repos.values())) / "docs" / "operations.md").read_text(encoding="utf-8")
    problems, checked, _ = check_document(text, rendered.repos)
    assert not problems, "\n".join(problems)
    assert checked >= 5


def test_the_check_finds_a_missing_output_and_file(rendered: Rendered) -> None:
    repo = next(iter(rendered.repos))
    commands = [
        "tofu output no_such_output",
        "tofu init -backend-config=nope.hcl",
        "scripts/nope.sh",
        "tofu plan -var no_such_variable=1 -var=nor_this=2",
    ]
    broken = "```sh\n" + f'cd "$ORG/{repo}"\n' + "\n".join(commands) + "\n```\n"
    problems, _, _ = check_document(broken, rendered.repos)
    assert len(problems) == 6, problems  # the output twice: in the block and as inline text
    assert check_document("```sh\ntofu plan\n```\n", rendered.repos)[0], "tofu outside a repository"


LOCAL_RUN = "-var member_role_name=OrganizationAccountAccessRole"


def test_runs_with_the_temporary_administrator_reach_member_accounts_through_the_break_glass_role(
    rendered: Rendered,
) -> None:
    """Every plan of a repository that assumes roles in member accounts passes the role an administrator can use.

    By default those providers assume the CI deployment role, which trusts only the CI apply roles.
    """
    text = (next(iter(rendered.repos.values())) / "docs" / "runbook.md").read_text(encoding="utf-8")
    repo = ""
    plans: dict[str, list[str]] = {}
    for block in FENCE.findall(text):
        for line in block.splitlines():
            if cd := CD.match(line.strip()):
                repo = cd[1]
            elif line.startswith("tofu plan"):
                plans.setdefault(repo, []).append(line)
    bootstrap, *members = rendered.repos
    assert members and all(plans[name] for name in members)
    for name in members:
        assert all(LOCAL_RUN in line for line in plans[name]), plans[name]
    assert not any("member_role_name" in line for line in plans[bootstrap])


def test_the_local_run_arguments_are_defined_once_in_the_runbook_template() -> None:
    """The one line to change when the roles' variable changes (see the template's comment)."""
    template = (ROOT / "templates/_shared/docs/runbook.md.jinja").read_text(encoding="utf-8")
    assert template.count("member_role_name") == 1
    assert template.count("{{ local_run }}") >= 6


def test_accounts_that_join_by_invitation_get_their_steps(rendered: Rendered) -> None:
    text = (next(iter(rendered.repos.values())) / "docs" / "runbook.md").read_text(encoding="utf-8")
    invited = [a for a in rendered.q.organization.accounts if a.invite]
    assert ("### Accounts that join by invitation" in text) == bool(invited)
    for account in invited:
        assert f"aws organizations invite-account-to-organization --target Id={account.id},Type=ACCOUNT" in text
    if invited:
        assert "aws organizations accept-handshake --handshake-id" in text
        assert "aws iam create-role --role-name OrganizationAccountAccessRole" in text
        # The organisation must exist before an invitation: a new one is created on its own first.
        created_first = "tofu plan -target=aws_organizations_organization.this -out=tfplan" in text
        assert created_first == (rendered.q.organization.existing_id is None)


def test_an_account_invited_into_a_new_organisation_waits_for_the_organisation() -> None:
    text = render_document(questionnaire(INVITED), "runbook")
    order = [
        "tofu plan -target=aws_organizations_organization.this -out=tfplan",
        "aws organizations invite-account-to-organization --target Id=444455556666,Type=ACCOUNT",
        "aws organizations accept-handshake",
        "### The first apply",
        "tofu plan -out=tfplan",
    ]
    positions = [text.index(step) for step in order]
    assert positions == sorted(positions)


def test_customer_managed_policies_are_created_in_every_assigned_account_first(rendered: Rendered) -> None:
    """IAM Identity Center looks them up in each account; nothing generated creates them."""
    text = (next(iter(rendered.repos.values())) / "docs" / "runbook.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("aws iam create-policy")]
    wanted = set()
    for assignment in rendered.q.identity.assignments:
        permission_set = next(p for p in rendered.q.identity.permission_sets if p.name == assignment.permission_set)
        policies = [(p.name, p.path) for p in permission_set.customer_managed_policies]
        if permission_set.permissions_boundary and permission_set.permissions_boundary.customer_managed_policy:
            boundary = permission_set.permissions_boundary.customer_managed_policy
            policies.append((boundary.name, boundary.path))
        for account in resolve_accounts(rendered.q, assignment.accounts):
            profile = "" if account == "management" else f" --profile {account}"
            wanted |= {
                f"aws iam create-policy{profile} --path {path} --policy-name {name} --policy-document file://{name}.json"
                for name, path in policies
            }
    assert set(lines) == wanted and len(lines) == len(wanted)
    assert ("customer managed policies" in text) == bool(wanted)
    identity = text.index("## 6. Identity")
    assert all(identity < text.index(line) < text.index("tofu apply tfplan", identity) for line in lines)


def test_a_policy_path_reaches_the_shell_quoted() -> None:
    q = questionnaire(
        """\
organization:
  management_account: {name: Acme Management, email: aws@acme.example}
identity:
  groups: [{name: Admins}]
  permission_sets:
    - name: Dev
      customer_managed_policies: [{name: dev-extras, path: "/a$(id)b/"}]
  assignments:
    - {permission_set: Dev, groups: [Admins], accounts: [management]}
"""
    )
    text = render_document(q, "runbook")
    assert "aws iam create-policy --path '/a$(id)b/' --policy-name dev-extras" in text
