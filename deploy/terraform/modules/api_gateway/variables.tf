# The seed's interface (name ... cors_allowed_origins), with the gateway settings kemu.yaml adds.

variable "name" {
  description = "API name suffix: the REST API is {environment}-{name}."
  type        = string
}

variable "environment" {
  description = "Deployment environment."
  type        = string
  default     = "dev"
}

variable "event_streams" {
  description = "Stream per event type."
  type = map(object({
    stream_name = string
    stream_arn  = string
    kms_key_arn = string
  }))
}

variable "stage_name" {
  description = "Stage name."
  type        = string
  default     = "v1"
}

variable "throttling_rate_limit" {
  description = "Stage requests per second (> 0)."
  type        = number
  default     = 10000
}

variable "throttling_burst_limit" {
  description = "Stage burst (>= 1)."
  type        = number
  default     = 5000
}

variable "enable_access_logging" {
  description = "Write access logs to CloudWatch Logs."
  type        = bool
  default     = true
}

variable "api_key_required" {
  description = "POST methods require an API key."
  type        = bool
  default     = false
}

variable "cors_allowed_origins" {
  description = "Access-Control-Allow-Origin: one origin or * (static), several (echoed when listed), none (no CORS headers)."
  type        = list(string)
  default     = ["*"]
}

variable "manage_account_logging_role" {
  description = "Manage aws_api_gateway_account (one per account and region)."
  type        = bool
  default     = true
}

variable "passthrough_behavior" {
  description = "POST integrations' passthrough_behavior."
  type        = string
  default     = "NEVER"
}

variable "integration_responses" {
  description = "recommended (200, 400, 500), default-only (200) or none."
  type        = string
  default     = "recommended"
}

variable "gateway_response_cors" {
  description = "DEFAULT_4XX and DEFAULT_5XX carry CORS headers."
  type        = bool
  default     = true
}

variable "method_settings" {
  description = "Per-method throttles: method_path, throttling_rate_limit, throttling_burst_limit (null: the stage's)."
  type = list(object({
    method_path            = string
    throttling_rate_limit  = number
    throttling_burst_limit = number
  }))
  default = []
}

variable "usage_plans" {
  description = "Usage plans bound to the stage, with their API keys."
  type = list(object({
    name     = string
    throttle = object({ rate_limit = number, burst_limit = number })
    quota    = object({ limit = number, period = string })
    api_keys = list(object({ name = string, enabled = bool }))
  }))
  default = []
}

variable "log_retention_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 14
}
