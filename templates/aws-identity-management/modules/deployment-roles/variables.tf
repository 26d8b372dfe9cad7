variable "account_key" {
  type        = string
  description = "Questionnaire key of the member account the roles are created in."
}

variable "account_id" {
  type        = string
  description = "Id of that member account (fills $${account_id} in the policies)."
}

variable "management_account_id" {
  type        = string
  description = "Id of the management account whose CI roles assume these roles."
}

variable "partition" {
  type        = string
  description = "AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."
}

variable "roles" {
  type = map(object({
    description         = string
    trust               = string
    policy              = string
    managed_policy_arns = optional(list(string), [])
  }))
  description = "Roles by name: description, trust and inline policy as minified JSON with the placeholders $${partition}, $${account_id} and $${management_account_id}, and managed policies (none generated)."
}
