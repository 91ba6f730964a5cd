# The root: reads topology.yaml (the kemu.yaml that kemu validated and normalised, every setting
# explicit) and calls one kinesis_event_flow per event type and one api_gateway.

module "topology" {
  source   = "./modules/topology"
  topology = yamldecode(file("${path.module}/topology.yaml"))
}

module "event_flow" {
  source   = "./modules/kinesis_event_flow"
  for_each = module.topology.flows

  event_type                     = each.key
  environment                    = module.topology.environment
  stream_mode                    = each.value.stream_mode
  shard_count                    = each.value.shard_count
  retention_period               = each.value.retention_period
  shard_level_metrics            = each.value.shard_level_metrics
  lambda_package                 = "${path.module}/${each.value.lambda_package}"
  lambda_handler                 = each.value.lambda_handler
  lambda_runtime                 = each.value.lambda_runtime
  lambda_memory_size             = each.value.lambda_memory_size
  lambda_timeout                 = each.value.lambda_timeout
  environment_variables          = each.value.environment_variables
  log_retention_days             = each.value.log_retention_days
  batch_size                     = each.value.batch_size
  batch_window_seconds           = each.value.batch_window_seconds
  starting_position              = each.value.starting_position
  starting_position_timestamp    = each.value.starting_position_timestamp
  parallelization_factor         = each.value.parallelization_factor
  maximum_record_age_seconds     = each.value.maximum_record_age_seconds
  bisect_batch_on_function_error = each.value.bisect_batch_on_function_error
  report_batch_item_failures     = each.value.report_batch_item_failures
  tumbling_window_seconds        = each.value.tumbling_window_seconds
  filter_patterns                = each.value.filter_patterns
  dlq_enabled                    = each.value.dlq_enabled
  max_retry_attempts             = each.value.max_retry_attempts
  iterator_age_alarm_ms          = each.value.iterator_age_alarm_ms
}

module "api_gateway" {
  source = "./modules/api_gateway"

  name        = module.topology.project
  environment = module.topology.environment
  event_streams = {
    for k, m in module.event_flow : k => {
      stream_name = m.stream_name
      stream_arn  = m.stream_arn
      kms_key_arn = m.kms_key_arn
    }
  }

  stage_name                  = module.topology.api.stage_name
  throttling_rate_limit       = module.topology.api.throttling_rate_limit
  throttling_burst_limit      = module.topology.api.throttling_burst_limit
  enable_access_logging       = module.topology.api.enable_access_logging
  api_key_required            = module.topology.api.api_key_required
  cors_allowed_origins        = module.topology.api.cors_allowed_origins
  manage_account_logging_role = module.topology.api.manage_account_logging_role
  passthrough_behavior        = module.topology.api.passthrough_behavior
  integration_responses       = module.topology.api.integration_responses
  gateway_response_cors       = module.topology.api.gateway_response_cors
  method_settings             = module.topology.api.method_settings
  usage_plans                 = module.topology.api.usage_plans
  log_retention_days          = module.topology.api.log_retention_days
}
