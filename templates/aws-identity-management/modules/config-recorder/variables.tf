variable "bucket" {
  type        = string
  description = "Name of the management account's Config bucket (aws-bootstrap output config_bucket)."
}

variable "recording_frequency" {
  type        = string
  description = "CONTINUOUS or DAILY."
}
