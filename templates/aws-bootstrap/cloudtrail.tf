# The organisation trail (docs/reference.md "CloudTrail and Config"). Toggled by var.cloudtrail.enabled.

locals {
  # An adopted trail keeps its name: a new name would replace it.
  trail_name = coalesce(var.cloudtrail.existing_trail, "${var.name_prefix}-organization-trail")
  # Built from strings: the bucket policy and the key policy need the ARN before the trail exists.
  trail_arn = "arn:${local.partition}:cloudtrail:${var.region}:${local.account_id}:trail/${local.trail_name}"

  cloudtrail_bucket_arn = local.log_bucket_arns.cloudtrail

  # CloudTrail may check the ACL and write the management account's logs and the organisation's
  # logs, only for this trail, with the bucket owning every object.
  cloudtrail_bucket_statements = [
    {
      Sid       = "AWSCloudTrailAclCheck"
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "s3:GetBucketAcl"
      Resource  = local.cloudtrail_bucket_arn
      Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
    },
    {
      Sid       = "AWSCloudTrailWrite"
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource = [
        "${local.cloudtrail_bucket_arn}/AWSLogs/${local.account_id}/*",
        "${local.cloudtrail_bucket_arn}/AWSLogs/${aws_organizations_organization.this.id}/*",
      ]
      Condition = {
        StringEquals = {
          "aws:SourceArn" = local.trail_arn
          "s3:x-amz-acl"  = "bucket-owner-full-control"
        }
      }
    },
  ]
}

resource "aws_kms_key" "cloudtrail" {
  count = var.cloudtrail.enabled && var.cloudtrail.kms ? 1 : 0

  description             = "CloudTrail organisation trail logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIamPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowCloudTrailEncrypt"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "kms:GenerateDataKey*"
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*" }
        }
      },
      {
        Sid       = "AllowCloudTrailDescribeKey"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "kms:DescribeKey"
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        # Readers of the logs in this account decrypt through their IAM permissions.
        Sid       = "AllowLogDecryptionInThisAccount"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt", "kms:ReEncryptFrom"]
        Resource  = "*"
        Condition = {
          StringEquals = { "kms:CallerAccount" = local.account_id }
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*" }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "cloudtrail" {
  count = var.cloudtrail.enabled && var.cloudtrail.kms ? 1 : 0

  name          = "alias/${var.name_prefix}-cloudtrail"
  target_key_id = aws_kms_key.cloudtrail[0].key_id
}

resource "aws_cloudtrail" "this" {
  # checkov:skip=CKV_AWS_252:No subscriber for delivery notifications; the trail is read from S3.
  # checkov:skip=CKV2_AWS_10:Logs are kept and queried in S3; CloudWatch Logs would double the cost.
  count = var.cloudtrail.enabled ? 1 : 0

  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.log["cloudtrail"].bucket
  is_organization_trail         = true
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = var.cloudtrail.kms ? aws_kms_key.cloudtrail[0].arn : null

  # CloudTrail checks its bucket permissions when the trail is created; an organisation trail
  # also needs the trusted service access of the organisation.
  depends_on = [
    aws_s3_bucket_policy.log,
    aws_organizations_organization.this,
  ]
}
