variable "name" {
  type        = string
  description = "Amplify app name."
}

variable "description" {
  type        = string
  description = "Description of the app (at most 1,000 characters)."
}

variable "repository" {
  type        = string
  description = "GitHub repository URL of the site's source."
}

variable "branch" {
  type        = string
  description = "Production branch."
}

variable "platform" {
  type        = string
  description = "WEB (static) or WEB_COMPUTE (server-side rendering)."
}

variable "framework" {
  type        = string
  description = "Framework label of the production branch (\"Next.js - SSR\" for a Next.js app on WEB_COMPUTE); null leaves it unset."
  default     = null
}

variable "build_spec" {
  type        = string
  description = "Default build specification; an amplify.yml in the site's repository takes precedence."
}

variable "access_token" {
  type        = string
  description = "GitHub token for the Amplify GitHub App (supplied at apply time, never stored in files); null in plans."
  sensitive   = true
  default     = null
}

variable "domain" {
  type        = string
  description = "Custom domain (lowercase, punycode)."
}

variable "subdomains" {
  type        = list(string)
  description = "Subdomain prefixes served by the production branch; \"\" is the domain itself."
}

variable "tags" {
  type        = map(string)
  description = "Tags of the app and branch (the provider adds its default_tags)."
  default     = {}
}
