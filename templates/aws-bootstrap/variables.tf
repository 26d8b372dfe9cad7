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
  })
  description = "The organisation: an existing id to adopt (import) and the management account (its id, when known, guards against applying in the wrong account)."
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
  })
  description = "Organisation trail: on/off, SSE-KMS with a dedicated key, and days before logs expire (0 = keep forever)."
}

variable "config" {
  type = object({
    enabled             = bool
    recording_frequency = string
    aggregator          = bool
  })
  description = "AWS Config in the management account: recorder on/off, CONTINUOUS or DAILY, and an organisation-wide aggregator."

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
    bucket         = string
    region         = string
    locking        = string
    dynamodb_table = string
    encryption     = string
    kms_key_alias  = string
  })
  description = "Shared state backend of every repository: bucket, region, locking (dynamodb, lockfile or both), lock table, encryption (none or kms) and the KMS key alias."

  validation {
    condition     = contains(["dynamodb", "lockfile", "both"], var.state.locking)
    error_message = "state.locking must be dynamodb, lockfile or both."
  }

  validation {
    condition     = contains(["none", "kms"], var.state.encryption)
    error_message = "state.encryption must be none or kms."
  }
}
