# The organisation instance of IAM Identity Center (enabled in the console: docs/reference.md
# "Identity Center") gives the instance ARN and the identity store id.
data "aws_ssoadmin_instances" "this" {}

locals {
  instance_arn      = one(data.aws_ssoadmin_instances.this.arns)
  identity_store_id = one(data.aws_ssoadmin_instances.this.identity_store_ids)

  create_directory = var.identity_source == "identity-center"

  # Group display name -> group id, whether created here or provisioned by the external IdP.
  group_ids = merge(
    { for name, group in aws_identitystore_group.this : name => group.group_id },
    { for name, group in data.aws_identitystore_group.external : name => group.group_id },
  )

  # "group/user" -> membership; user names contain no "/", so the key is unique.
  memberships = merge([
    for user_name, user in var.users : {
      for group in user.groups : "${group}/${user_name}" => { group = group, user = user_name }
    }
  ]...)
}

resource "aws_identitystore_group" "this" {
  for_each = local.create_directory ? var.groups : {}

  identity_store_id = local.identity_store_id
  display_name      = each.key
  description       = each.value.description != "" ? each.value.description : null
}

# External identity provider (SCIM): the groups exist already; look them up by display name.
# alternate_identifier works on provider 5.x and 6.x (the filter argument was removed in 6.0).
data "aws_identitystore_group" "external" {
  for_each = local.create_directory ? {} : var.groups

  identity_store_id = local.identity_store_id

  alternate_identifier {
    unique_attribute {
      attribute_path  = "DisplayName"
      attribute_value = each.key
    }
  }
}

resource "aws_identitystore_user" "this" {
  for_each = local.create_directory ? var.users : {}

  identity_store_id = local.identity_store_id
  user_name         = each.key
  display_name      = each.value.display_name != null ? each.value.display_name : "${each.value.given_name} ${each.value.family_name}"

  name {
    given_name  = each.value.given_name
    family_name = each.value.family_name
  }

  # An Identity Center user holds at most one e-mail address.
  emails {
    value   = each.value.email
    primary = true
  }
}

resource "aws_identitystore_group_membership" "this" {
  for_each = local.memberships

  identity_store_id = local.identity_store_id
  group_id          = aws_identitystore_group.this[each.value.group].group_id
  member_id         = aws_identitystore_user.this[each.value.user].user_id
}
