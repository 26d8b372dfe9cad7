output "zone_id" {
  value       = aws_route53_zone.this.zone_id
  description = "Hosted zone id."
}

output "name_servers" {
  value       = aws_route53_zone.this.name_servers
  description = "The zone's name servers (to set at the registrar or in the parent zone)."
}

output "records" {
  value = {
    for key, record in aws_route53_record.this : key => {
      name    = record.name
      type    = record.type
      ttl     = record.ttl
      records = record.records
      alias   = record.alias
    }
  }
  description = "Record sets by \"<fqdn>/<type>\" (read by the repository's tests)."
}
