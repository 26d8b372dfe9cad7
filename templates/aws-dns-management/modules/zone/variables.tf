variable "domain" {
  type        = string
  description = "Zone name: a lowercase FQDN without trailing dot (IDN already as punycode)."
}

variable "comment" {
  type        = string
  description = "Comment shown on the hosted zone."
}

variable "records" {
  type = map(object({
    name   = string
    type   = string
    ttl    = optional(number)
    values = optional(list(string))
    alias = optional(object({
      target                 = string
      zone_id                = string
      evaluate_target_health = optional(bool, false)
    }))
  }))
  description = "Record sets keyed \"<fqdn>/<type>\"; names are lowercase FQDNs, TXT values already split into 255-character strings."
  default     = {}
}

variable "adopted" {
  type        = bool
  description = "The zone existed before (imported): records may overwrite the ones already in it."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags of the hosted zone (the provider adds its default_tags)."
  default     = {}
}
