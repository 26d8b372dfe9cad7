"""Warnings: what a valid questionnaire should still have checked by a person.

``orgscaffold check`` prints them and still exits 0; ``new`` and ``update`` never fail on them.
Each function of :data:`WARNINGS` is one kind, documented in docs/questionnaire.md from its
docstring (a title line, then one bullet per warning), as the rules are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from orgscaffold.errors import Problem
from orgscaffold.questionnaire import adoption_rules
from orgscaffold.questionnaire.models import PasswordPolicy, Questionnaire


@dataclass(frozen=True)
class PasswordBenchmark:
    """One password policy answer measured against a benchmark, with the checkov check that measures it."""

    field: str
    check: str
    expected: str
    source: str
    meets: Callable[[int | bool], bool]

    def value(self, policy: PasswordPolicy) -> int | bool:
        """The client's answer."""
        answer: int | bool = getattr(policy, self.field)
        return answer


def _at_least(minimum: int) -> Callable[[int | bool], bool]:
    return lambda value: value >= minimum


# The CIS AWS Foundations Benchmark (v3.0: 1.8 and 1.9; its v1.2 also asked for the four character
# classes) and the checkov checks that test the same settings of aws_iam_account_password_policy:
# https://www.cisecurity.org/benchmark/amazon_web_services
# https://www.checkov.io/5.Policy%20Index/terraform.html
_CIS = "CIS AWS Foundations Benchmark"
PASSWORD_BENCHMARKS = (
    PasswordBenchmark("minimum_length", "CKV_AWS_10", "14 or more", f"{_CIS} v3.0 1.8", _at_least(14)),
    PasswordBenchmark("reuse_prevention", "CKV_AWS_13", "24", f"{_CIS} v3.0 1.9", _at_least(24)),
    PasswordBenchmark("require_uppercase", "CKV_AWS_15", "true", f"{_CIS} v1.2 1.5", bool),
    PasswordBenchmark("require_lowercase", "CKV_AWS_11", "true", f"{_CIS} v1.2 1.6", bool),
    PasswordBenchmark("require_symbols", "CKV_AWS_14", "true", f"{_CIS} v1.2 1.7", bool),
    PasswordBenchmark("require_numbers", "CKV_AWS_12", "true", f"{_CIS} v1.2 1.8", bool),
)


def password_deviations(policy: PasswordPolicy) -> list[PasswordBenchmark]:
    """The benchmarks the client's password policy answers fall short of."""
    return [benchmark for benchmark in PASSWORD_BENCHMARKS if not benchmark.meets(benchmark.value(policy))]


def _answer(value: int | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _password_policy(q: Questionnaire) -> Iterator[Problem]:
    """Password policy.

    - `security.password_policy.minimum_length` below 14, `reuse_prevention` below 24, or a
      `require_*` set to false is below the CIS AWS Foundations Benchmark. The answer is the
      client's to make: the generated `password_policy.tf` carries an inline checkov skip that
      names it, instead of failing the security scan.
    """
    policy = q.security.password_policy
    for benchmark in password_deviations(policy):
        yield Problem(
            f"security.password_policy.{benchmark.field}",
            f"{_answer(benchmark.value(policy))} is below the {benchmark.source} ({benchmark.expected}); "
            f"the generated password_policy.tf waives checkov's {benchmark.check} for this answer",
        )


def _assigned_accounts(q: Questionnaire, permission_set: str) -> list[str]:
    """Account keys the permission set is assigned to ('*': every member account), in order."""
    members = [a.key for a in q.organization.accounts]
    found: list[str] = []
    for assignment in q.identity.assignments:
        if assignment.permission_set != permission_set:
            continue
        for key in assignment.accounts:
            found.extend(k for k in (members if key == "*" else [key]) if k not in found)
    return found


def _customer_managed_policies(q: Questionnaire) -> Iterator[Problem]:
    """Customer managed policies.

    - A permission set that references customer managed policies, or a customer managed
      permissions boundary, needs each of them, by name and path, in every account it is assigned
      to: IAM Identity Center refuses the assignment where one is missing. Nothing generated creates
      them, because their documents are the client's and not in the questionnaire; the runbook's
      identity step lists the `aws iam create-policy` commands, and `update` reports an
      assignment or reference that needs one in another account.
    """
    for index, permission_set in enumerate(q.identity.permission_sets):
        policies = [f"{p.path}{p.name}" for p in permission_set.customer_managed_policies]
        here = f"identity.permission_sets[{index}].customer_managed_policies"
        boundary = permission_set.permissions_boundary
        if boundary is not None and boundary.customer_managed_policy is not None:
            policies.append(
                f"{boundary.customer_managed_policy.path}{boundary.customer_managed_policy.name} (permissions boundary)"
            )
            if not permission_set.customer_managed_policies:
                here = f"identity.permission_sets[{index}].permissions_boundary.customer_managed_policy"
        accounts = _assigned_accounts(q, permission_set.name)
        if not policies or not accounts:
            continue
        yield Problem(
            here,
            f"{permission_set.name} references the customer managed policies {', '.join(policies)}: "
            f"each must exist in accounts {', '.join(accounts)} before the identity apply, or IAM Identity "
            "Center refuses the assignment there. Create them first (their documents are yours, so nothing "
            "generated creates them): the runbook's identity step lists the aws iam create-policy commands",
        )


def _adoption(q: Questionnaire) -> Iterator[Problem]:
    """Adopted objects.

    - An adopted account's name and e-mail must be exactly as AWS has them: a difference replaces
      the account, which `prevent_destroy` turns into a failed plan.
    - A membership in `membership_ids` whose group is no longer in the user's `groups`, and a
      policy or boundary in `existing_attachments` that the permission set no longer lists, stay
      in AWS, unmanaged.
    """
    yield from adoption_rules.warnings(q)


# The kinds of warnings, in the order they are printed and documented.
WARNINGS: tuple[Callable[[Questionnaire], Iterator[Problem]], ...] = (
    _adoption,
    _customer_managed_policies,
    _password_policy,
)


def collect(q: Questionnaire) -> list[Problem]:
    """Every warning of a valid questionnaire, in :data:`WARNINGS` order."""
    return [problem for kind in WARNINGS for problem in kind(q)]
