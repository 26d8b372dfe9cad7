"""CI identity in aws-bootstrap: GitHub's OIDC provider and each repository's plan and apply roles.

The subjects are computed in plan/bootstrap.py and checked here; the trust policies built from
them are checked by the generated tests (tests/ci_roles.tftest.hcl), run through the CLI tier.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from orgscaffold.plan import REPOSITORIES, plan, settings
from orgscaffold.plan.bootstrap import STATE_READS, tfvars
from orgscaffold.plan.subjects import subject_form
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.questionnaire.guardrails import BREAK_GLASS_ROLE
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report
from tests.conftest import EXAMPLES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALL_IDS = {"bootstrap": 501, "identity": 502, "dns": 503, "website": 504}


def _seed_with(**github: Any) -> Questionnaire:
    data = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))
    data["github"] = {**data["github"], **github}
    return validate_questionnaire(copy.deepcopy(data))


VARIANTS: dict[str, Callable[[], Questionnaire]] = {
    "seed": lambda: load_questionnaire(EXAMPLES / "seed.yaml"),
    "acme-full": lambda: load_questionnaire(EXAMPLES / "acme-full.yaml"),
    # Owner id and every repository id: the immutable form.
    "immutable": lambda: _seed_with(owner_id=42, repository_ids=ALL_IDS),
    # Owner id but not every repository id: the legacy form for every repository.
    "partial": lambda: _seed_with(owner_id=42, repository_ids={"bootstrap": 501, "identity": 502}),
}
EXPECTED_FORM = {"seed": "legacy", "acme-full": "immutable", "immutable": "immutable", "partial": "legacy"}

Rendered = tuple[str, Questionnaire, Path]


@pytest.fixture(scope="module")
def render_variant(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Rendered]:
    """Render the bootstrap repository of a variant, once per module."""
    cache: dict[str, Rendered] = {}

    def get(variant: str) -> Rendered:
        if variant not in cache:
            q = VARIANTS[variant]()
            out = tmp_path_factory.mktemp(variant)
            cache[variant] = (
                variant,
                q,
                render(plan(q, only={"bootstrap"}), out, source=template_source())["bootstrap"],
            )
        return cache[variant]

    return get


@pytest.fixture(params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest, render_variant: Callable[[str], Rendered]) -> Rendered:
    return render_variant(request.param)


def _ci_data(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))
    return data


def _prefixes(q: Questionnaire, key: str, form: str) -> list[str]:
    """Written out independently of plan/bootstrap.py: exact ids, or exactly the name (never a pattern)."""
    name = settings(q)["repositories"][key]["name"]
    if form == "immutable":
        return [f"repo:{q.github.owner}@{q.github.owner_id}/{name}@{getattr(q.github.repository_ids, key)}"]
    return [f"repo:{q.github.owner}/{name}"]


# --- the plan stage ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_subject_form(variant: str) -> None:
    assert subject_form(VARIANTS[variant]()) == EXPECTED_FORM[variant]


def test_ids_of_repositories_that_are_not_rendered_are_not_needed() -> None:
    data = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))
    data["website"] = {"apps": []}
    data["github"].update(owner_id=42, repository_ids={k: v for k, v in ALL_IDS.items() if k != "website"})
    q = validate_questionnaire(data)
    assert subject_form(q) == "immutable"
    assert set(tfvars(q)["ci_roles"]) == {"bootstrap", "identity", "dns"}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_role_trusts_only_its_own_repository(variant: str) -> None:
    q = VARIANTS[variant]()
    form = EXPECTED_FORM[variant]
    shared = settings(q)
    ci = tfvars(q)["ci_roles"]
    assert set(ci) == {key for key, repo in shared["repositories"].items() if repo["rendered"]}
    for key, role in ci.items():
        prefixes = _prefixes(q, key, form)
        assert role["plan_subjects"] == [
            s
            for p in prefixes
            for s in (
                f"{p}:pull_request",
                f"{p}:ref:refs/heads/{q.github.default_branch}",
                f"{p}:environment:{q.github.apply_environment}-plan",
            )
        ]
        assert not any("*" in s for s in role["plan_subjects"] + role["apply_subjects"])
        assert role["apply_subjects"] == [f"{p}:environment:{q.github.apply_environment}" for p in prefixes]
        assert (role["plan_role"], role["apply_role"]) == (
            shared["roles"][f"{key}_plan"],
            shared["roles"][f"{key}_apply"],
        )
        assert role["state_key"] == shared["repositories"][key]["state_key"]
        others = [s for other, r in ci.items() if other != key for s in r["plan_subjects"] + r["apply_subjects"]]
        assert not set(role["plan_subjects"] + role["apply_subjects"]) & set(others)
    assert tfvars(q)["github"] == {"owner": q.github.owner, "owner_id": q.github.owner_id, "subject_form": form}


def test_the_roles_may_read_every_state_their_repository_reads() -> None:
    """STATE_READS lists the producers each template reads with terraform_remote_state."""
    for spec in REPOSITORIES:
        text = "".join(p.read_text(encoding="utf-8") for p in (TEMPLATES / spec.template).rglob("*.jinja"))
        assert set(re.findall(r'producer="(\w+)"', text)) == set(STATE_READS[spec.key]), spec.key
    ci = tfvars(VARIANTS["seed"]())["ci_roles"]
    for key, role in ci.items():
        assert role["reads_state_keys"] == [ci[producer]["state_key"] for producer in STATE_READS[key]]


# --- the rendered repository ------------------------------------------------------------------


def test_tfvars_carry_the_ci_data(rendered: Rendered) -> None:
    _, q, root = rendered
    data = _ci_data(root)
    expected = tfvars(q)
    for key in ("github", "ci_roles", "ci_policies", "state_bucket_policy"):
        assert data[key] == expected[key]


def test_ci_variables_and_outputs_are_declared(rendered: Rendered) -> None:
    _, _, root = rendered
    variables = {
        k: v for b in hcl2.loads((root / "variables.tf").read_text(encoding="utf-8"))["variable"] for k, v in b.items()
    }
    outputs = {
        k: v for b in hcl2.loads((root / "outputs.tf").read_text(encoding="utf-8"))["output"] for k, v in b.items()
    }
    for name in ("github", "ci_roles", "ci_policies", "state_bucket_policy"):
        assert variables[f'"{name}"']["type"] and variables[f'"{name}"']["description"]
    for name in ("ci_role_arns", "github_oidc_provider_arn"):
        assert outputs[f'"{name}"']["description"]


def test_trust_policies_never_use_for_all_values(rendered: Rendered) -> None:
    _, _, root = rendered
    text = (root / "ci_roles.tf").read_text(encoding="utf-8")
    assert "ForAllValues" not in text.replace("never ForAllValues", "")
    assert "StringEquals" in text and "thumbprint_list =" not in text


def test_name_only_trust_is_exact_and_the_ids_step_is_documented(rendered: Rendered) -> None:
    """Without ids the roles trust the exact legacy subject only, and the README says how to add the ids."""
    variant, q, root = rendered
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "no wildcard" in readme and "@*" not in readme
    script = (root / "scripts" / "set-github-variables.sh").read_text(encoding="utf-8")
    assert 'gh api "repos/${repo}" --jq .id' in script and "--ids" in script
    if EXPECTED_FORM[variant] == "legacy":
        assert "scripts/set-github-variables.sh --ids" in readme


def test_generated_tests_name_the_expected_subjects(rendered: Rendered) -> None:
    variant, q, root = rendered
    text = (root / "tests" / "ci_roles.tftest.hcl").read_text(encoding="utf-8")
    for key in tfvars(q)["ci_roles"]:
        for prefix in _prefixes(q, key, EXPECTED_FORM[variant]):
            assert json.dumps(f"{prefix}:pull_request") in text
            assert json.dumps(f"{prefix}:environment:{q.github.apply_environment}") in text
    assert ('repository_id", null) ==' in text) == (EXPECTED_FORM[variant] == "immutable")


def test_readme_says_which_subject_form_and_why(rendered: Rendered) -> None:
    variant, q, root = rendered
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert f"**Subject form: {EXPECTED_FORM[variant]}.**" in readme
    assert ("falls back to the legacy form" in readme) == (variant == "partial")
    assert "scripts/set-github-variables.sh" in readme and "AWS_PLAN_ROLE_ARN" in readme
    assert "Sessions last at most one hour" in readme


# --- the CLI tier: the generated tests pass, and fail when a trust is widened ----------------


def _keep_only_the_ci_roles_tests(root: Path, work: Path) -> None:
    """A copy of ``root`` whose only generated test file is ci_roles.tftest.hcl."""
    shutil.copytree(root, work)
    for other in (work / "tests").glob("*.tftest.hcl"):
        if other.name != "ci_roles.tftest.hcl":
            other.unlink()


def test_cli_tier_on_the_partial_ids_fallback(
    render_variant: Callable[[str], Rendered], cli_tier: Callable[[dict[str, Path]], Report]
) -> None:
    """The examples (legacy and immutable) run through the CLI tier in tests/test_examples.py."""
    variant, _, root = render_variant("partial")
    report = cli_tier({f"{root.name}-{variant}": root})
    assert not report.findings, "\n".join(str(f) for f in report.findings)


def test_generated_tests_catch_a_plan_role_that_trusts_another_repository(
    render_variant: Callable[[str], Rendered], cli_tier: Callable[[dict[str, Path]], Report], tmp_path: Path
) -> None:
    """One widened trust shows that the generated assertions can fail (only that test file runs)."""
    _, _, root = render_variant("acme-full")
    work = tmp_path / root.name
    _keep_only_the_ci_roles_tests(root, work)
    data = _ci_data(work)
    data["ci_roles"]["dns"]["plan_subjects"].append(data["ci_roles"]["identity"]["plan_subjects"][0])
    (work / "client.auto.tfvars.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    report = cli_tier({work.name: work})
    messages = [f.message for f in report.findings]
    assert [f.check for f in report.findings] == ["cli-test"], messages
    assert "dns plan role must trust only" in messages[0]


def _widen_identity_plan_to_break_glass(data: dict[str, Any], q: Questionnaire) -> None:
    identity = json.loads(data["ci_policies"]["identity_plan"]["policy"])
    identity["Statement"].append(
        {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": f"arn:aws:iam::*:role/{BREAK_GLASS_ROLE}"}
    )
    data["ci_policies"]["identity_plan"]["policy"] = json.dumps(identity)


def _widen_dns_plan_to_the_website_state(data: dict[str, Any], q: Questionnaire) -> None:
    dns = json.loads(data["ci_policies"]["dns_plan"]["policy"])
    shared = settings(q)
    for statement in dns["Statement"]:
        if statement["Sid"] == "StateRead":
            key = shared["repositories"]["website"]["state_key"]
            statement["Resource"].append(f"arn:${{partition}}:s3:::{shared['state']['bucket']}/{key}")
    data["ci_policies"]["dns_plan"]["policy"] = json.dumps(dns)


@pytest.mark.parametrize(
    ("widen", "assertion"),
    [
        (_widen_identity_plan_to_break_glass, "it must never reach OrganizationAccountAccessRole"),
        (_widen_dns_plan_to_the_website_state, "The dns plan role may reach only its own state"),
    ],
    ids=["identity-plan-to-break-glass", "dns-plan-to-website-state"],
)
def test_generated_tests_catch_a_plan_role_that_reaches_admin_or_another_state(
    render_variant: Callable[[str], Rendered],
    cli_tier: Callable[[dict[str, Path]], Report],
    tmp_path: Path,
    widen: Callable[[dict[str, Any], Questionnaire], None],
    assertion: str,
) -> None:
    """The split asserted by the generated tests can fail (only that test file runs)."""
    _, q, root = render_variant("seed")
    work = tmp_path / root.name
    _keep_only_the_ci_roles_tests(root, work)
    data = _ci_data(work)
    widen(data, q)
    (work / "client.auto.tfvars.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    report = cli_tier({work.name: work})
    messages = "\n".join(f.message for f in report.findings)
    assert [f.check for f in report.findings] == ["cli-test"], messages
    # The message is cut to its first lines: it names the failing assertion by its line.
    lines = (work / "tests" / "ci_roles.tftest.hcl").read_text(encoding="utf-8").splitlines()
    failing = int(re.search(r"tests/ci_roles.tftest.hcl line (\d+)", messages).group(1))  # type: ignore[union-attr]
    assert assertion in "\n".join(lines[failing - 1 : failing + 12]), messages[:500]
