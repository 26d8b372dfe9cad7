locals {
  roles = {
    readonly = { name = var.readonly_role_name, trusted = var.readonly_trusted_roles, policies = var.readonly_policy_arns }
    deploy   = { name = var.deploy_role_name, trusted = var.deploy_trusted_roles, policies = var.deploy_policy_arns }
  }

  attachments = merge([
    for role, spec in local.roles : { for arn in spec.policies : "${role}/${arn}" => { role = role, arn = arn } }
  ]...)
}

# Trust the management account, limited to the named CI roles by aws:PrincipalArn: a role ARN as
# principal would be rewritten to an internal id if the CI role were ever recreated.
# sts:TagSession lets the CI pass session tags along the role chain.
locals {
  trust_policies = {
    for role, spec in local.roles : role => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "ManagementAccountCiRoles"
        Effect    = "Allow"
        Action    = ["sts:AssumeRole", "sts:TagSession"]
        Principal = { AWS = "arn:aws:iam::${var.management_account_id}:root" }
        Condition = {
          ArnEquals = {
            "aws:PrincipalArn" = [for name in spec.trusted : "arn:aws:iam::${var.management_account_id}:role/${name}"]
          }
        }
      }]
    })
  }
}

resource "aws_iam_role" "this" {
  for_each = local.roles

  name               = each.value.name
  description        = "CI ${each.key} role, assumed from the management account"
  assume_role_policy = local.trust_policies[each.key]

  # CI reaches this role by chaining from its OIDC role, and chained sessions last at most one
  # hour (docs/reference.md "GitHub Actions OIDC and CI roles").
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.attachments

  role       = aws_iam_role.this[each.value.role].name
  policy_arn = each.value.arn
}
