# Every value below arrives from client.auto.tfvars.json, rendered from the client questionnaire.

variable "client_name" {
  type        = string
  description = "Client name (free text); used in descriptions and documentation only."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource through the provider's default_tags."
  default     = {}
}

variable "name_prefix" {
  type        = string
  description = "Client slug: prefix of the names of the trail, the log buckets and the KMS aliases."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be a slug: lowercase letters, digits and hyphens, 3 to 32 characters."
  }
}

variable "region" {
  type        = string
  description = "Home region: Organizations calls, the organisation trail, AWS Config and Identity Center."
}

variable "organization" {
  type = object({
    existing_id = optional(string)
    management_account = object({
      name  = string
      email = string
      id    = optional(string)
    })
    service_access_principals = list(string)
    enabled_policy_types      = list(string)
  })
  description = "The organisation: an existing id to adopt (import), the management account (its id, when known, guards against applying in the wrong account), and the trusted services and policy types it enables (authoritative lists)."
}

variable "organizational_units" {
  type = map(object({
    name   = string
    parent = optional(string)
  }))
  description = "OUs keyed by path (\"Workloads/Production\"); parent is the parent's path, null for the root."
  default     = {}

  validation {
    condition     = alltrue([for path, ou in var.organizational_units : length(split("/", path)) <= 5])
    error_message = "OUs nest at most 5 levels deep (AWS limit)."
  }

  validation {
    condition = alltrue([
      for path, ou in var.organizational_units :
      path == (ou.parent == null ? ou.name : "${ou.parent}/${ou.name}") && (ou.parent == null || contains(keys(var.organizational_units), coalesce(ou.parent, "-")))
    ])
    error_message = "Each OU key must be its parent's path plus \"/\" plus its name, and each parent must be listed."
  }
}

variable "accounts" {
  type = map(object({
    name              = string
    email             = string
    ou                = optional(string)
    purpose           = string
    id                = optional(string)
    close_on_deletion = optional(bool, false)
  }))
  description = "Member accounts keyed by stable account key; ou is an OU path (null = the root); id adopts an existing account."
  default     = {}

  validation {
    condition     = alltrue([for key, account in var.accounts : account.ou == null || contains(keys(var.organizational_units), coalesce(account.ou, "-"))])
    error_message = "Every account's ou must be a path listed in organizational_units."
  }
}

variable "cloudtrail" {
  type = object({
    enabled            = bool
    kms                = bool
    log_retention_days = number
    existing_trail     = optional(string)
  })
  description = "Organisation trail: on/off, SSE-KMS with a dedicated key, days before logs expire (0 = keep forever), and the name of an existing trail adopted as the organisation trail (null = a new one)."
}

variable "config" {
  type = object({
    enabled                      = bool
    recording_frequency          = string
    aggregator                   = bool
    existing_recorder            = optional(string)
    existing_delivery_channel    = optional(string)
    existing_service_linked_role = optional(bool, false)
    member_accounts              = optional(list(string), [])
  })
  description = "AWS Config in the management account: recorder on/off, CONTINUOUS or DAILY, an organisation-wide aggregator, the names of an existing recorder and delivery channel that are adopted (null = new ones named \"default\"), and the keys of the member accounts whose recorders (aws-identity-management) deliver to the Config bucket."

  validation {
    condition     = contains(["CONTINUOUS", "DAILY"], var.config.recording_frequency)
    error_message = "config.recording_frequency must be CONTINUOUS or DAILY."
  }
}

variable "password_policy" {
  type = object({
    minimum_length    = number
    require_symbols   = bool
    require_numbers   = bool
    require_uppercase = bool
    require_lowercase = bool
    reuse_prevention  = number
    max_age_days      = number
  })
  description = "IAM account password policy of the management account (max_age_days 0 = passwords never expire)."
}

variable "state" {
  type = object({
    bucket          = string
    region          = string
    locking         = string
    dynamodb_table  = string
    encryption      = string
    kms_key_alias   = string
    kms_key_aliases = map(string)
  })
  description = "Shared state backend of every repository: bucket, region, locking (dynamodb, lockfile or both), lock table, encryption (none or kms), the alias of the bucket's default KMS key (this repository's state) and the alias of each repository's state key, by repository key."

  validation {
    condition     = contains(["dynamodb", "lockfile", "both"], var.state.locking)
    error_message = "state.locking must be dynamodb, lockfile or both."
  }

  validation {
    condition     = contains(["none", "kms"], var.state.encryption)
    error_message = "state.encryption must be none or kms."
  }
}

variable "github" {
  type = object({
    owner        = string
    owner_id     = optional(number)
    subject_form = string
  })
  description = "GitHub owner of the repositories, its numeric id (null when unknown) and the OIDC subject form the CI roles trust: immutable (repo:<owner>@<owner_id>/<repo>@<repo_id>:...) or legacy (repo:<owner>/<repo>:...)."

  validation {
    condition     = contains(["immutable", "legacy"], var.github.subject_form)
    error_message = "github.subject_form must be immutable or legacy."
  }
}

variable "ci_roles" {
  type = map(object({
    name             = string
    repository_id    = optional(number)
    state_key        = string
    reads_state_keys = list(string)
    plan_role        = string
    apply_role       = string
    plan_subjects    = list(string)
    apply_subjects   = list(string)
  }))
  description = "CI roles of each generated repository, keyed by repository key: repository name and id, its state key and the state keys it reads outputs from, the role names, and the exact OIDC subjects each role trusts."

  validation {
    condition     = alltrue([for key in keys(var.ci_roles) : contains(["bootstrap", "identity", "dns", "website"], key)])
    error_message = "ci_roles keys must be bootstrap, identity, dns or website."
  }

  validation {
    condition     = alltrue([for repo in var.ci_roles : length(repo.plan_subjects) > 0 && length(repo.apply_subjects) > 0])
    error_message = "Every CI role must trust at least one subject (a role without a subject condition trusts all of GitHub)."
  }
}

variable "ci_policies" {
  type = map(object({
    managed_policies = list(string)
    policy           = string
  }))
  description = "Permissions of each CI role, keyed \"<repository key>_<plan|apply>\": AWS managed policy names, and the inline policy as minified JSON with the placeholders $${partition}, $${account_id} and $${kms_<repository key>} (filled in with templatestring)."

  validation {
    condition     = alltrue([for key, role in var.ci_policies : !(endswith(key, "_plan") && anytrue([for p in role.managed_policies : contains(["ReadOnlyAccess", "ViewOnlyAccess", "AdministratorAccess", "PowerUserAccess"], p)]))])
    error_message = "A plan role must not have a broad AWS managed policy: it runs for every pull request."
  }
}

variable "state_bucket_policy" {
  type        = string
  description = "Policy of the state bucket as minified JSON with the placeholders $${partition} and $${account_id}: TLS only, and each CI role denied every object but its own state, lock, upstream states and saved plans."
}

variable "imports" {
  type = object({
    organization               = optional(string)
    organizational_units       = optional(map(string), {})
    accounts                   = optional(map(string), {})
    oidc_provider              = optional(string)
    trail                      = optional(string)
    config_recorder            = optional(string)
    config_delivery_channel    = optional(string)
    config_service_linked_role = optional(bool, false)
  })
  description = "What already exists in AWS and is adopted (imported) instead of created, by the ids the questionnaire gives: the organisation id, OU ids by path, account ids by key, the GitHub OIDC provider ARN, the trail name, the Config recorder and delivery channel names, and whether AWSServiceRoleForConfig exists."
  default     = {}
}
