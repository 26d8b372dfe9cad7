variable "account_key" {
  type        = string
  description = "Questionnaire key of the member account the roles are created in."
}

variable "management_account_id" {
  type        = string
  description = "Id of the management account whose CI roles assume the deployment roles."
}

variable "readonly_role_name" {
  type        = string
  description = "Name of the read-only role that CI plan jobs assume."
}

variable "deploy_role_name" {
  type        = string
  description = "Name of the deployment role that CI apply jobs assume (exempted from the guardrail SCP)."
}

variable "readonly_trusted_roles" {
  type        = list(string)
  description = "Names of the management-account CI plan roles allowed to assume the read-only role."
}

variable "deploy_trusted_roles" {
  type        = list(string)
  description = "Names of the management-account CI apply roles allowed to assume the deployment role."
}

variable "readonly_policy_arns" {
  type        = list(string)
  description = "Managed policies attached to the read-only role."
  default     = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

variable "deploy_policy_arns" {
  type        = list(string)
  description = "Managed policies attached to the deployment role."
  default     = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
