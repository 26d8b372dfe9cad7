resource "aws_iam_account_password_policy" "this" {
  # checkov:skip=CKV_AWS_9:Expiry is the client's answer (security.password_policy.max_age_days); NIST SP 800-63B advises against forced rotation.
  minimum_password_length        = var.password_policy.minimum_length
  require_symbols                = var.password_policy.require_symbols
  require_numbers                = var.password_policy.require_numbers
  require_uppercase_characters   = var.password_policy.require_uppercase
  require_lowercase_characters   = var.password_policy.require_lowercase
  password_reuse_prevention      = var.password_policy.reuse_prevention
  allow_users_to_change_password = true
  # 0 in the questionnaire means "never expire", which IAM expresses by leaving the age unset.
  max_password_age = var.password_policy.max_age_days == 0 ? null : var.password_policy.max_age_days
}
