# Provider-free: every topology -> settings decision (defaults, derived names, validation) lives
# here, so `terraform test` can check it with no AWS provider. kemu validates the same rules
# before rendering (docs/kemu-yaml.md); the checks below guard hand-edited topology files.

locals {
  t           = var.topology
  environment = try(local.t.environment, "dev")
  project     = try(local.t.project, "events-ingestion")
  region      = try(local.t.region, null)

  flows = {
    for f in try(local.t.event_flows, []) : f.event_type => {
      stream_name                    = "${local.environment}-${f.event_type}-stream"
      function_name                  = "${local.environment}-${f.event_type}-processor"
      dlq_name                       = "${local.environment}-${f.event_type}-dlq"
      stream_mode                    = try(f.stream_mode, "PROVISIONED")
      shard_count                    = try(f.shard_count, 1)
      retention_period               = try(f.retention_period, 24)
      shard_level_metrics            = tolist([for m in try(f.shard_level_metrics, []) : tostring(m)])
      lambda_package                 = f.lambda_package
      lambda_handler                 = try(f.lambda_handler, "handler.process_event")
      lambda_runtime                 = try(f.lambda_runtime, "python3.11")
      lambda_memory_size             = try(f.lambda_memory_size, 256)
      lambda_timeout                 = try(f.lambda_timeout, 30)
      environment_variables          = tomap({ for k, v in try(f.environment_variables, {}) : k => tostring(v) })
      log_retention_days             = try(f.log_retention_days, 14)
      batch_size                     = try(f.batch_size, 100)
      batch_window_seconds           = try(f.batch_window_seconds, 5)
      starting_position              = try(f.starting_position, "LATEST")
      starting_position_timestamp    = try(f.starting_position_timestamp, null)
      parallelization_factor         = try(f.parallelization_factor, 1)
      maximum_record_age_seconds     = try(f.maximum_record_age_seconds, -1)
      bisect_batch_on_function_error = try(f.bisect_batch_on_function_error, true)
      report_batch_item_failures     = try(f.report_batch_item_failures, false)
      tumbling_window_seconds        = try(f.tumbling_window_seconds, 0)
      filter_patterns                = tolist([for p in try(f.filter_patterns, []) : tostring(p)])
      dlq_enabled                    = try(f.dlq_enabled, true)
      max_retry_attempts             = try(f.max_retry_attempts, 3)
      iterator_age_alarm_ms          = try(f.iterator_age_alarm_ms, 60000)
    }
  }

  # CloudWatch Logs' retention periods (PutRetentionPolicy), and 0 for "never expire".
  log_retention_values = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]

  a = try(local.t.api, {})
  api = {
    name                        = "${local.environment}-${local.project}"
    stage_name                  = try(local.a.stage_name, "v1")
    throttling_rate_limit       = try(local.a.throttling_rate_limit, 10000)
    throttling_burst_limit      = try(local.a.throttling_burst_limit, 5000)
    enable_access_logging       = try(local.a.enable_access_logging, true)
    api_key_required            = try(local.a.api_key_required, false)
    cors_allowed_origins        = tolist([for o in try(local.a.cors_allowed_origins, ["*"]) : tostring(o)])
    manage_account_logging_role = try(local.a.manage_account_logging_role, true)
    passthrough_behavior        = try(local.a.passthrough_behavior, "NEVER")
    integration_responses       = try(local.a.integration_responses, "recommended")
    gateway_response_cors       = try(local.a.gateway_response_cors, true)
    method_settings             = try(local.a.method_settings, [])
    usage_plans                 = try(local.a.usage_plans, [])
    log_retention_days          = try(local.a.log_retention_days, 14)
  }
}

check "topology_version" {
  assert {
    condition     = try(local.t.version, 0) == 1
    error_message = "topology.yaml: version must be 1."
  }
}

check "flows_present" {
  assert {
    condition     = length(local.flows) >= 1
    error_message = "topology.yaml: event_flows needs at least one entry."
  }
}

check "flow_names" {
  assert {
    condition = alltrue([
      for k in keys(local.flows) : can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", k)) && k != "batch"
    ])
    error_message = "topology.yaml: each event_type matches ^[a-z0-9][a-z0-9_-]{0,62}$ and is not \"batch\"."
  }
}

check "flow_ranges" {
  assert {
    condition = alltrue([
      for f in values(local.flows) :
      f.batch_size >= 1 && f.batch_size <= 10000 &&
      f.batch_window_seconds >= 0 && f.batch_window_seconds <= 300 &&
      f.retention_period >= 24 && f.retention_period <= 8760 &&
      f.lambda_memory_size >= 128 && f.lambda_memory_size <= 10240 &&
      f.lambda_timeout >= 1 && f.lambda_timeout <= 900 &&
      f.parallelization_factor >= 1 && f.parallelization_factor <= 10 &&
      f.tumbling_window_seconds >= 0 && f.tumbling_window_seconds <= 900 &&
      (f.max_retry_attempts == -1 || (f.max_retry_attempts >= 0 && f.max_retry_attempts <= 10000)) &&
      (f.maximum_record_age_seconds == -1 || (f.maximum_record_age_seconds >= 60 && f.maximum_record_age_seconds <= 604800))
    ])
    error_message = "topology.yaml: a flow setting is out of range (docs/kemu-yaml.md)."
  }
}

check "log_retention" {
  assert {
    condition = alltrue([
      for d in concat([for f in values(local.flows) : f.log_retention_days], [local.api.log_retention_days]) :
      contains(local.log_retention_values, d)
    ])
    error_message = "topology.yaml: log_retention_days must be one of CloudWatch Logs' values (0 = never expire)."
  }
}

check "api_throttle" {
  assert {
    condition     = local.api.throttling_rate_limit > 0 && local.api.throttling_burst_limit >= 1
    error_message = "topology.yaml: api throttling_rate_limit must be > 0 and throttling_burst_limit >= 1 (0 blocks every request)."
  }
}
