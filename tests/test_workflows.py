"""GitHub Actions workflows and repository hygiene files of every generated repository.

Renders the examples (seed: no CODEOWNERS; acme-full: CODEOWNERS) and one inline questionnaire with
hostile free text and non-default branch and environment names, once per session; then checks the
workflows as data and with the real linters: the GitHub workflow JSON schema (check-jsonschema) and
zizmor, each run once over all files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.plan import plan
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, parse_questionnaire_text
from orgscaffold.render import render, template_source
from tests.conftest import EXAMPLE_NAMES, Example

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WORKFLOWS = ("plan.yml", "apply.yml", "drift.yml")
CONFIGURE_AWS = "aws-actions/configure-aws-credentials"
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # v\d+(\.\d+){0,2}$")

INLINE = {
    # Free text that looks like GitHub expressions must never reach a workflow.
    "inline-hostile": """
schema_version: 1
client:
  name: "Evil ${{ github.event.issue.title }} \\"; curl x | sh; %{ x } Ltd"
  slug: evil
  primary_region: eu-west-2
  tags: {owner: "${{ secrets.GITHUB_TOKEN }}"}
github:
  owner: evil-co
  default_branch: release/prod
  apply_environment: prod-gate
  codeowners: ["@evil-co/platform", "@jane"]
organization:
  management_account: {name: "Mgmt ${{ github.actor }}", email: aws@evil.example, id: "123456789012"}
  accounts:
    - {key: dns, name: Evil DNS, email: aws+dns@evil.example, purpose: dns}
    - {key: web, name: Evil Web, email: aws+web@evil.example, purpose: website}
dns:
  zones:
    - domain: evil.example
      records:
        - {name: "@", type: TXT, values: ["${{ github.event.pull_request.body }}"]}
website:
  apps:
    - {name: evil-site, repository: "https://github.com/evil-co/site", branch: main, domain: evil.example}
