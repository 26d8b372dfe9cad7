variable "client_name" {
  type        = string
  description = "Client name (free text), used in descriptions and documentation."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource through the provider default_tags."
  default     = {}
}

variable "member_role_name" {
  type        = string
  description = "Role assumed in member accounts: OrganizationAccountAccessRole (the default) to apply, since the CI roles there cannot create themselves; CI plans pass the read-only role of this repository. Ephemeral, so a saved plan does not keep it: the apply of a plan made with the read-only role assumes the role given at apply time."
  default     = "OrganizationAccountAccessRole"
  ephemeral   = true
}

variable "identity_source" {
  type        = string
  description = "identity-center: users and groups are created here; external: groups come from an external identity provider (SCIM) and are only looked up by name."

  validation {
    condition     = contains(["identity-center", "external"], var.identity_source)
    error_message = "identity_source must be \"identity-center\" or \"external\"."
  }
}

variable "groups" {
  type = map(object({
    description = string
  }))
  description = "Groups by display name. Created here (identity-center) or looked up by name (external)."
  default     = {}
}

variable "users" {
  type = map(object({
    given_name   = string
    family_name  = string
    display_name = optional(string)
    email        = string
    groups       = list(string)
  }))
  description = "Users by user name (identity-center only); display_name defaults to \"given_name family_name\"."
  default     = {}

  validation {
    condition     = var.identity_source == "identity-center" || length(var.users) == 0
    error_message = "users must be empty when identity_source is \"external\": users come from the identity provider."
  }
}

variable "permission_sets" {
  type = map(object({
    description      = string
    session_duration = string
    relay_state      = optional(string)
    managed_policies = list(string)
    customer_managed_policies = list(object({
      name = string
      path = string
    }))
    inline_policy = optional(string)
    permissions_boundary = optional(object({
      managed_policy_arn = optional(string)
      customer_managed_policy = optional(object({
        name = string
        path = string
      }))
    }))
  }))
  description = "Permission sets by name. inline_policy is a minified JSON document, kept literally. Renaming a permission set replaces it and drops its assignments."
  default     = {}
}

variable "assignments" {
  type = map(object({
    permission_set = string
    principal_type = string
    principal_name = string
    account        = string
  }))
  description = "Account assignments, one per permission set, principal and account, keyed \"<permission set>/<GROUP|USER>/<principal>/<account key>\"; account \"management\" is the management account."
  default     = {}

  validation {
    condition     = alltrue([for a in values(var.assignments) : contains(["GROUP", "USER"], a.principal_type)])
    error_message = "principal_type must be GROUP or USER."
  }
}

variable "guardrail_policy" {
  type = object({
    name        = string
    description = string
    content     = string
  })
  description = "The combined guardrail SCP attached to the organisation root (null = none); content is minified JSON."
  default     = null
}

variable "custom_policies" {
  type = map(object({
    description = string
    targets     = list(string)
    content     = string
  }))
  description = "Extra SCPs by name; each target is \"root\", an account key or an OU path; content is minified JSON."
  default     = {}
}

variable "member_roles" {
  type = map(object({
    account     = string
    name        = string
    description = string
    trust       = string
    policy      = string
  }))
  description = "CI roles in member accounts, keyed \"<account key>/<role name>\": the account, name, description, and trust and inline policy as minified JSON with the placeholders $${partition}, $${account_id} (the member account) and $${management_account_id}."
  default     = {}
}

variable "imports" {
  type = object({
    users           = optional(map(string), {})
    groups          = optional(map(string), {})
    memberships     = optional(map(string), {})
    permission_sets = optional(map(string), {})
    managed_policy_attachments = optional(map(object({
      permission_set_arn = string
      policy_arn         = string
    })), {})
    customer_managed_policy_attachments = optional(map(object({
      permission_set_arn = string
      name               = string
      path               = string
    })), {})
    inline_policies        = optional(map(string), {})
    permissions_boundaries = optional(map(string), {})
    assignments = optional(map(object({
      principal_type     = string
      principal_id       = string
      account_id         = string
      permission_set_arn = string
    })), {})
    config_service_linked_roles = optional(list(string), [])
  })
  description = "What already exists in IAM Identity Center and is adopted (imported) instead of created, keyed as the resources are: user, group and membership ids, permission set ARNs, the policy attachments an adopted permission set already has, and existing account assignments with the ids that make up their import id; and the keys of member accounts whose AWSServiceRoleForConfig exists already."
  default     = {}
}

variable "config" {
  type = object({
    member_accounts     = list(string)
    recording_frequency = string
    conformance_pack = optional(object({
      name          = string
      template_body = string
    }))
  })
  description = "AWS Config: the keys of the member accounts that get a recorder here (config.tf: one module block each), how often they record, and the organisation conformance pack of AWS managed rules (its name and YAML template; null for none)."
  default = {
    member_accounts     = []
    recording_frequency = "CONTINUOUS"
  }

  validation {
    condition     = contains(["CONTINUOUS", "DAILY"], var.config.recording_frequency)
    error_message = "config.recording_frequency must be CONTINUOUS or DAILY."
  }
}
