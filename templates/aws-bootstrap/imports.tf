# What already exists is adopted, not created: one import block per kind of object, driven by the
# ids the questionnaire gives (var.imports; `orgscaffold discover` writes them). Creating any of
# these a second time fails (a second organisation, a duplicate OU, a second OIDC provider for the
# same URL, a second Config recorder). An import block whose object is already in the state does
# nothing, so the ids stay in the questionnaire after the first apply.
# https://developer.hashicorp.com/terraform/language/import
# https://opentofu.org/docs/language/import/ (for_each in import blocks: Terraform and OpenTofu >= 1.7)

import {
  for_each = var.imports.organization == null ? {} : { this = var.imports.organization }
  to       = aws_organizations_organization.this
  id       = each.value
}

# One block per OU level, as organizations.tf creates them; OU keys are paths ("Workloads/Production").
import {
  for_each = { for path, id in var.imports.organizational_units : path => id if length(split("/", path)) == 1 }
  to       = aws_organizations_organizational_unit.level1[each.key]
  id       = each.value
}

import {
  for_each = { for path, id in var.imports.organizational_units : path => id if length(split("/", path)) == 2 }
  to       = aws_organizations_organizational_unit.level2[each.key]
  id       = each.value
}

import {
  for_each = { for path, id in var.imports.organizational_units : path => id if length(split("/", path)) == 3 }
  to       = aws_organizations_organizational_unit.level3[each.key]
  id       = each.value
}

import {
  for_each = { for path, id in var.imports.organizational_units : path => id if length(split("/", path)) == 4 }
  to       = aws_organizations_organizational_unit.level4[each.key]
  id       = each.value
}

import {
  for_each = { for path, id in var.imports.organizational_units : path => id if length(split("/", path)) == 5 }
  to       = aws_organizations_organizational_unit.level5[each.key]
  id       = each.value
}

# An adopted account's name and e-mail must be exactly as AWS has them: a difference replaces the
# account, which prevent_destroy turns into a failed plan (`orgscaffold check` warns).
import {
  for_each = var.imports.accounts
  to       = aws_organizations_account.this[each.key]
  id       = each.value
}

# IAM allows one OIDC provider per URL.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
import {
  for_each = var.imports.oidc_provider == null ? {} : { this = var.imports.oidc_provider }
  to       = aws_iam_openid_connect_provider.this
  id       = each.value
}

# The adopted trail becomes the organisation trail (cloudtrail.tf keeps its name).
import {
  for_each = var.imports.trail == null ? {} : { this = var.imports.trail }
  to       = aws_cloudtrail.this[0]
  id       = each.value
}

# AWS Config allows one configuration recorder per account and region.
# https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html
import {
  for_each = var.imports.config_service_linked_role ? { this = "arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig" } : {}
  to       = aws_iam_service_linked_role.config[0]
  id       = each.value
}

import {
  for_each = var.imports.config_recorder == null ? {} : { this = var.imports.config_recorder }
  to       = aws_config_configuration_recorder.this[0]
  id       = each.value
}

import {
  for_each = var.imports.config_recorder == null ? {} : { this = var.imports.config_recorder }
  to       = aws_config_configuration_recorder_status.this[0]
  id       = each.value
}

import {
  for_each = var.imports.config_delivery_channel == null ? {} : { this = var.imports.config_delivery_channel }
  to       = aws_config_delivery_channel.this[0]
  id       = each.value
}
