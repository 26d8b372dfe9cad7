output "role_arns" {
  description = "Account key -> role name -> ARN of the CI roles in this account."
  value       = { (var.account_key) = { for name, role in aws_iam_role.this : name => role.arn } }
}

output "trust_policies" {
  description = "Role name -> trust policy document (JSON)."
  value       = { for name, role in aws_iam_role.this : name => role.assume_role_policy }
}

output "policies" {
  description = "Role name -> inline policy document (JSON)."
  value       = { for name, policy in aws_iam_role_policy.this : name => policy.policy }
}

output "max_session_durations" {
  description = "Role name -> maximum session duration in seconds."
  value       = { for name, role in aws_iam_role.this : name => role.max_session_duration }
}
