# What already exists in IAM Identity Center is adopted, not created, driven by the ids the
# questionnaire gives (var.imports; `orgscaffold discover` writes them). Creating them again fails
# (a user name, group name or permission set name is taken; a policy is already attached; an
# assignment exists). An import block whose object is already in the state does nothing.
# https://developer.hashicorp.com/terraform/language/import
# Import ids: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_user#import
# and the other identitystore_* and ssoadmin_* resource pages.

import {
  for_each = var.imports.groups
  to       = aws_identitystore_group.this[each.key]
  id       = "${local.identity_store_id}/${each.value}"
}

import {
  for_each = var.imports.users
  to       = aws_identitystore_user.this[each.key]
  id       = "${local.identity_store_id}/${each.value}"
}

import {
  for_each = var.imports.memberships
  to       = aws_identitystore_group_membership.this[each.key]
  id       = "${local.identity_store_id}/${each.value}"
}

import {
  for_each = var.imports.permission_sets
  to       = aws_ssoadmin_permission_set.this[each.key]
  id       = "${each.value},${local.instance_arn}"
}

import {
  for_each = var.imports.managed_policy_attachments
  to       = aws_ssoadmin_managed_policy_attachment.this[each.key]
  id       = "${each.value.policy_arn},${each.value.permission_set_arn},${local.instance_arn}"
}

import {
  for_each = var.imports.customer_managed_policy_attachments
  to       = aws_ssoadmin_customer_managed_policy_attachment.this[each.key]
  id       = "${each.value.name},${each.value.path},${each.value.permission_set_arn},${local.instance_arn}"
}

import {
  for_each = var.imports.inline_policies
  to       = aws_ssoadmin_permission_set_inline_policy.this[each.key]
  id       = "${each.value},${local.instance_arn}"
}

import {
  for_each = var.imports.permissions_boundaries
  to       = aws_ssoadmin_permissions_boundary_attachment.this[each.key]
  id       = "${each.value},${local.instance_arn}"
}

import {
  for_each = var.imports.assignments
  to       = aws_ssoadmin_account_assignment.this[each.key]
  id       = "${each.value.principal_id},${each.value.principal_type},${each.value.account_id},AWS_ACCOUNT,${each.value.permission_set_arn},${local.instance_arn}"
}
