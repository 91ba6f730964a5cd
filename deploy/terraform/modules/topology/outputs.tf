output "environment" {
  value = local.environment
}

output "project" {
  value = local.project
}

output "region" {
  value = local.region

  precondition {
    condition     = local.region != null && local.region != ""
    error_message = "topology.yaml: region is required for a deployment."
  }
}

output "flows" {
  description = "Settings per event type, with every default applied and the derived names."
  value       = local.flows
}

output "api" {
  description = "The REST API's settings, with every default applied."
  value       = local.api
}
