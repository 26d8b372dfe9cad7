# One public hosted zone with its record sets, instantiated once per account (a resource cannot
# choose its provider per instance). Delegation NS records live in the root (delegations.tf): they
# need the child zones' name servers, which other instances of this module produce.

resource "aws_route53_zone" "this" {
  # checkov:skip=CKV2_AWS_38:DNSSEC needs a KMS key in us-east-1 and a DS record at the registrar: a client decision, not a default.
  # checkov:skip=CKV2_AWS_39:Query logging needs a CloudWatch log group in us-east-1 and costs per query; off unless asked for.
  name    = var.domain
  comment = var.comment
  tags    = var.tags

  lifecycle {
    # Deleting a zone breaks mail, websites and certificates at once and a new zone gets new name
    # servers that the registrar does not know: never destroy it from code.
    prevent_destroy = true
  }
}

resource "aws_route53_record" "this" {
  for_each = var.records

  zone_id = aws_route53_zone.this.zone_id
  # Names arrive as lowercase FQDNs: the provider only appends the zone name with a plain suffix
  # check (docs/reference.md "Route 53"), so they are normalised before rendering.
  name = each.value.name
  type = each.value.type
  # Alias records have no TTL and no values (docs/reference.md "Route 53").
  ttl     = each.value.alias == null ? each.value.ttl : null
  records = each.value.alias == null ? each.value.values : null
  # Adopted zones already hold these record sets: UPSERT them instead of failing on create.
  allow_overwrite = var.adopted

  dynamic "alias" {
    for_each = each.value.alias == null ? [] : [each.value.alias]

    content {
      name                   = alias.value.target
      zone_id                = alias.value.zone_id
      evaluate_target_health = alias.value.evaluate_target_health
    }
  }
}
