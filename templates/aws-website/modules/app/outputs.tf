output "app_id" {
  value       = aws_amplify_app.this.id
  description = "Amplify app id."
}

output "default_domain" {
  value       = aws_amplify_app.this.default_domain
  description = "The app's amplifyapp.com domain."
}

output "certificate_verification_dns_record" {
  value       = aws_amplify_domain_association.this.certificate_verification_dns_record
  description = "Certificate validation record, \"<name> CNAME <value>\"."
}

output "sub_domain_dns_records" {
  value       = { for sub in aws_amplify_domain_association.this.sub_domain : sub.prefix => sub.dns_record }
  description = "Routing record of each subdomain prefix, \"<prefix> CNAME <target>\" (the prefix is empty for the domain itself)."
}
