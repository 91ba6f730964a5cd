output "stream_name" {
  value = aws_kinesis_stream.this.name
}

output "stream_arn" {
  value = aws_kinesis_stream.this.arn
}

output "kms_key_arn" {
  value = aws_kms_key.stream.arn
}

output "function_name" {
  value = aws_lambda_function.this.function_name
}

output "dlq_url" {
  value = var.dlq_enabled ? aws_sqs_queue.dlq[0].url : null
}
