# The organisation, its OU tree and member accounts.

resource "aws_organizations_organization" "this" {
  feature_set = "ALL"

  # Authoritative lists (docs/reference.md "Organizations"): a principal or policy type enabled in the
  # console but missing here is disabled at the next apply, so they come from the questionnaire
  # (`orgscaffold discover` lists what an adopted organisation has enabled). orgscaffold checks that
  # Identity Center, the organisation trail and the AWS Config aggregator find theirs.
  # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html
  aws_service_access_principals = var.organization.service_access_principals

  enabled_policy_types = var.organization.enabled_policy_types

  # No prevent_destroy: AWS refuses to delete an organisation that still has member accounts, and
  # those carry prevent_destroy themselves.
  lifecycle {
    # Organizations must be driven from the management account: applying with credentials of
    # another account would create a second organisation there.
    precondition {
      condition     = var.organization.management_account.id == null || var.organization.management_account.id == data.aws_caller_identity.current.account_id
      error_message = "These credentials are not those of the management account named in the questionnaire."
    }
  }
}

locals {
  root_id = aws_organizations_organization.this.roots[0].id

  # Terraform cannot recurse, so the tree is created one level per resource (AWS allows 5 levels);
  # each level looks its parent up by path in the level above.
  ou_depth = { for path, ou in var.organizational_units : path => length(split("/", path)) }
  ou_level = { for depth in [1, 2, 3, 4, 5] : depth => { for path, ou in var.organizational_units : path => ou if local.ou_depth[path] == depth } }

  ou_ids = merge(
    { for path, ou in aws_organizations_organizational_unit.level1 : path => ou.id },
    { for path, ou in aws_organizations_organizational_unit.level2 : path => ou.id },
    { for path, ou in aws_organizations_organizational_unit.level3 : path => ou.id },
    { for path, ou in aws_organizations_organizational_unit.level4 : path => ou.id },
    { for path, ou in aws_organizations_organizational_unit.level5 : path => ou.id },
  )
}

resource "aws_organizations_organizational_unit" "level1" {
  for_each = local.ou_level[1]

  name      = each.value.name
  parent_id = local.root_id
}

resource "aws_organizations_organizational_unit" "level2" {
  for_each = local.ou_level[2]

  name      = each.value.name
  parent_id = aws_organizations_organizational_unit.level1[each.value.parent].id
}

resource "aws_organizations_organizational_unit" "level3" {
  for_each = local.ou_level[3]

  name      = each.value.name
  parent_id = aws_organizations_organizational_unit.level2[each.value.parent].id
}

resource "aws_organizations_organizational_unit" "level4" {
  for_each = local.ou_level[4]

  name      = each.value.name
  parent_id = aws_organizations_organizational_unit.level3[each.value.parent].id
}

resource "aws_organizations_organizational_unit" "level5" {
  for_each = local.ou_level[5]

  name      = each.value.name
  parent_id = aws_organizations_organizational_unit.level4[each.value.parent].id
}

resource "aws_organizations_account" "this" {
  for_each = var.accounts

  name              = each.value.name
  email             = each.value.email
  parent_id         = each.value.ou == null ? local.root_id : local.ou_ids[each.value.ou]
  close_on_deletion = each.value.close_on_deletion

  tags = {
    Purpose = each.value.purpose
  }

  lifecycle {
    # Closing an account is slow and hard to undo (docs/reference.md "Organizations").
    prevent_destroy = true

    # role_name cannot be read back, and a change to iam_user_access_to_billing recreates the
    # account (docs/reference.md "Organizations").
    ignore_changes = [role_name, iam_user_access_to_billing]
  }
}
