# Hardened buckets for the organisation trail and AWS Config, one set of resources for both.
# Names and ARNs are built from strings (not from the bucket resources) so that the bucket
# policies, the trail and its KMS key can refer to each other without a dependency cycle.

locals {
  log_bucket_names = {
    cloudtrail = "${var.name_prefix}-cloudtrail-${local.account_id}"
    config     = "${var.name_prefix}-config-${local.account_id}"
  }
  # Every bucket's ARN and policy exists even when its service is off; only enabled ones are used.
  log_bucket_arns = { for key, name in local.log_bucket_names : key => "arn:${local.partition}:s3:::${name}" }

  log_buckets = {
    for key, bucket in {
      cloudtrail = {
        enabled        = var.cloudtrail.enabled
        name           = local.log_bucket_names.cloudtrail
        kms            = var.cloudtrail.kms
        kms_key_arn    = var.cloudtrail.enabled && var.cloudtrail.kms ? aws_kms_key.cloudtrail[0].arn : null
        retention_days = var.cloudtrail.log_retention_days
      }
      config = {
        enabled        = var.config.enabled
        name           = local.log_bucket_names.config
        kms            = false
        kms_key_arn    = null
        retention_days = 0
      }
    } : key => bucket if bucket.enabled
  }

  # Refuse plain HTTP on every log bucket.
  deny_insecure_transport = {
    for key, arn in local.log_bucket_arns : key => {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [arn, "${arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
  }

  log_bucket_policies = {
    cloudtrail = jsonencode({
      Version   = "2012-10-17"
      Statement = concat(local.cloudtrail_bucket_statements, [local.deny_insecure_transport["cloudtrail"]])
    })
    config = jsonencode({
      Version   = "2012-10-17"
      Statement = concat(local.config_bucket_statements, [local.deny_insecure_transport["config"]])
    })
  }
}

resource "aws_s3_bucket" "log" {
  # checkov:skip=CKV_AWS_18:These buckets receive the logs; logging their access would need a log bucket for the log bucket.
  # checkov:skip=CKV_AWS_144:Single-region organisation by design; versioning and lifecycle protect the logs.
  # checkov:skip=CKV2_AWS_62:Nothing consumes object events; CloudTrail and Config write here and are read from here.
  # checkov:skip=CKV_AWS_19:Encrypted by aws_s3_bucket_server_side_encryption_configuration.log, which checkov cannot follow through for_each.
  # checkov:skip=CKV_AWS_145:SSE-KMS when the questionnaire enables security.cloudtrail.kms; SSE-S3 otherwise, by the client's choice.
  for_each = local.log_buckets

  bucket = each.value.name
}

resource "aws_s3_bucket_versioning" "log" {
  for_each = local.log_buckets

  bucket = aws_s3_bucket.log[each.key].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "log" {
  for_each = local.log_buckets

  bucket = aws_s3_bucket.log[each.key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = each.value.kms ? "aws:kms" : "AES256"
      kms_master_key_id = each.value.kms_key_arn
    }
    bucket_key_enabled = each.value.kms
  }
}

resource "aws_s3_bucket_public_access_block" "log" {
  for_each = local.log_buckets

  bucket = aws_s3_bucket.log[each.key].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "log" {
  for_each = local.log_buckets

  bucket = aws_s3_bucket.log[each.key].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "log" {
  for_each = local.log_buckets

  bucket = aws_s3_bucket.log[each.key].id
  policy = local.log_bucket_policies[each.key]

  depends_on = [aws_s3_bucket_public_access_block.log]
}

# log_retention_days = 0 keeps logs forever: no lifecycle configuration at all.
resource "aws_s3_bucket_lifecycle_configuration" "log" {
  for_each = { for key, bucket in local.log_buckets : key => bucket if bucket.retention_days > 0 }

  bucket = aws_s3_bucket.log[each.key].id

  rule {
    id     = "expire-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = each.value.retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = each.value.retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.log]
}
