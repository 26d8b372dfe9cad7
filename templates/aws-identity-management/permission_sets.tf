locals {
  managed_policy_attachments = merge([
    for name, ps in var.permission_sets : {
      for arn in ps.managed_policies : "${name}/${arn}" => { permission_set = name, arn = arn }
    }
  ]...)

  customer_managed_policy_attachments = merge([
    for name, ps in var.permission_sets : {
      for policy in ps.customer_managed_policies : "${name}/${policy.path}${policy.name}" => {
        permission_set = name
        name           = policy.name
        path           = policy.path
      }
    }
  ]...)

  permissions_boundaries = { for name, ps in var.permission_sets : name => ps.permissions_boundary if ps.permissions_boundary != null }
}

# Keyed by name: renaming a permission set replaces it and drops its assignments
# (docs/reference.md "Identity Center").
resource "aws_ssoadmin_permission_set" "this" {
  for_each = var.permission_sets

  instance_arn     = local.instance_arn
  name             = each.key
  description      = each.value.description != "" ? each.value.description : null
  session_duration = each.value.session_duration
  relay_state      = each.value.relay_state
}

resource "aws_ssoadmin_managed_policy_attachment" "this" {
  for_each = local.managed_policy_attachments

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.permission_set].arn
  managed_policy_arn = each.value.arn
}

# The customer-managed policy must exist (same name and path) in every account the permission set
# is assigned to, or the assignment fails to provision.
resource "aws_ssoadmin_customer_managed_policy_attachment" "this" {
  for_each = local.customer_managed_policy_attachments

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.permission_set].arn

  customer_managed_policy_reference {
    name = each.value.name
    path = each.value.path
  }
}

# inline_policy is minified JSON from client.auto.tfvars.json: strings of .tfvars.json files are
# read literally, so IAM variables such as ${aws:PrincipalTag/team} stay data.
resource "aws_ssoadmin_permission_set_inline_policy" "this" {
  for_each = { for name, ps in var.permission_sets : name => ps.inline_policy if ps.inline_policy != null }

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.key].arn
  inline_policy      = each.value
}

resource "aws_ssoadmin_permissions_boundary_attachment" "this" {
  for_each = local.permissions_boundaries

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.key].arn

  permissions_boundary {
    managed_policy_arn = each.value.managed_policy_arn

    dynamic "customer_managed_policy_reference" {
      for_each = each.value.customer_managed_policy != null ? [each.value.customer_managed_policy] : []

      content {
        name = customer_managed_policy_reference.value.name
        path = customer_managed_policy_reference.value.path
      }
    }
  }
}
