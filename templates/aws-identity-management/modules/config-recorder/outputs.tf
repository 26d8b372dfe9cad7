output "recorder" {
  description = "Name, role and recording state of the account's recorder, and its delivery bucket."
  value = {
    name       = aws_config_configuration_recorder.this.name
    role_arn   = aws_config_configuration_recorder.this.role_arn
    recording  = aws_config_configuration_recorder_status.this.is_enabled
    bucket     = aws_config_delivery_channel.this.s3_bucket_name
    frequency  = one(aws_config_configuration_recorder.this.recording_mode[*].recording_frequency)
    all_global = one(aws_config_configuration_recorder.this.recording_group[*].include_global_resource_types)
  }
}
