# Read by the other repositories through terraform_remote_state: keep names and types stable.

output "organization_id" {
  description = "Id of the organisation (o-...)."
  value       = tostring(aws_organizations_organization.this.id)
}

output "root_id" {
  description = "Id of the organisation root (r-...)."
  value       = tostring(local.root_id)
}

output "ou_ids" {
  description = "OU ids keyed by OU path (\"Workloads/Production\")."
  value       = tomap(local.ou_ids)
}

output "account_ids" {
  description = "Account ids keyed by account key; \"management\" is the management account."
  value = tomap(merge(
    { management = aws_organizations_organization.this.master_account_id },
    { for key, account in aws_organizations_account.this : key => account.id },
  ))
}

output "state_bucket" {
  description = "Name of the shared state bucket."
  value       = tostring(aws_s3_bucket.state.bucket)
}

output "lock_table" {
  description = "Name of the DynamoDB lock table; null when locking uses S3 lock files only."
  value       = one(aws_dynamodb_table.lock[*].name)
}

output "state_kms_key_arn" {
  description = "ARN of the KMS key for state encryption; null when state.encryption is none."
  value       = one(aws_kms_key.state[*].arn)
}

output "cloudtrail_bucket" {
  description = "Name of the organisation trail's log bucket; null when CloudTrail is disabled."
  value       = try(aws_s3_bucket.log["cloudtrail"].bucket, null)
}

output "config_bucket" {
  description = "Name of the AWS Config delivery bucket; null when AWS Config is disabled."
  value       = try(aws_s3_bucket.log["config"].bucket, null)
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider of the management account."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "ci_role_arns" {
  description = "Repository key -> ARNs of its CI roles: plan (pull requests, drift check) and apply (the gated environment)."
  value = tomap({
    for key in keys(var.ci_roles) : key => {
      plan  = aws_iam_role.ci["${key}_plan"].arn
      apply = aws_iam_role.ci["${key}_apply"].arn
    }
  })
}
