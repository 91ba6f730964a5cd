# The seed's interface (event_type ... max_retry_attempts), with `lambda_package` (the handler
# zip kemu builds) in place of `lambda_source_path`, and the settings kemu.yaml adds.

variable "event_type" {
  description = "Event type identifier; names the stream, function, DLQ and alarms."
  type        = string
}

variable "environment" {
  description = "Deployment environment."
  type        = string
  default     = "dev"
}

variable "stream_mode" {
  description = "PROVISIONED or ON_DEMAND."
  type        = string
  default     = "PROVISIONED"
}

variable "shard_count" {
  description = "Number of shards (PROVISIONED only)."
  type        = number
  default     = 1
}

variable "retention_period" {
  description = "Data retention in hours (24..8760)."
  type        = number
  default     = 24
}

variable "shard_level_metrics" {
  description = "Enhanced shard-level metrics (cost extra)."
  type        = list(string)
  default     = []
}

variable "lambda_package" {
  description = "Path of the handler's zip, built by kemu deterministically."
  type        = string
}

variable "lambda_handler" {
  description = "Lambda handler."
  type        = string
  default     = "handler.process_event"
}

variable "lambda_runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "python3.11"
}

variable "lambda_memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 256
}

variable "lambda_timeout" {
  description = "Timeout in seconds."
  type        = number
  default     = 30
}

variable "environment_variables" {
  description = "The processor's own variables, after EVENT_TYPE, ENVIRONMENT and STREAM_NAME."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 14
}

variable "batch_size" {
  description = "Max records per batch."
  type        = number
  default     = 100
}

variable "batch_window_seconds" {
  description = "Batch window duration (maximum_batching_window_in_seconds)."
  type        = number
  default     = 5
}

variable "starting_position" {
  description = "LATEST, TRIM_HORIZON or AT_TIMESTAMP."
  type        = string
  default     = "LATEST"
}

variable "starting_position_timestamp" {
  description = "RFC 3339 time for AT_TIMESTAMP."
  type        = string
  default     = null
}

variable "parallelization_factor" {
  description = "Concurrent batches per shard (1..10)."
  type        = number
  default     = 1
}

variable "maximum_record_age_seconds" {
  description = "-1 (no limit) or 60..604800."
  type        = number
  default     = -1
}

variable "bisect_batch_on_function_error" {
  description = "Split a failing batch in two and retry each half."
  type        = bool
  default     = true
}

variable "report_batch_item_failures" {
  description = "Enable ReportBatchItemFailures."
  type        = bool
  default     = false
}

variable "tumbling_window_seconds" {
  description = "Tumbling window; 0 is off."
  type        = number
  default     = 0
}

variable "filter_patterns" {
  description = "Event filter patterns, each JSON text."
  type        = list(string)
  default     = []
}

variable "dlq_enabled" {
  description = "Enable the on-failure SQS queue."
  type        = bool
  default     = true
}

variable "max_retry_attempts" {
  description = "Max retry attempts (-1 = until the record expires)."
  type        = number
  default     = 3
}

variable "iterator_age_alarm_ms" {
  description = "Iterator age alarm threshold in milliseconds."
  type        = number
  default     = 60000
}
