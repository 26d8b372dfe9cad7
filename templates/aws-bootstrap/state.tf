# The shared state backend of every repository (docs/reference.md "State bucket"). Names come from the
# questionnaire through var.state, so backend.hcl and these resources always agree.

locals {
  state_kms  = var.state.encryption == "kms"
  lock_table = contains(["dynamodb", "both"], var.state.locking)
  # From the name, so the policy is known at plan time.
  state_bucket_arn = "arn:${local.partition}:s3:::${var.state.bucket}"

  # Each repository's state has its own KMS key, so that the right to decrypt a state follows the
  # right to read it (ci_roles.tf). A key per repository rather than an encryption context: with S3
  # Bucket Keys the SSE-KMS context is the bucket's ARN, not the object's
  # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html), so it cannot tell
  # states apart. aws-bootstrap's own state uses the bucket's default key (aws_kms_key.state).
  repository_kms_keys = local.state_kms ? { for key, alias in var.state.kms_key_aliases : key => alias if key != "bootstrap" } : {}
  # Key policy of every state key: the account's IAM policies decide who may use it.
  state_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIamPolicies"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  state_kms_arns = merge(
    { for key, k in aws_kms_key.repository : key => k.arn },
    { bootstrap = one(aws_kms_key.state[*].arn) },
  )
}

resource "aws_kms_key" "state" {
  count    = local.state_kms ? 1 : 0
  provider = aws.state

  description             = "OpenTofu state encryption (S3 SSE and OpenTofu client-side state encryption)"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  # The account's IAM policies decide who may use the key (the CI roles are granted it there).
  policy = local.state_key_policy

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

resource "aws_kms_key" "repository" {
  for_each = local.repository_kms_keys
  provider = aws.state

  description             = "OpenTofu state of ${each.key} (S3 SSE and OpenTofu client-side state and plan encryption)"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  # The account's IAM policies decide who may use the key: only the CI roles of the repository and of
  # the repositories that read its state are granted it (ci_roles.tf).
  policy = local.state_key_policy

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_alias" "repository" {
  for_each = local.repository_kms_keys
  provider = aws.state

  name          = each.value
  target_key_id = aws_kms_key.repository[each.key].key_id
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

# TLS only, and every CI role denied every object but its own state, its lock, the states it reads
# and its saved plans: a Deny in the bucket's policy holds whatever else a role is granted
# (aws-bootstrap's apply role has AdministratorAccess) and covers keys that do not exist yet.
# The document is orgscaffold's ("state_bucket_policy"), with placeholders for the partition and
# this account's id.
resource "aws_s3_bucket_policy" "state" {
  provider = aws.state

  bucket = aws_s3_bucket.state.id
  policy = templatestring(var.state_bucket_policy, { partition = local.partition, account_id = local.account_id })

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

  # Saved plans travel from a workflow's plan job to its apply job under plans/; the apply job
  # deletes its plan, and a plan nobody approved expires.
  rule {
    id     = "expire-saved-plans"
    status = "Enabled"

    filter {
      prefix = "plans/"
    }

    expiration {
      days = 7
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
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
