"""Writes the seed corpora of fuzz/corpus/ (python3 fuzz/seeds.py): one file per request the
e2e tests and fixtures send, in each target's input format (docs/fuzzing.md). Files the fuzzers
found (crash-*, regressions) live beside them and are kept: this script only (re)writes its own
seed-*.
"""

import base64
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from test_kinesis_wire import Tag, cbor_encode  # noqa: E402

CORPUS = os.path.join(ROOT, "fuzz", "corpus")
STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
QUEUE_URL = "http://localhost:4566/000000000000/q"
DATA = base64.b64encode(b'{"order_id":"ORD-1","amount":12.5}').decode()


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


KINESIS = {
    "CreateStream": {"StreamName": "s2", "ShardCount": 2},
    "DescribeStream": {"StreamName": "s"},
    "DescribeStreamSummary": {"StreamName": "s"},
    "ListStreams": {"Limit": 10},
    "ListShards": {"StreamName": "s", "ShardFilter": {"Type": "AT_TRIM_HORIZON"}},
    "PutRecord": {"StreamName": "s", "PartitionKey": "ORD-1", "Data": DATA},
    "PutRecords": {"StreamName": "s", "Records": [
        {"PartitionKey": "a", "Data": DATA},
        {"PartitionKey": "b", "Data": "AQ==", "ExplicitHashKey": "1"}]},
    "GetShardIterator": {"StreamName": "s", "ShardId": "shardId-000000000000",
                         "ShardIteratorType": "TRIM_HORIZON"},
    "GetRecords": {"ShardIterator": "AAAAAAAAAAE=", "Limit": 10},
    "SplitShard": {"StreamName": "s", "ShardToSplit": "shardId-000000000000",
                   "NewStartingHashKey": "85070591730234615865843651857942052864"},
    "MergeShards": {"StreamName": "s", "ShardToMerge": "shardId-000000000000",
                    "AdjacentShardToMerge": "shardId-000000000001"},
    "UpdateShardCount": {"StreamName": "s", "TargetShardCount": 4,
                         "ScalingType": "UNIFORM_SCALING"},
    "AddTagsToStream": {"StreamName": "s", "Tags": {"team": "orders"}},
    "ListTagsForStream": {"StreamName": "s"},
    "IncreaseStreamRetentionPeriod": {"StreamName": "s", "RetentionPeriodHours": 48},
    "StartStreamEncryption": {"StreamName": "s", "EncryptionType": "KMS",
                              "KeyId": "alias/aws/kinesis"},
    "EnableEnhancedMonitoring": {"StreamName": "s", "ShardLevelMetrics": ["ALL"]},
    "RegisterStreamConsumer": {"StreamARN": STREAM_ARN, "ConsumerName": "c"},
    "ListStreamConsumers": {"StreamARN": STREAM_ARN},
    "SubscribeToShard": {"ConsumerARN": STREAM_ARN + "/consumer/c:1700000000",
                         "ShardId": "shardId-000000000000",
                         "StartingPosition": {"Type": "TRIM_HORIZON"}},
    "DescribeLimits": {},
}

