# GitHub Actions OIDC and the CI roles of every generated repository (docs/reference.md "GitHub Actions
# OIDC and CI roles"). Each repository gets a plan role (pull requests and the scheduled drift
# check: read-only) and an apply role (the gated environment job). The subjects they trust are
# computed by orgscaffold and arrive as data in var.ci_roles.

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

  # never ForAllValues in an Allow (it is true when the claim is missing). Immutable subjects are
  # exact: StringEquals. Name-only subjects (ids unknown) include the immutable form with `*` for
  # the ids, which needs StringLike; a repository name cannot contain '/' or '@', so the wildcard
  # only ever matches ids.
  ci_trust_policies = {
    for role_key, role in local.ci_roles : role_key => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "GitHubActions"
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = local.github_oidc_provider_arn }
        Condition = merge(
          {
            StringEquals = merge(
              { "${local.github_oidc_host}:aud" = "sts.amazonaws.com" },
              var.github.subject_form == "immutable" ? { "${local.github_oidc_host}:sub" = role.subjects } : {},
              local.ci_repository_id_conditions[role.repository],
            )
          },
          var.github.subject_form == "immutable" ? {} : { StringLike = { "${local.github_oidc_host}:sub" = role.subjects } },
        )
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

  # The apply workflow asks for one-hour sessions, the most a chained session into a member
  # account can last anyway (docs/reference.md "GitHub Actions OIDC and CI roles").
  max_session_duration = 3600

  # The trust policy names the provider by ARN, not by reference.
  depends_on = [aws_iam_openid_connect_provider.this]
}

# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------

locals {
  lock_file      = contains(["lockfile", "both"], var.state.locking)
  lock_table_arn = "arn:${local.partition}:dynamodb:${var.state.region}:${local.account_id}:table/${var.state.dynamodb_table}"
  member_role    = "arn:${local.partition}:iam::*:role"

  # AWS managed policies by role: plan roles read everything (a plan refreshes every resource);
  # the bootstrap apply role creates the organisation, accounts, trail, Config, the state backend
  # and these very roles, which no narrower policy covers; Identity Center is managed through
  # the policies AWS maintains for it.
  ci_managed_policies = {
    for role_key, role in local.ci_roles : role_key => (
      role.stage == "plan" ? ["ReadOnlyAccess"] :
      role.repository == "bootstrap" ? ["AdministratorAccess"] :
      role.repository == "identity" ? ["AWSSSOMasterAccountAdministrator", "AWSSSODirectoryAdministrator"] :
      []
    )
  }

  ci_policy_attachments = merge([
    for role_key, policies in local.ci_managed_policies : {
      for policy in policies : "${role_key}/${policy}" => {
        role = role_key
        arn  = "arn:${local.partition}:iam::aws:policy/${policy}"
      }
    }
  ]...)

  # State access: every role reads its own state and the states it reads outputs from, and takes
  # the lock (a read-only plan still writes and deletes the lock: docs/reference.md "State bucket");
  # only apply roles write state.
  ci_state_statements = {
    for role_key, role in local.ci_roles : role_key => concat(
      [
        {
          Sid      = "StateList"
          Effect   = "Allow"
          Action   = "s3:ListBucket"
          Resource = local.state_bucket_arn
        },
        {
          Sid    = "StateRead"
          Effect = "Allow"
          Action = "s3:GetObject"
          Resource = [
            for key in distinct(concat([var.ci_roles[role.repository].state_key], var.ci_roles[role.repository].reads_state_keys)) :
            "${local.state_bucket_arn}/${key}"
          ]
        },
      ],
      role.stage == "apply" ? [{
        Sid      = "StateWrite"
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${local.state_bucket_arn}/${var.ci_roles[role.repository].state_key}"
      }] : [],
      local.lock_file ? [{
        Sid      = "StateLockFile"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = "${local.state_bucket_arn}/${var.ci_roles[role.repository].state_key}.tflock"
      }] : [],
      local.lock_table ? [{
        Sid      = "StateLockTable"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
        Resource = local.lock_table_arn
      }] : [],
      # SSE-KMS on the bucket and the table, and OpenTofu's client-side encryption of state and
      # plan files, all use this key.
      local.state_kms ? [{
        Sid      = "StateKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource = aws_kms_key.state[0].arn
      }] : [],
    )
  }

  # What each repository's roles need beyond state and the managed policies above.
  ci_repository_statements = {
    bootstrap_plan  = []
    bootstrap_apply = []
    # The identity repository's member-account providers use OrganizationAccountAccessRole: they
    # create the deployment roles, so they cannot use them.
    identity_plan = [local.assume_break_glass]
    identity_apply = [
      local.assume_break_glass,
      {
        Sid      = "IamRead"
        Effect   = "Allow"
        Action   = ["iam:Get*", "iam:List*"]
        Resource = "*"
      },
      {
        Sid      = "OrganizationsRead"
        Effect   = "Allow"
        Action   = ["organizations:Describe*", "organizations:List*"]
        Resource = "*"
      },
      {
        Sid       = "ServiceControlPolicies"
        Effect    = "Allow"
        Action    = ["organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:DeletePolicy", "organizations:AttachPolicy", "organizations:DetachPolicy"]
        Resource  = "*"
        Condition = { StringEquals = { "organizations:PolicyType" = "SERVICE_CONTROL_POLICY" } }
      },
      {
        Sid      = "PolicyTags"
        Effect   = "Allow"
        Action   = ["organizations:TagResource", "organizations:UntagResource"]
        Resource = "*"
      },
    ]
    # DNS and website reach their accounts only through the deployment roles that
    # aws-identity-management creates there (which trust exactly these roles).
    dns_plan      = [local.assume_member_role["readonly"]]
    dns_apply     = [local.assume_member_role["deploy"]]
    website_plan  = [local.assume_member_role["readonly"]]
    website_apply = [local.assume_member_role["deploy"]]
  }

  assume_break_glass = {
    Sid      = "MemberAccountsBreakGlass"
    Effect   = "Allow"
    Action   = ["sts:AssumeRole", "sts:TagSession"]
    Resource = "${local.member_role}/${var.member_roles.break_glass}"
  }

  assume_member_role = {
    for role in ["readonly", "deploy"] : role => {
      Sid      = "MemberAccountsDeploymentRole"
      Effect   = "Allow"
      Action   = ["sts:AssumeRole", "sts:TagSession"]
      Resource = "${local.member_role}/${var.member_roles[role]}"
    }
  }
}

resource "aws_iam_role_policy_attachment" "ci" {
  for_each = local.ci_policy_attachments

  role       = aws_iam_role.ci[each.value.role].name
  policy_arn = each.value.arn
}

resource "aws_iam_role_policy" "ci" {
  for_each = local.ci_roles

  name = "ci"
  role = aws_iam_role.ci[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.ci_state_statements[each.key], local.ci_repository_statements[each.key])
  })
}
