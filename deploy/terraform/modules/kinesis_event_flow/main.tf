# One event flow: a KMS-encrypted Kinesis stream, its processor function (zero-scaled: an event
# source mapping invokes it), the on-failure SQS queue and the alarms.

locals {
  name          = "${var.environment}-${var.event_type}"
  stream_name   = "${local.name}-stream"
  function_name = "${local.name}-processor"
  dlq_name      = "${local.name}-dlq"
  on_demand     = var.stream_mode == "ON_DEMAND"
}

resource "aws_kms_key" "stream" {
  description             = "Encrypts the ${local.stream_name} Kinesis stream."
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "stream" {
  name          = "alias/${local.stream_name}"
  target_key_id = aws_kms_key.stream.key_id
}

resource "aws_kinesis_stream" "this" {
  name                = local.stream_name
  shard_count         = local.on_demand ? null : var.shard_count
  retention_period    = var.retention_period
  encryption_type     = "KMS"
  kms_key_id          = aws_kms_key.stream.arn
  shard_level_metrics = var.shard_level_metrics

  stream_mode_details {
    stream_mode = var.stream_mode
  }
}

# Receives the event source mapping's on-failure records (metadata, not the data). No
# redrive policy: it is a destination, not a source queue's DLQ.
resource "aws_sqs_queue" "dlq" {
  count                     = var.dlq_enabled ? 1 : 0
  name                      = local.dlq_name
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

# Created before the function: otherwise Lambda creates it on the first invocation and the
# next apply fails with "already exists".
resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${local.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# Least privilege instead of the broad AWSLambdaKinesisExecutionRole: read this stream only,
# decrypt with its key (consumers of an SSE-KMS stream need kms:Decrypt), write this function's
# logs, and send on-failure records to this DLQ (the mapping sends them with the function's role).
data "aws_iam_policy_document" "lambda" {
  statement {
    sid = "ReadStream"
    actions = [
      "kinesis:DescribeStream",
      "kinesis:DescribeStreamSummary",
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kinesis:ListShards",
    ]
    resources = [aws_kinesis_stream.this.arn]
  }

  statement {
    sid       = "ListStreams"
    actions   = ["kinesis:ListStreams"]
    resources = ["*"]
  }

  statement {
    sid       = "DecryptStream"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.stream.arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  dynamic "statement" {
    for_each = var.dlq_enabled ? [1] : []
    content {
      sid       = "SendOnFailure"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.dlq[0].arn]
    }
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "${local.function_name}-policy"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

resource "aws_lambda_function" "this" {
  function_name    = local.function_name
  role             = aws_iam_role.lambda.arn
  filename         = var.lambda_package
  source_code_hash = filebase64sha256(var.lambda_package)
  handler          = var.lambda_handler
  runtime          = var.lambda_runtime
  memory_size      = var.lambda_memory_size
  timeout          = var.lambda_timeout

  environment {
    variables = merge({
      EVENT_TYPE  = var.event_type
      ENVIRONMENT = var.environment
      STREAM_NAME = local.stream_name
    }, var.environment_variables)
  }

  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.lambda]
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = aws_kinesis_stream.this.arn
  function_name                      = aws_lambda_function.this.arn
  starting_position                  = var.starting_position
  starting_position_timestamp        = var.starting_position == "AT_TIMESTAMP" ? var.starting_position_timestamp : null
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batch_window_seconds
  parallelization_factor             = var.parallelization_factor
  maximum_retry_attempts             = var.max_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_seconds
  bisect_batch_on_function_error     = var.bisect_batch_on_function_error
  tumbling_window_in_seconds         = var.tumbling_window_seconds > 0 ? var.tumbling_window_seconds : null
  function_response_types            = var.report_batch_item_failures ? ["ReportBatchItemFailures"] : []

  dynamic "destination_config" {
    for_each = var.dlq_enabled ? [1] : []
    content {
      on_failure {
        destination_arn = aws_sqs_queue.dlq[0].arn
      }
    }
  }

  dynamic "filter_criteria" {
    for_each = length(var.filter_patterns) > 0 ? [1] : []
    content {
      dynamic "filter" {
        for_each = var.filter_patterns
        content {
          pattern = filter.value
        }
      }
    }
  }

  # Without it the mapping may be created before the role can read the stream, and fails.
  depends_on = [aws_iam_role_policy.lambda]
}

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  alarm_name          = "${local.name}-iterator-age"
  alarm_description   = "The oldest record in ${local.stream_name} waits longer than ${var.iterator_age_alarm_ms} ms."
  namespace           = "AWS/Kinesis"
  metric_name         = "GetRecords.IteratorAgeMilliseconds"
  dimensions          = { StreamName = aws_kinesis_stream.this.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.iterator_age_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "lambda_iterator_age" {
  alarm_name          = "${local.name}-lambda-iterator-age"
  alarm_description   = "${local.function_name} reads records older than ${var.iterator_age_alarm_ms} ms."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.iterator_age_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  alarm_name          = "${local.name}-lambda-errors"
  alarm_description   = "${local.function_name} returned errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  count               = var.dlq_enabled ? 1 : 0
  alarm_name          = "${local.name}-dlq-not-empty"
  alarm_description   = "${local.dlq_name} holds on-failure records."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq[0].name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
}
