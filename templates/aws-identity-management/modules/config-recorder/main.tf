# AWS Config in one member account: the service-linked role, a recorder of every supported resource
# type (global ones included: each account records in one region only), and a delivery channel to the
# management account's Config bucket, whose policy aws-bootstrap writes for this account
# (var.config.member_accounts there). The organisation aggregator and the conformance pack read
# what these recorders record. docs/reference.md, "AWS Config".

# Protected by IAM itself: only AWS Config may change or delete a service-linked role.
resource "aws_iam_service_linked_role" "config" {
  aws_service_name = "config.amazonaws.com"
}

resource "aws_config_configuration_recorder" "this" {
  name     = "default"
  role_arn = aws_iam_service_linked_role.config.arn

  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }

  recording_mode {
    recording_frequency = var.recording_frequency
  }
}

resource "aws_config_delivery_channel" "this" {
  name           = "default"
  s3_bucket_name = var.bucket

  depends_on = [aws_config_configuration_recorder.this]
}

# Recording starts only once the delivery channel exists.
resource "aws_config_configuration_recorder_status" "this" {
  name       = aws_config_configuration_recorder.this.name
  is_enabled = true

  depends_on = [aws_config_delivery_channel.this]
}
