# The unified REST API: POST /events/{event_type} (PutRecord) and POST /events/batch/{event_type}
# (PutRecords) into the event type's stream, CORS preflight, stage throttling, access logs and
# usage plans.

locals {
  api_name = "${var.environment}-${var.name}"
  # Partition and region from a stream ARN (arn:PARTITION:kinesis:REGION:...): no data source
  # whose attributes differ between provider versions 5 and 6.
  arn_parts = split(":", values(var.event_streams)[0].stream_arn)
  partition = local.arn_parts[1]
  region    = local.arn_parts[3]

  # CORS as API Gateway does it for a REST API: headers mapped on each response. One origin (or
  # "*") is a static value. Several cannot share one header: each response's template echoes
  # the request's Origin when it is listed (a response override) and adds Vary: Origin. Gateway
  # responses take static values only, so they carry the first origin. No origin: no header.
  cors_echo = length(var.cors_allowed_origins) > 1
  # No origin at all: no OPTIONS methods and no CORS header anywhere.
  cors_routes = length(var.cors_allowed_origins) > 0 ? local.routes : {}
  origin_header = length(var.cors_allowed_origins) == 1 ? {
    "method.response.header.Access-Control-Allow-Origin" = "'${var.cors_allowed_origins[0]}'"
  } : {}
  origin_declared = merge(
    length(var.cors_allowed_origins) > 0 ? { "method.response.header.Access-Control-Allow-Origin" = true } : {},
    local.cors_echo ? { "method.response.header.Vary" = true } : {},
  )
  origin_tests = join(" || ", [for o in var.cors_allowed_origins : format("$origin == %q", o)])
  cors_echo_vtl = local.cors_echo ? join("", [
    "#set($origin = $input.params('Origin'))\n",
    "#if(${local.origin_tests})\n",
    "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n",
    "#set($context.responseOverride.header.Vary = \"Origin\")\n",
    "#end\n",
  ]) : ""
  error_template = "{\"message\": $input.json('$.message'), \"type\": \"$input.path('$.__type')\"}"

  # The stream is chosen in the mapping template by an #if chain over the event types; an
  # unknown type leaves StreamName empty and Kinesis answers 400.
  stream_chain = join("", [
    for k, s in var.event_streams : "#if($type == \"${k}\")${s.stream_name}#end"
  ])

  routes = {
    single = {
      resource_id = aws_api_gateway_resource.event_type.id
      action      = "PutRecord"
      template    = <<-VTL
        #set($type = $input.params('event_type'))
        {
          "StreamName": "${local.stream_chain}",
          "Data": "$util.base64Encode($input.body)",
          "PartitionKey": "$context.requestId"
        }
      VTL
    }
    batch = {
      resource_id = aws_api_gateway_resource.batch_event_type.id
      action      = "PutRecords"
      template    = <<-VTL
        #set($type = $input.params('event_type'))
        {
          "StreamName": "${local.stream_chain}",
          "Records": [
        #foreach($r in $input.path('$.records'))
            {"Data": "$util.base64Encode($r.data)", "PartitionKey": "$r.partitionKey"}#if($foreach.hasNext),#end
        #end
          ]
        }
      VTL
    }
  }

  responses = {
    recommended = {
      "200" = null
      "400" = "4\\d{2}"
      "500" = "5\\d{2}"
    }
    default-only = {
      "200" = null
    }
    none = {}
  }
  integration_responses = {
    for pair in setproduct(keys(local.routes), keys(local.responses[var.integration_responses])) :
    "${pair[0]}-${pair[1]}" => {
      route   = pair[0]
      status  = pair[1]
      pattern = local.responses[var.integration_responses][pair[1]]
    }
  }

  cors_headers = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'"

  plans = var.api_key_required && length(var.usage_plans) == 0 ? [{
    name     = "default"
    throttle = null
    quota    = null
    api_keys = [{ name = "default", enabled = true }]
  }] : var.usage_plans
  plan_map = { for p in local.plans : p.name => p }
  api_keys = merge([
    for p in local.plans : { for k in p.api_keys : k.name => merge(k, { plan = p.name }) }
  ]...)
}

resource "aws_api_gateway_rest_api" "this" {
  name           = local.api_name
  api_key_source = "HEADER"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "events" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "events"
}

# The literal "batch" wins over {event_type} at the same level.
resource "aws_api_gateway_resource" "batch" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.events.id
  path_part   = "batch"
}

