output "role_arns" {
  description = "Account key -> ARNs of the read-only and deployment roles."
  value = {
    (var.account_key) = {
      readonly = aws_iam_role.this["readonly"].arn
      deploy   = aws_iam_role.this["deploy"].arn
    }
  }
}

output "trust_policies" {
  description = "Role (readonly, deploy) -> trust policy document (JSON)."
  value       = local.trust_policies
}

output "max_session_durations" {
  description = "Role (readonly, deploy) -> maximum session duration in seconds."
  value       = { for role, r in aws_iam_role.this : role => r.max_session_duration }
}