""",
}


@dataclass(frozen=True)
class Rendered:
    """One rendered repository of one questionnaire."""

    case: str
    key: str
    path: Path
    settings: dict[str, Any]

    def workflow(self, name: str) -> dict[str, Any]:
        loaded = yaml.safe_load((self.path / ".github" / "workflows" / name).read_text(encoding="utf-8"))
        assert isinstance(loaded, dict), f"{self.case}/{self.path.name}/{name} is not a YAML mapping"
        return loaded


def _questionnaires() -> dict[str, Questionnaire]:
    cases = {path.stem: load_questionnaire(path) for path in sorted(EXAMPLES.glob("*.yaml"))}
    cases.update({name: parse_questionnaire_text(text, source=name) for name, text in INLINE.items()})
    return cases


QUESTIONNAIRES = _questionnaires()
CASES = [(case, p.key) for case, q in QUESTIONNAIRES.items() for p in plan(q)]
CASE_IDS = [f"{case}-{key}" for case, key in CASES]


@pytest.fixture(scope="session")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, examples: Callable[[str], Example]
) -> dict[tuple[str, str], Rendered]:
    """Every repository of every questionnaire, rendered once: the examples by the session's shared
    render (tests/conftest.py), the inline questionnaires here (staged, never committed)."""
    out: dict[tuple[str, str], Rendered] = {}
    source = template_source()
    for case, q in QUESTIONNAIRES.items():
        plans = plan(q)
        if case in EXAMPLE_NAMES:
            folders = examples(case).folders
            plans = examples(case).plans  # planned with the state bucket that render chose
        else:
            folders = render(plans, tmp_path_factory.mktemp(case), source=source)
        for p in plans:
            out[(case, p.key)] = Rendered(case, p.key, folders[p.key], p.answers["settings"])
    return out


@pytest.fixture(params=CASES, ids=CASE_IDS)
def repo(request: pytest.FixtureRequest, rendered: dict[tuple[str, str], Rendered]) -> Rendered:
    return rendered[request.param]


def _lint_files(rendered: dict[tuple[str, str], Rendered]) -> list[Path]:
    return sorted(r.path / ".github" / "workflows" / name for r in rendered.values() for name in WORKFLOWS)


def _tool(name: str) -> str:
    # On PATH, else beside this interpreter (a venv's python run without activating the venv).
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed (pip install check-jsonschema zizmor)")
    return found


@pytest.fixture(scope="session")
def jsonschema_run(rendered: dict[tuple[str, str], Rendered]) -> subprocess.CompletedProcess[str]:
    """check-jsonschema over every workflow, once per session."""
    tool = _tool("check-jsonschema")
    files = [str(p) for p in _lint_files(rendered)]
    return subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", *files], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="session")
def zizmor_run(rendered: dict[tuple[str, str], Rendered]) -> subprocess.CompletedProcess[str]:
    """zizmor over every workflow and Dependabot file, once per session, offline."""
    tool = _tool("zizmor")
    files = [str(p) for p in _lint_files(rendered)]
    files += [str(r.path / ".github" / "dependabot.yml") for r in rendered.values()]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [tool, "--offline", "--format", "json", *files], capture_output=True, text=True, check=False, env=env
    )


def _jobs(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict) and jobs
    yield from jobs.items()


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def _assumes_role(job: dict[str, Any]) -> bool:
    return any(str(step.get("uses", "")).startswith(f"{CONFIGURE_AWS}@") for step in _steps(job))


def _runs(workflow: dict[str, Any]) -> str:
    return "\n".join(step["run"] for _, job in _jobs(workflow) for step in _steps(job) if "run" in step)


# --- the real linters, once per session ---------------------------------------------------------


def test_workflows_match_github_schema(jsonschema_run: subprocess.CompletedProcess[str]) -> None:
    assert jsonschema_run.returncode == 0, jsonschema_run.stdout + jsonschema_run.stderr


def test_zizmor_has_no_findings(zizmor_run: subprocess.CompletedProcess[str]) -> None:
    findings = json.loads(zizmor_run.stdout or "[]")
    summary = [f"{f.get('ident')}: {json.dumps(f.get('locations', [{}])[0].get('symbolic', {}))}" for f in findings]
    assert findings == [], "\n".join(summary)
    assert zizmor_run.returncode == 0, zizmor_run.stderr


# --- each repository ----------------------------------------------------------------------------


def test_workflows_parse_and_trigger(repo: Rendered) -> None:
    triggers: dict[str, Any] = {}
    for name in WORKFLOWS:
        # PyYAML reads the bare key `on` as the boolean True (YAML 1.1); GitHub reads it as "on".
        workflow: dict[Any, Any] = repo.workflow(name)
        triggers[name] = workflow.get("on", workflow.get(True))
    branch = repo.settings["github"]["default_branch"]
    assert triggers["plan.yml"] == {"pull_request": {"branches": [branch]}}
    assert triggers["apply.yml"] == {"push": {"branches": [branch]}}
    assert set(triggers["drift.yml"]) == {"schedule", "workflow_dispatch"}


def test_every_action_is_pinned_to_a_commit_with_its_version(repo: Rendered) -> None:
    pins: dict[str, set[str]] = {}
    for name in WORKFLOWS:
        text = (repo.path / ".github" / "workflows" / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if re.match(r"^\s*(-\s+)?uses:", line):
                match = PINNED_USES.match(line)
                assert match, f"{name}: not pinned to a full SHA with a '# vX.Y.Z' comment: {line.strip()}"
                pins.setdefault(match["action"], set()).add(line.split("@", 1)[1])
    assert {"actions/checkout", "opentofu/setup-opentofu", CONFIGURE_AWS, "actions/github-script"} <= set(pins)
    assert all(len(refs) == 1 for refs in pins.values()), f"one pin per action across workflows: {pins}"


def test_permissions_are_least_privilege(repo: Rendered) -> None:
    for name in WORKFLOWS:
        workflow = repo.workflow(name)
        assert workflow["permissions"] == {"contents": "read"}, name
        for job_name, job in _jobs(workflow):
            permissions = job.get("permissions", {})
            assert permissions != "write-all" and "write-all" not in str(permissions)
            wants_token = permissions.get("id-token") == "write"
            assert wants_token == _assumes_role(job), f"{name}/{job_name}: id-token write iff it assumes a role"


def test_no_expression_inside_run_or_script(repo: Rendered) -> None:
    for name in WORKFLOWS:
        workflow = repo.workflow(name)
        assert "${{ github.event" not in _runs(workflow), name
        # Stronger: no expression at all in shell or script text; values come through env.
        assert "${{" not in _runs(workflow), name
        for _, job in _jobs(workflow):
            for step in _steps(job):
                assert "${{" not in str(step.get("with", {}).get("script", "")), name


def test_free_text_never_reaches_workflows(repo: Rendered) -> None:
    client_name = repo.settings["client"]["name"]
    for path in [*(repo.path / ".github").rglob("*"), repo.path / ".pre-commit-config.yaml"]:
        if path.is_file():
            assert client_name not in path.read_text(encoding="utf-8"), path
    for name in WORKFLOWS:
        text = (repo.path / ".github" / "workflows" / name).read_text(encoding="utf-8")
        assert "github.event.issue" not in text and "github.actor" not in text
        assert "secrets.GITHUB_TOKEN" not in text


def test_apply_is_gated_and_never_cancelled(repo: Rendered) -> None:
    workflow = repo.workflow("apply.yml")
    jobs = dict(_jobs(workflow))
    assert list(jobs) == ["plan", "apply"]
    plan_job, apply = jobs["plan"], jobs["apply"]
    # Approvers approve the plan they read: the plan runs first, with the plan role, in the plan
    # environment; the gated job applies that saved plan, checked by its digest.
    assert plan_job["environment"] == repo.settings["github"]["plan_environment"]
    assert apply["environment"] == repo.settings["github"]["apply_environment"]
    assert apply["needs"] == "plan" and apply["if"] == "needs.plan.outputs.changes == 'true'"
    assert workflow["concurrency"]["cancel-in-progress"] is False
    for job, variable in ((plan_job, "AWS_PLAN_ROLE_ARN"), (apply, "AWS_APPLY_ROLE_ARN")):
        role = next(s for s in _steps(job) if str(s.get("uses", "")).startswith(CONFIGURE_AWS))
        assert role["with"]["role-to-assume"] == "${{ vars." + variable + " }}"
        assert role["with"]["aws-region"] == "${{ vars.AWS_REGION }}"
    plan_runs = "\n".join(s["run"] for s in _steps(plan_job) if "run" in s)
    apply_runs = "\n".join(s["run"] for s in _steps(apply) if "run" in s)
    assert "-out=tfplan" in plan_runs and "tofu show -no-color tfplan" in plan_runs
    assert "GITHUB_STEP_SUMMARY" in plan_runs
    assert "tofu plan" not in apply_runs and "tofu apply -lock-timeout=10m tfplan" in apply_runs
    assert "sha256sum --check" in apply_runs and apply["env"]["PLAN_SHA256"] == "${{ needs.plan.outputs.sha256 }}"
    # The binary plan (secrets in the clear) goes through the state bucket, never as an artifact.
    (upload,) = [s for s in _steps(plan_job) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "plan.txt"
    assert workflow["env"]["PLAN_OBJECT"].startswith(f"s3://{repo.settings['state']['bucket']}/plans/")
    # Nothing else may use the apply role, and no workflow may cancel a running job.
    for name in ("plan.yml", "drift.yml"):
        workflow = repo.workflow(name)
        assert "AWS_APPLY_ROLE_ARN" not in json.dumps(workflow)
        assert "environment" not in json.dumps(workflow["jobs"])
        assert workflow["concurrency"]["cancel-in-progress"] is False


def test_pull_request_checks_plan_and_comment(repo: Rendered) -> None:
    workflow = repo.workflow("plan.yml")
    jobs = dict(_jobs(workflow))
    assert set(jobs) == {"check", "plan", "comment"}
    check = "\n".join(s["run"] for s in _steps(jobs["check"]) if "run" in s)
    for command in ("tofu fmt -check", "tofu init -backend=false", "tofu validate", "tofu test"):
        assert command in check
    assert not _assumes_role(jobs["check"])
    plan_runs = "\n".join(s["run"] for s in _steps(jobs["plan"]) if "run" in s)
    assert "tofu init -backend-config=backend.hcl" in plan_runs and "tofu plan" in plan_runs
    role = next(s for s in _steps(jobs["plan"]) if str(s.get("uses", "")).startswith(CONFIGURE_AWS))
    assert role["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    # The comment job holds the write token but no AWS credentials; the plan arrives by env var.
    comment = jobs["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert not _assumes_role(comment)
    (script_step,) = _steps(comment)
    assert script_step["uses"].startswith("actions/github-script@")
    assert script_step["env"]["PLAN_TEXT"] == "${{ needs.plan.outputs.text }}"
    script = script_step["with"]["script"]
    assert "process.env.PLAN_TEXT" in script and "<!-- orgscaffold:tofu-plan -->" in script
    assert "updateComment" in script and "createComment" in script


def test_drift_opens_or_updates_one_issue(repo: Rendered) -> None:
    workflow = repo.workflow("drift.yml")
    jobs = dict(_jobs(workflow))
    assert "-detailed-exitcode" in _runs(workflow)
    report = jobs["report"]
    assert report["permissions"] == {"issues": "write"} and not _assumes_role(report)
    script = _steps(report)[0]["with"]["script"]
    assert "<!-- orgscaffold:drift -->" in script
    assert "issues.update" in script and "issues.create" in script
    assert "process.env.PLAN_TEXT" in script


def test_member_role_and_amplify_token_only_where_needed(repo: Rendered) -> None:
    roles = repo.settings["roles"]
    read = roles.get(f"{repo.key}_read")
    deploy = roles["break_glass"] if repo.key == "identity" else roles.get(f"{repo.key}_deploy")
    for name, job_name in (("plan.yml", "plan"), ("drift.yml", "plan"), ("apply.yml", "plan")):
        env = repo.workflow(name)["jobs"][job_name].get("env", {})
        assert env.get("TF_VAR_member_role_name") == read, name
    apply_env = repo.workflow("apply.yml")["jobs"]["apply"].get("env", {})
    assert apply_env.get("TF_VAR_member_role_name") == (deploy if read else None)
    # The token is in the saved plan: given to the plan job (plan environment), never again.
    plan_env = repo.workflow("apply.yml")["jobs"]["plan"].get("env", {})
    token = plan_env.get("TF_VAR_github_access_token")
    assert token == ("${{ secrets.AMPLIFY_GITHUB_TOKEN }}" if repo.key == "website" else None)
    assert "TF_VAR_github_access_token" not in apply_env
    for name in ("plan.yml", "drift.yml"):
        assert "secrets." not in (repo.path / ".github" / "workflows" / name).read_text(encoding="utf-8")


def test_opentofu_version_file_drives_setup(repo: Rendered) -> None:
    assert (repo.path / ".opentofu-version").read_text(encoding="utf-8").strip() == (
        repo.settings["tooling"]["opentofu_version"]
    )
    for name in WORKFLOWS:
        for _, job in _jobs(repo.workflow(name)):
            for step in _steps(job):
                if str(step.get("uses", "")).startswith("opentofu/setup-opentofu@"):
                    assert step["with"] == {"tofu_version_file": ".opentofu-version", "tofu_wrapper": False}


def test_codeowners(repo: Rendered) -> None:
    lines = (repo.path / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
    rules = [line for line in lines if line.strip() and not line.startswith("#")]
    owners = repo.settings["github"]["codeowners"]
    assert rules == ([f"* {' '.join(owners)}"] if owners else [])


def test_dependabot_and_pre_commit(repo: Rendered) -> None:
    dependabot = yaml.safe_load((repo.path / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert dependabot["version"] == 2
    assert {u["package-ecosystem"] for u in dependabot["updates"]} == {"github-actions", "terraform"}
    pre_commit = yaml.safe_load((repo.path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"] for r in pre_commit["repos"] for hook in r["hooks"]}
    assert {"terraform_fmt", "terraform_validate", "terraform_tflint", "terraform_checkov", "zizmor"} <= hooks


def test_variables_script_is_valid_bash(repo: Rendered) -> None:
    script = repo.path / "scripts" / "set-github-variables.sh"
    assert os.access(script, os.X_OK), "the script must be executable"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    text = script.read_text(encoding="utf-8")
    for variable in ("AWS_PLAN_ROLE_ARN", "AWS_APPLY_ROLE_ARN", "AWS_REGION"):
        assert f"gh variable set {variable}" in text
    roles = repo.settings["roles"]
    assert f'plan_role="{roles[repo.key + "_plan"]}"' in text
    assert f'apply_role="{roles[repo.key + "_apply"]}"' in text
    if shutil.which("shellcheck"):
        lint = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True, check=False)
        assert lint.returncode == 0, lint.stdout


def test_ci_documentation_names_every_variable(repo: Rendered) -> None:
    doc = (repo.path / "docs" / "ci.md").read_text(encoding="utf-8")
    for needle in ("AWS_PLAN_ROLE_ARN", "AWS_APPLY_ROLE_ARN", "AWS_REGION", "one hour", "CODEOWNERS"):
        assert needle in doc
    assert ("AMPLIFY_GITHUB_TOKEN" in doc) == (repo.key == "website")
    assert "{{" not in doc and "{%" not in doc


FAKE_GH = """#!/usr/bin/env bash
# A stand-in for the GitHub CLI: answers the repository look-ups of set-github-variables.sh.
case "$*" in
  *"--jq .owner.id"*) echo "${FAKE_OWNER_ID}" ;;
  *"--jq .id"*) echo "${FAKE_REPOSITORY_ID}" ;;
  *"--jq .created_at"*) echo "${FAKE_CREATED}" ;;
  *) echo "unexpected: gh $*" >&2; exit 3 ;;
