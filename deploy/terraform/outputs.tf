output "api_gateway_url" {
  description = "The stage's invoke URL: POST {url}/events/{event_type}."
  value       = module.api_gateway.invoke_url
}

output "stream_names" {
  description = "Kinesis stream name per event type."
  value       = { for k, m in module.event_flow : k => m.stream_name }
}

output "function_names" {
  description = "Processor function name per event type."
  value       = { for k, m in module.event_flow : k => m.function_name }
}

output "dlq_urls" {
  description = "DLQ URL per event type (null where dlq_enabled is false)."
  value       = { for k, m in module.event_flow : k => m.dlq_url }
}

output "api_key_values" {
  description = "Generated API key values by key name."
  value       = module.api_gateway.api_key_values
  sensitive   = true
}