SQS = {
    "CreateQueue": {"QueueName": "q2", "Attributes": {"VisibilityTimeout": "30"}},
    "GetQueueUrl": {"QueueName": "q"},
    "ListQueues": {"QueueNamePrefix": "q", "MaxResults": 10},
    "SendMessage": {"QueueUrl": QUEUE_URL, "MessageBody": "hello", "DelaySeconds": 0,
                    "MessageAttributes": {"a": {"DataType": "String", "StringValue": "v"},
                                          "b": {"DataType": "Binary", "BinaryValue": "AQI="}}},
    "SendMessageBatch": {"QueueUrl": QUEUE_URL, "Entries": [
        {"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b", "DelaySeconds": 1}]},
    "ReceiveMessage": {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
                       "AttributeNames": ["All"], "MessageAttributeNames": ["All"]},
    "DeleteMessage": {"QueueUrl": QUEUE_URL, "ReceiptHandle": "AAAA"},
    "ChangeMessageVisibility": {"QueueUrl": QUEUE_URL, "ReceiptHandle": "AAAA",
                                "VisibilityTimeout": 5},
    "GetQueueAttributes": {"QueueUrl": QUEUE_URL, "AttributeNames": ["All"]},
    "SetQueueAttributes": {"QueueUrl": QUEUE_URL, "Attributes": {
        "RedrivePolicy": json.dumps({"deadLetterTargetArn":
                                     "arn:aws:sqs:us-east-1:000000000000:q2",
                                     "maxReceiveCount": "3"})}},
    "TagQueue": {"QueueUrl": QUEUE_URL, "Tags": {"team": "orders"}},
    "PurgeQueue": {"QueueUrl": QUEUE_URL},
    "StartMessageMoveTask": {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:q2"},
    "ListDeadLetterSourceQueues": {"QueueUrl": QUEUE_URL},
}

# botocore 1.29's query protocol bodies (Version 2012-11-05), as tests/e2e/test_sqs_wire.py sends.
SQS_QUERY = {
    "CreateQueue": "Action=CreateQueue&Version=2012-11-05&QueueName=q3&Attribute.1.Name="
                   "VisibilityTimeout&Attribute.1.Value=10",
    "SendMessage": "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566"
                   "%2F000000000000%2Fq&MessageBody=hi+there&MessageAttribute.1.Name=a&"
                   "MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v",
    "ReceiveMessage": "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost"
                      "%3A4566%2F000000000000%2Fq&MaxNumberOfMessages=5&AttributeName.1=All",
    "SendMessageBatch": "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2F"
                        "localhost%3A4566%2F000000000000%2Fq&SendMessageBatchRequestEntry.1.Id=a"
                        "&SendMessageBatchRequestEntry.1.MessageBody=x",
    "ListQueues": "Action=ListQueues&Version=2012-11-05",
}

CW_QUERY = {
    "PutMetricData": "Action=PutMetricData&Version=2010-08-01&Namespace=App&MetricData.member.1."
                     "MetricName=Orders&MetricData.member.1.Value=3&MetricData.member.1.Unit=Count"
                     "&MetricData.member.1.Dimensions.member.1.Name=FunctionName&MetricData."
                     "member.1.Dimensions.member.1.Value=f",
    "GetMetricData": "Action=GetMetricData&Version=2010-08-01&StartTime=2023-11-14T22%3A00%3A00Z"
                     "&EndTime=2023-11-14T23%3A00%3A00Z&MetricDataQueries.member.1.Id=a&"
                     "MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1."
                     "MetricStat.Stat=Sum&MetricDataQueries.member.1.MetricStat.Metric.Namespace="
                     "AWS%2FLambda&MetricDataQueries.member.1.MetricStat.Metric.MetricName=Errors",
    "DescribeAlarms": "Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=a",
    "ListMetrics": "Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FKinesis",
    "GetMetricStatistics": "Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FLambda"
                           "&MetricName=Invocations&StartTime=2023-11-14T22%3A00%3A00Z&EndTime="
                           "2023-11-14T23%3A00%3A00Z&Period=60&Statistics.member.1=Sum",
    "SetAlarmState": "Action=SetAlarmState&Version=2010-08-01&AlarmName=a&StateValue=ALARM&"
                     "StateReason=test",
}

CW_JSON = {
    "GetMetricData": {"StartTime": 1699999000, "EndTime": 1700000000, "MetricDataQueries": [
        {"Id": "a", "MetricStat": {"Period": 60, "Stat": "Sum", "Metric": {
            "Namespace": "AWS/Lambda", "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}}},
        {"Id": "b", "Expression": "a * 2"}]},
    "PutMetricData": {"Namespace": "App", "MetricData": [
        {"MetricName": "Orders", "Value": 1.5, "Unit": "Count",
         "Values": [1, 2], "Counts": [1, 1]}]},
    "DescribeAlarms": {"AlarmNamePrefix": "a", "MaxRecords": 10},
    "ListMetrics": {"Namespace": "AWS/Kinesis"},
}

LOGS = {
    "DescribeLogGroups": {"logGroupNamePrefix": "/aws/lambda/"},
    "DescribeLogStreams": {"logGroupName": "/aws/lambda/f", "orderBy": "LastEventTime",
                           "descending": True},
    "FilterLogEvents": {"logGroupName": "/aws/lambda/f", "filterPattern": "?ERROR ?WARN -Retry",
                        "startTime": 1699999000000, "limit": 50},
    "GetLogEvents": {"logGroupName": "/aws/lambda/f",
                     "logStreamName": "2026/12/06/[$LATEST]abc", "startFromHead": True},
}


def cw_cbor(v):
    """CloudWatch RPC v2 CBOR: epoch seconds as tag 1."""
    if isinstance(v, dict):
        return {k: (Tag(1, float(x)) if k.endswith("Time") else cw_cbor(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [cw_cbor(x) for x in v]
    return v


def kinesis_cbor(v):
    """Kinesis CBOR: Data as a byte string."""
    if isinstance(v, dict):
        return {k: (base64.b64decode(x) if k == "Data" else kinesis_cbor(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [kinesis_cbor(x) for x in v]
    return v


def h2_frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(
        ">I", stream) + payload


def hpack_literal(name, value):
    n, v = name.encode(), value.encode()
    assert len(n) < 127 and len(v) < 127
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v


def h2_request(method, path, headers, body, stream=1):
    block = (b"\x83" if method == "POST" else b"\x82") + b"\x86" + hpack_literal(":path", path)
    block += hpack_literal(":authority", "127.0.0.1:4566")
    for k, v in headers:
        block += hpack_literal(k, v)
    out = h2_frame(4, 0, 0, b"")  # SETTINGS
    out += h2_frame(1, 0x4 | (0 if body else 0x1), stream, block)  # HEADERS
    if body:
        out += h2_frame(0, 0x1, stream, body)  # DATA, END_STREAM
    return out


def main():
    for action, body in KINESIS.items():
        write("kinesis_api", action.lower() + ".json", action + "\n" + json.dumps(body))
        cb = cbor_encode(kinesis_cbor(body))
        write("kinesis_api", action.lower() + ".cbor", b"cbor " + action.encode() + b"\n" + cb)
        write("kinesis_cbor", action.lower(), cb)
    write("kinesis_cbor", "timestamp", cbor_encode({"Timestamp": Tag(1, 1.7e9), "Limit": 10}))
    for action, body in SQS.items():
        write("sqs_api", action.lower() + ".json", action + "\n" + json.dumps(body))
    for action, form in SQS_QUERY.items():
        write("sqs_api", action.lower() + ".query", "query\n" + form)
        write("form", "sqs-" + action.lower(), form)
    write("sqs_api", "queue-path.query", "query /000000000000/q\nAction=GetQueueAttributes&"
          "AttributeName.1=All&Version=2012-11-05")
    for action, form in CW_QUERY.items():
        write("cloudwatch_api", action.lower() + ".query", "query\n" + form)
        write("form", "cw-" + action.lower(), form)
    for action, body in CW_JSON.items():
        write("cloudwatch_api", action.lower() + ".json", "json " + action + "\n" + json.dumps(body))
        cb = cbor_encode(cw_cbor(body))
        write("cloudwatch_api", action.lower() + ".cbor", b"cbor " + action.encode() + b"\n" + cb)
        write("cloudwatch_cbor", action.lower(), cb)
    for action, body in LOGS.items():
        write("cloudwatch_api", action.lower() + ".logs", "logs " + action + "\n" + json.dumps(body))
    write("form", "base64", DATA)
    write("form", "int", "-9223372036854775808")
    write("form", "utf8", "caf\u00e9 \U0001f600")

    write("lambda_inputs", "update", json.dumps({"data": {"type": ["created"]}}) + "\n" +
          json.dumps({"BatchSize": 50, "MaximumBatchingWindowInSeconds": 2, "Enabled": True,
                      "FunctionResponseTypes": ["ReportBatchItemFailures"]}))
    write("lambda_inputs", "filter", json.dumps({"data": {"amount": [{"numeric": [">", 10]}],
                                                          "type": [{"prefix": "ord"}]}}) + "\n" +
          json.dumps({"data": {"amount": 12.5, "type": "order"}, "partitionKey": "k"}))
    write("lambda_inputs", "filter-or", json.dumps(
        {"$or": [{"data": {"x": [{"exists": False}]}}, {"data": {"y": [{"anything-but": [1]}]}}]})
        + "\n" + json.dumps({"data": {"y": 2}}))

    with open(os.path.join(ROOT, "examples", "kemu.yaml")) as f:
        write("config", "examples-kemu.yaml", f.read())
    scen = os.path.join(ROOT, "scenarios")
    for name in sorted(os.listdir(scen))[:8]:
        with open(os.path.join(scen, name)) as f:
            write("scenario", name, f.read())
    write("scenario", "template", '{"order":"ORD-{{n}}","shard":{{i%4}},"seed":{{seed}}}')

    put = json.dumps(KINESIS["PutRecord"])
    http1 = {
        "put-record": "POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nContent-Type: application/x-amz-"
                      "json-1.1\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\nContent-Length: "
                      f"{len(put)}\r\n\r\n{put}",
        "chunked": "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\n",
        "expect": "PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "keepalive": "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /404 HTTP/1.1\r\nHost: x\r\n"
                     "Connection: close\r\n\r\n",
        "http10": "GET /?Action=ListQueues HTTP/1.0\r\n\r\n",
    }
    for name, raw in http1.items():
        write("edge_http1", name, raw)
    write("edge_http2", "put-record", h2_request(
        "POST", "/", [("content-type", "application/x-amz-json-1.1"),
                      ("x-amz-target", "Kinesis_20131202.PutRecord")], put.encode()))
    write("edge_http2", "get", h2_request("GET", "/404", [], b""))
    write("edge_http2", "stream-and-reset", h2_request("POST", "/stream", [], b"abc") +
          h2_frame(3, 0, 1, struct.pack(">I", 8)) + h2_frame(8, 0, 0, struct.pack(">I", 1000)) +
          h2_frame(6, 0, 0, b"12345678") + h2_frame(7, 0, 0, struct.pack(">II", 1, 0)))

    base = "/2018-06-01/runtime/"
    rt = {
        "next": f"GET {base}invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "response": f"POST {base}invocation/req-1/response HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        "error": f"POST {base}invocation/req-1/error HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Lambda-Runtime-Function-Error-Type: Unhandled\r\nContent-Length: 52\r\n\r\n"
                 '{"errorMessage":"boom","errorType":"ValueError","x":1}'[:52],
        "init-error": f"POST {base}init/error HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Lambda-Runtime-Function-Error-Type: Runtime.ImportModuleError\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    }
    for name, raw in rt.items():
        write("runtime_api", name, raw)


if __name__ == "__main__":
    main()
