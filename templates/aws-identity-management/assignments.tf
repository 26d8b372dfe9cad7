# One assignment per permission set, principal and account, expanded by orgscaffold and keyed
# "<permission set>/<GROUP|USER>/<principal>/<account key>": adding an account, group or user
# never replaces existing assignments.
resource "aws_ssoadmin_account_assignment" "this" {
  for_each = var.assignments

  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.this[each.value.permission_set].arn

  principal_type = each.value.principal_type
  principal_id   = each.value.principal_type == "GROUP" ? local.group_ids[each.value.principal_name] : aws_identitystore_user.this[each.value.principal_name].user_id

  target_type = "AWS_ACCOUNT"
  target_id   = local.account_ids[each.value.account]

  # The policies must be attached before an assignment provisions the permission set.
  depends_on = [
    aws_ssoadmin_managed_policy_attachment.this,
    aws_ssoadmin_customer_managed_policy_attachment.this,
    aws_ssoadmin_permission_set_inline_policy.this,
    aws_ssoadmin_permissions_boundary_attachment.this,
  ]
}
