locals {
  scp_root_id = data.terraform_remote_state.bootstrap.outputs.root_id
  scp_ou_ids  = data.terraform_remote_state.bootstrap.outputs.ou_ids

  # "<policy>/<target>" -> target id. A target is "root", a member account key or an OU path
  # (orgscaffold rejects a name that is both an account key and an OU path).
  custom_policy_attachments = merge([
    for name, policy in var.custom_policies : {
      for target in policy.targets : "${name}/${target}" => {
        policy    = name
        target_id = target == "root" ? local.scp_root_id : contains(keys(local.account_ids), target) ? local.account_ids[target] : local.scp_ou_ids[target]
      }
    }
  ]...)
}

# All selected guardrails in one SCP on the root: five separate policies plus the AWS-managed
# FullAWSAccess (which stays attached) would exceed five SCPs per target (docs/reference.md "SCPs").
# content is minified JSON, exactly the string whose size orgscaffold checked against the
# 5,120-character limit; .tfvars.json strings are read literally.
resource "aws_organizations_policy" "guardrails" {
  count = var.guardrail_policy != null ? 1 : 0

  name        = var.guardrail_policy.name
  description = var.guardrail_policy.description
  type        = "SERVICE_CONTROL_POLICY"
  content     = var.guardrail_policy.content
}

resource "aws_organizations_policy_attachment" "guardrails" {
  count = var.guardrail_policy != null ? 1 : 0

  policy_id = aws_organizations_policy.guardrails[0].id
  target_id = local.scp_root_id
}

resource "aws_organizations_policy" "custom" {
  for_each = var.custom_policies

  name        = each.key
  description = each.value.description
  type        = "SERVICE_CONTROL_POLICY"
  content     = each.value.content
}

resource "aws_organizations_policy_attachment" "custom" {
  for_each = local.custom_policy_attachments

  policy_id = aws_organizations_policy.custom[each.value.policy].id
  target_id = each.value.target_id
}