resource "aws_api_gateway_resource" "event_type" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.events.id
  path_part   = "{event_type}"
}

resource "aws_api_gateway_resource" "batch_event_type" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.batch.id
  path_part   = "{event_type}"
}

data "aws_iam_policy_document" "apigw_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "kinesis_proxy" {
  name               = "${local.api_name}-kinesis-proxy"
  assume_role_policy = data.aws_iam_policy_document.apigw_assume.json
}

# Producers to SSE-KMS streams need kms:GenerateDataKey on each stream's key; without it
# PutRecord fails with a KMS access error.
data "aws_iam_policy_document" "kinesis_proxy" {
  statement {
    sid       = "PutRecords"
    actions   = ["kinesis:PutRecord", "kinesis:PutRecords"]
    resources = [for s in values(var.event_streams) : s.stream_arn]
  }

  statement {
    sid       = "EncryptRecords"
    actions   = ["kms:GenerateDataKey"]
    resources = [for s in values(var.event_streams) : s.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "kinesis_proxy" {
  name   = "${local.api_name}-kinesis-proxy"
  role   = aws_iam_role.kinesis_proxy.id
  policy = data.aws_iam_policy_document.kinesis_proxy.json
}

resource "aws_api_gateway_method" "post" {
  for_each         = local.routes
  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = each.value.resource_id
  http_method      = "POST"
  authorization    = "NONE"
  api_key_required = var.api_key_required
  request_parameters = {
    "method.request.path.event_type" = true
  }
}

resource "aws_api_gateway_integration" "kinesis" {
  for_each                = local.routes
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = aws_api_gateway_method.post[each.key].http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = "arn:${local.partition}:apigateway:${local.region}:kinesis:action/${each.value.action}"
  credentials             = aws_iam_role.kinesis_proxy.arn
  passthrough_behavior    = var.passthrough_behavior
  request_parameters = {
    "integration.request.header.Content-Type" = "'application/x-amz-json-1.1'"
  }
  request_templates = {
    "application/json" = each.value.template
  }
}

resource "aws_api_gateway_method_response" "post" {
  for_each            = local.integration_responses
  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = local.routes[each.value.route].resource_id
  http_method         = aws_api_gateway_method.post[each.value.route].http_method
  status_code         = each.value.status
  response_parameters = local.origin_declared
}

# Without the 4xx/5xx entries a Kinesis error reaches the client as HTTP 200.
resource "aws_api_gateway_integration_response" "post" {
  for_each            = local.integration_responses
  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = local.routes[each.value.route].resource_id
  http_method         = aws_api_gateway_method.post[each.value.route].http_method
  status_code         = aws_api_gateway_method_response.post[each.key].status_code
  selection_pattern   = each.value.pattern
  response_parameters = local.origin_header
  response_templates = each.value.status == "200" ? (local.cors_echo ? {
    "application/json" = "${local.cors_echo_vtl}$input.json('$')"
    } : null) : {
    "application/json" = "${local.cors_echo_vtl}${local.error_template}"
  }

  depends_on = [aws_api_gateway_integration.kinesis]
}

resource "aws_api_gateway_method" "options" {
  for_each      = local.cors_routes
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = each.value.resource_id
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "options" {
  for_each    = local.cors_routes
  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = each.value.resource_id
  http_method = aws_api_gateway_method.options[each.key].http_method
  type        = "MOCK"
  request_templates = {
    "application/json" = "{\"statusCode\": 200}"
  }
}

resource "aws_api_gateway_method_response" "options" {
  for_each    = local.cors_routes
  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = each.value.resource_id
  http_method = aws_api_gateway_method.options[each.key].http_method
  status_code = "200"
  response_parameters = merge({
    "method.response.header.Access-Control-Allow-Headers" = true
    "method.response.header.Access-Control-Allow-Methods" = true
  }, local.origin_declared)
}

resource "aws_api_gateway_integration_response" "options" {
  for_each    = local.cors_routes
  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = each.value.resource_id
  http_method = aws_api_gateway_method.options[each.key].http_method
  status_code = aws_api_gateway_method_response.options[each.key].status_code
  response_parameters = merge({
    "method.response.header.Access-Control-Allow-Headers" = local.cors_headers
    "method.response.header.Access-Control-Allow-Methods" = "'OPTIONS,POST'"
  }, local.origin_header)
  response_templates = local.cors_echo ? { "application/json" = local.cors_echo_vtl } : null

  depends_on = [aws_api_gateway_integration.options]
}

# Gateway errors (403, 429, ...) carry CORS headers too, or browsers report them as CORS errors.
resource "aws_api_gateway_gateway_response" "cors" {
  for_each      = var.gateway_response_cors && length(var.cors_allowed_origins) > 0 ? toset(["DEFAULT_4XX", "DEFAULT_5XX"]) : toset([])
  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  response_parameters = {
    "gatewayresponse.header.Access-Control-Allow-Origin"  = "'${var.cors_allowed_origins[0]}'"
    "gatewayresponse.header.Access-Control-Allow-Headers" = local.cors_headers
  }
}

# A deployment is a snapshot: the trigger redeploys when a template, method or response changes.
resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    redeploy = sha1(jsonencode([
      aws_api_gateway_resource.events.id,
      aws_api_gateway_resource.batch.id,
      aws_api_gateway_resource.event_type.id,
      aws_api_gateway_resource.batch_event_type.id,
      aws_api_gateway_method.post,
      aws_api_gateway_integration.kinesis,
      aws_api_gateway_method_response.post,
      aws_api_gateway_integration_response.post,
      aws_api_gateway_method.options,
      aws_api_gateway_integration.options,
      aws_api_gateway_integration_response.options,
      aws_api_gateway_gateway_response.cors,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  count             = var.enable_access_logging ? 1 : 0
  name              = "/aws/apigateway/${local.api_name}/access-logs"
  retention_in_days = var.log_retention_days
}

# The account-level CloudWatch role: required before any stage may write access logs. One per
# account and region: set manage_account_logging_role = false where another stack owns it.
resource "aws_iam_role" "apigw_cloudwatch" {
  count              = var.manage_account_logging_role ? 1 : 0
  name               = "${local.api_name}-apigw-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.apigw_assume.json
}

resource "aws_iam_role_policy_attachment" "apigw_cloudwatch" {
  count      = var.manage_account_logging_role ? 1 : 0
  role       = aws_iam_role.apigw_cloudwatch[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_account_logging_role ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.apigw_cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.apigw_cloudwatch]
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.stage_name

  dynamic "access_log_settings" {
    for_each = var.enable_access_logging ? [1] : []
    content {
      destination_arn = aws_cloudwatch_log_group.access[0].arn
      format = jsonencode({
        requestId      = "$context.requestId"
        ip             = "$context.identity.sourceIp"
        requestTime    = "$context.requestTime"
        httpMethod     = "$context.httpMethod"
        resourcePath   = "$context.resourcePath"
        status         = "$context.status"
        responseLength = "$context.responseLength"
        errorMessage   = "$context.error.message"
      })
    }
  }

  depends_on = [aws_api_gateway_account.this]
}

# 0 would block every request; -1 inherits. Burst is always explicit.
resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "OFF"
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }
}

resource "aws_api_gateway_method_settings" "method" {
  for_each    = { for m in var.method_settings : m.method_path => m }
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = each.key

  settings {
    metrics_enabled        = true
    logging_level          = "OFF"
    throttling_rate_limit  = coalesce(each.value.throttling_rate_limit, var.throttling_rate_limit)
    throttling_burst_limit = coalesce(each.value.throttling_burst_limit, var.throttling_burst_limit)
  }
}

# A key only works when it is in a usage plan bound to the stage; otherwise 403 Forbidden.
resource "aws_api_gateway_usage_plan" "this" {
  for_each = local.plan_map
  name     = "${local.api_name}-${each.key}"

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  dynamic "throttle_settings" {
    for_each = each.value.throttle == null ? [] : [each.value.throttle]
    content {
      rate_limit  = throttle_settings.value.rate_limit
      burst_limit = throttle_settings.value.burst_limit
    }
  }

  dynamic "quota_settings" {
    for_each = each.value.quota == null ? [] : [each.value.quota]
    content {
      limit  = quota_settings.value.limit
      period = quota_settings.value.period
    }
  }
}

resource "aws_api_gateway_api_key" "this" {
  for_each = local.api_keys
  name     = "${local.api_name}-${each.key}"
  enabled  = each.value.enabled
}

resource "aws_api_gateway_usage_plan_key" "this" {
  for_each      = local.api_keys
  key_id        = aws_api_gateway_api_key.this[each.key].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this[each.value.plan].id
}
