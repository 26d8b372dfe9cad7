# The shared state backend of every repository (docs/reference.md "State bucket"). Names come from the
# questionnaire through var.state, so backend.hcl and these resources always agree.

locals {
  state_kms  = var.state.encryption == "kms"
  lock_table = contains(["dynamodb", "both"], var.state.locking)
  # From the name, so the policy is known at plan time.
  state_bucket_arn = "arn:${local.partition}:s3:::${var.state.bucket}"
}

resource "aws_kms_key" "state" {
  count    = local.state_kms ? 1 : 0
  provider = aws.state

  description             = "OpenTofu state encryption (S3 SSE and OpenTofu client-side state encryption)"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  # The account's IAM policies decide who may use the key (the CI roles are granted it there).
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIamPolicies"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_alias" "state" {
  count    = local.state_kms ? 1 : 0
  provider = aws.state

  name          = var.state.kms_key_alias
  target_key_id = aws_kms_key.state[0].key_id
}

resource "aws_s3_bucket" "state" {
  # checkov:skip=CKV_AWS_18:Only the CI roles and break-glass admins reach state; CloudTrail records their sessions.
  # checkov:skip=CKV_AWS_144:Single-region organisation by design; versioning keeps every earlier state.
  # checkov:skip=CKV2_AWS_62:Nothing consumes object events from the state bucket.
  provider = aws.state

  bucket = var.state.bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  provider = aws.state

  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  provider = aws.state

  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.state_kms ? "aws:kms" : "AES256"
      kms_master_key_id = local.state_kms ? aws_kms_key.state[0].arn : null
    }
    bucket_key_enabled = local.state_kms
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  provider = aws.state

  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  provider = aws.state

  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "state" {
  provider = aws.state

  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  # A bucket policy written before the public access block can be rejected as public.
  depends_on = [aws_s3_bucket_public_access_block.state]
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  provider = aws.state

  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-noncurrent-state"
    status = "Enabled"

    filter {}

    # Old state versions are the undo history; keep three months of them.
    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

resource "aws_dynamodb_table" "lock" {
  count    = local.lock_table ? 1 : 0
  provider = aws.state

  name         = var.state.dynamodb_table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  # The S3 backend requires exactly this key (docs/reference.md "State bucket").
  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.state_kms ? aws_kms_key.state[0].arn : null
  }

  deletion_protection_enabled = true

  lifecycle {
    prevent_destroy = true
  }
}
