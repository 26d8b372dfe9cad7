# AWS Config in the management account, and its bucket for the member accounts' recorders too
# (docs/reference.md "CloudTrail and Config").

locals {
  config_bucket_arn = local.log_bucket_arns.config

  # The accounts whose recorders deliver here: this one, and the member accounts whose recorders
  # aws-identity-management creates (var.config.member_accounts).
  config_source_accounts = concat(
    [local.account_id],
    [for key, account in aws_organizations_account.this : account.id if contains(var.config.member_accounts, key)],
  )

  # The AWS-documented delivery permissions, limited to those accounts' deliveries, each into its
  # own prefix: https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
  # (a recorder in another account delivers through the config.amazonaws.com principal).
  config_bucket_statements = [
    {
      Sid       = "AWSConfigBucketPermissionsCheck"
      Effect    = "Allow"
      Principal = { Service = "config.amazonaws.com" }
      Action    = "s3:GetBucketAcl"
      Resource  = local.config_bucket_arn
      Condition = { StringEquals = { "aws:SourceAccount" = local.config_source_accounts } }
    },
    {
      Sid       = "AWSConfigBucketExistenceCheck"
      Effect    = "Allow"
      Principal = { Service = "config.amazonaws.com" }
      Action    = "s3:ListBucket"
      Resource  = local.config_bucket_arn
      Condition = { StringEquals = { "aws:SourceAccount" = local.config_source_accounts } }
    },
    {
      Sid       = "AWSConfigBucketDelivery"
      Effect    = "Allow"
      Principal = { Service = "config.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = [for id in local.config_source_accounts : "${local.config_bucket_arn}/AWSLogs/${id}/Config/*"]
      Condition = {
        StringEquals = {
          "aws:SourceAccount" = local.config_source_accounts
          "s3:x-amz-acl"      = "bucket-owner-full-control"
        }
      }
    },
  ]
}

# The recorder uses the service-linked role AWSServiceRoleForConfig.
resource "aws_iam_service_linked_role" "config" {
  count = var.config.enabled ? 1 : 0

  aws_service_name = "config.amazonaws.com"
}

resource "aws_config_configuration_recorder" "this" {
  count = var.config.enabled ? 1 : 0

  # An adopted recorder keeps its name: a new name would replace it.
  name     = coalesce(var.config.existing_recorder, "default")
  role_arn = aws_iam_service_linked_role.config[0].arn

  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }

  recording_mode {
    recording_frequency = var.config.recording_frequency
  }
}

resource "aws_config_delivery_channel" "this" {
  count = var.config.enabled ? 1 : 0

  name           = coalesce(var.config.existing_delivery_channel, "default")
  s3_bucket_name = aws_s3_bucket.log["config"].bucket

  depends_on = [
    aws_config_configuration_recorder.this,
    aws_s3_bucket_policy.log,
  ]
}

# Recording starts only once the delivery channel exists.
resource "aws_config_configuration_recorder_status" "this" {
  count = var.config.enabled ? 1 : 0

  name       = aws_config_configuration_recorder.this[0].name
  is_enabled = true

  depends_on = [aws_config_delivery_channel.this]
}

resource "aws_iam_role" "config_aggregator" {
  count = var.config.aggregator ? 1 : 0

  name = "${var.name_prefix}-config-aggregator"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "config.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "config_aggregator" {
  count = var.config.aggregator ? 1 : 0

  role       = aws_iam_role.config_aggregator[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
}

resource "aws_config_configuration_aggregator" "organization" {
  count = var.config.aggregator ? 1 : 0

  name = "${var.name_prefix}-organization"

  organization_aggregation_source {
    all_regions = true
    role_arn    = aws_iam_role.config_aggregator[0].arn
  }

  # Needs config-multiaccountsetup.amazonaws.com trusted by the organisation.
  depends_on = [
    aws_iam_role_policy_attachment.config_aggregator,
    aws_organizations_organization.this,
  ]
}
