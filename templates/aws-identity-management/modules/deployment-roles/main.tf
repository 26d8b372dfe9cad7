# The CI roles of one member account: for each repository that manages something here, a read-only
# role for its plan jobs and a deployment role for its apply jobs, plus the read-only role through
# which aws-identity-management's own plans read these roles. Each trusts exactly one CI role of the
# management account. Their documents are orgscaffold's (client.auto.tfvars.json, "member_roles"),
# with placeholders filled in here.
locals {
  values = {
    partition             = var.partition
    account_id            = var.account_id
    management_account_id = var.management_account_id
  }

  attachments = merge([
    for name, role in var.roles : { for arn in role.managed_policy_arns : "${name}/${arn}" => { role = name, arn = arn } }
  ]...)
}

resource "aws_iam_role" "this" {
  for_each = var.roles

  name               = each.key
  description        = each.value.description
  assume_role_policy = templatestring(each.value.trust, local.values)

  # CI reaches this role by chaining from its OIDC role, and chained sessions last at most one
  # hour (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "this" {
  for_each = var.roles

  name   = "ci"
  role   = aws_iam_role.this[each.key].id
  policy = templatestring(each.value.policy, local.values)
}

# Managed policies a client adds to a role by hand (none are generated); also where the managed
# policies of the shared roles of earlier releases are detached before those roles are deleted.
resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.attachments

  role       = aws_iam_role.this[each.value.role].name
  policy_arn = each.value.arn
}
