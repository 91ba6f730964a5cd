output "rest_api_id" {
  value = aws_api_gateway_rest_api.this.id
}

output "invoke_url" {
  value = aws_api_gateway_stage.this.invoke_url
}

output "api_key_values" {
  value     = { for k, key in aws_api_gateway_api_key.this : k => key.value }
  sensitive = true
}
