output "zone_ids" {
  value       = local.zone_ids
  description = "Hosted zone id by domain (zones and delegated child zones); read by aws-website through terraform_remote_state."
}

output "name_servers" {
  value       = local.name_servers
  description = "Name servers by domain: set those of each top-level zone at the registrar (see README)."
}

output "zone_accounts" {
  value       = local.zone_account
  description = "Account key holding each zone (domain -> account key)."
}