esac
"""


@pytest.mark.parametrize("created", ["2025-03-01T10:00:00Z", "2026-09-01T10:00:00Z"])
def test_variables_script_checks_the_github_ids_first(repo: Rendered, tmp_path: Path, created: str) -> None:
    """Before CI runs, the script compares the ids GitHub reports with those the roles trust."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "gh").write_text(FAKE_GH, encoding="utf-8")
    (fake / "gh").chmod(0o755)
    github = repo.settings["github"]
    immutable = github["subject_form"] == "immutable"
    owner_id = str(github["owner_id"]) if immutable else "4242"
    repository_id = str(github["repository_ids"][repo.key]) if immutable else "9999"
    env = {
        **os.environ,
        "PATH": f"{fake}:{os.environ['PATH']}",
        "FAKE_OWNER_ID": owner_id,
        "FAKE_REPOSITORY_ID": repository_id,
        "FAKE_CREATED": created,
    }
    script = repo.path / "scripts" / "set-github-variables.sh"
    result = subprocess.run(["bash", str(script), "--ids"], capture_output=True, text=True, env=env, check=False)
    if immutable:
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        env["FAKE_REPOSITORY_ID"] = "1"  # a re-created repository
        again = subprocess.run(["bash", str(script), "--ids"], capture_output=True, text=True, env=env, check=False)
        assert again.returncode == 1 and "re-created" in again.stderr
    else:
        assert f"owner_id: {owner_id}" in result.stderr and f"{repo.key}: {repository_id}" in result.stderr
        # A repository created on or after 15 July 2026 is refused by a name-only trust: an error.
        assert result.returncode == (1 if created >= "2026-07-15" else 0), result.stderr
