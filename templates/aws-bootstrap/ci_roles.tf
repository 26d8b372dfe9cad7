# GitHub Actions OIDC and the CI roles of every generated repository. Each repository gets a plan
# role (pull requests, the drift check and the plan job of its apply workflow: it reads) and an
# apply role (the job gated by the apply environment). Who may assume each role (exact OIDC
# subjects) and what it may do (var.ci_policies) are decided by orgscaffold and arrive as data;
# docs/handover.md shows the same data as the CI access matrix.

locals {
  github_oidc_host = "token.actions.githubusercontent.com"
  # Built from the account id rather than read from the resource, so the trust policies are known
  # at plan time (and testable with a mocked provider).
  github_oidc_provider_arn = "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.github_oidc_host}"

  # One entry per role, keyed "<repository key>_<stage>" like the role names orgscaffold derives.
  ci_roles = merge([
    for key, repo in var.ci_roles : {
      "${key}_plan"  = { repository = key, stage = "plan", name = repo.plan_role, subjects = repo.plan_subjects }
      "${key}_apply" = { repository = key, stage = "apply", name = repo.apply_role, subjects = repo.apply_subjects }
    }
  ]...)

  # The repository_id claim is immutable too; AWS STS checks it when the subjects are immutable.
  ci_repository_id_conditions = {
    for key, repo in var.ci_roles : key => {
      for claim, id in { "${local.github_oidc_host}:repository_id" = tostring(coalesce(repo.repository_id, 0)) } :
      claim => id if var.github.subject_form == "immutable" && repo.repository_id != null
    }
  }

  # Exact subjects only (StringEquals), never a pattern, and never ForAllValues in an Allow (it is
  # true when the claim is missing):
  # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
  ci_trust_policies = {
    for role_key, role in local.ci_roles : role_key => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "GitHubActions"
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = local.github_oidc_provider_arn }
        Condition = {
          StringEquals = merge(
            {
              "${local.github_oidc_host}:aud" = "sts.amazonaws.com"
              "${local.github_oidc_host}:sub" = role.subjects
            },
            local.ci_repository_id_conditions[role.repository],
          )
        }
      }]
    })
  }
}

resource "aws_iam_openid_connect_provider" "this" {
  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # No thumbprint_list: optional, and AWS ignores it for GitHub (it trusts GitHub's CA itself).
}

resource "aws_iam_role" "ci" {
  for_each = local.ci_roles

  name               = each.value.name
  description        = "GitHub Actions ${each.value.stage} role of the ${each.value.repository} repository"
  assume_role_policy = local.ci_trust_policies[each.key]

  # The workflows ask for one-hour sessions, the most a chained session into a member account can
  # last anyway (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
  max_session_duration = 3600

  # The trust policy names the provider by ARN, not by reference.
  depends_on = [aws_iam_openid_connect_provider.this]
}

# ---------------------------------------------------------------------------------------------
# Permissions: each role's inline policy is a document orgscaffold wrote (client.auto.tfvars.json,
# "ci_policies") with placeholders for what only AWS knows: the partition, this account's id and
# the ARNs of the state keys.
# ---------------------------------------------------------------------------------------------

locals {
  policy_values = merge(
    { partition = local.partition, account_id = local.account_id },
    # ARNs of the state keys by repository key; "" when state.encryption is none (no policy names them then).
    { for key in keys(var.state.kms_key_aliases) : "kms_${key}" => local.state_kms ? local.state_kms_arns[key] : "" },
  )

  ci_policy_attachments = merge([
    for role_key, role in var.ci_policies : {
      for policy in role.managed_policies : "${role_key}/${policy}" => {
        role = role_key
        arn  = "arn:${local.partition}:iam::aws:policy/${policy}"
      }
    }
  ]...)
}

resource "aws_iam_role_policy_attachment" "ci" {
  for_each = local.ci_policy_attachments

  role       = aws_iam_role.ci[each.value.role].name
  policy_arn = each.value.arn
}

resource "aws_iam_role_policy" "ci" {
  for_each = local.ci_roles

  name   = "ci"
  role   = aws_iam_role.ci[each.key].id
  policy = templatestring(var.ci_policies[each.key].policy, local.policy_values)
}
