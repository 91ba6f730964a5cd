// Enhanced fan-out with the JS SDK v3 Kinesis client and its default (HTTP/2) handler:
// register a consumer, SubscribeToShard from TRIM_HORIZON, records put before and after the
// call, the subscription ending at shard end, then a refused second subscription. Prints one
// JSON summary line for the Python test to judge.
"use strict";
const K = require("@aws-sdk/client-kinesis");
const { performance } = require("node:perf_hooks");

const endpoint = process.argv[2];
const k = new K.KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const put = (data) => k.send(new K.PutRecordCommand({
  StreamName: "efo-js", PartitionKey: "pk", Data: Buffer.from(data),
}));

(async () => {
  const out = { handler: k.config.requestHandler.constructor.name };
  await k.send(new K.CreateStreamCommand({ StreamName: "efo-js", ShardCount: 1 }));
  let summary;
  for (;;) {
    summary = (await k.send(new K.DescribeStreamSummaryCommand({ StreamName: "efo-js" })))
      .StreamDescriptionSummary;
    if (summary.StreamStatus === "ACTIVE") break;
    await sleep(50);
  }
  for (let i = 0; i < 3; i++) await put(`before-${i}`);
  const reg = await k.send(new K.RegisterStreamConsumerCommand({
    StreamARN: summary.StreamARN, ConsumerName: "jsc",
  }));
  out.registered = { status: reg.Consumer.ConsumerStatus, arn: reg.Consumer.ConsumerARN,
                     created: reg.Consumer.ConsumerCreationTimestamp instanceof Date };
  const statuses = [];
  for (;;) {
    const d = await k.send(new K.DescribeStreamConsumerCommand({ ConsumerARN: reg.Consumer.ConsumerARN }));
    statuses.push(d.ConsumerDescription.ConsumerStatus);
    if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
    await sleep(100);
  }
  out.statuses = [...new Set(statuses)];
  const request = {
    ConsumerARN: reg.Consumer.ConsumerARN,
    ShardId: "shardId-000000000000",
    StartingPosition: { Type: "TRIM_HORIZON" },
  };
  const t0 = performance.now();
  const res = await k.send(new K.SubscribeToShardCommand(request));
  out.send_ms = performance.now() - t0;
  out.events = [];
  out.records = [];
  let putAt = 0;
  let latency = null;
  let split = false;
  for await (const ev of res.EventStream) {
    const e = ev.SubscribeToShardEvent;
    if (!e) continue;
    out.events.push({
      records: e.Records.length,
      continuation: e.ContinuationSequenceNumber ?? null,
      millis_behind: e.MillisBehindLatest,
      children: (e.ChildShards || []).map((c) => c.ShardId),
    });
    for (const r of e.Records) {
      const data = Buffer.from(r.Data).toString();
      if (data === "after-0" && latency === null) latency = performance.now() - putAt;
      out.records.push({ seq: r.SequenceNumber, data, date: r.ApproximateArrivalTimestamp instanceof Date });
    }
    if (out.events.length === 1) {
      // Appended while subscribed: pushed, not polled.
      putAt = performance.now();
      for (let i = 0; i < 3; i++) await put(`after-${i}`);
    }
    if (out.records.length >= 6 && !split) {
      split = true;
      await k.send(new K.SplitShardCommand({
        StreamName: "efo-js", ShardToSplit: "shardId-000000000000",
        NewStartingHashKey: "170141183460469231731687303715884105728",
      }));
    }
  }
  out.loop_ended = true;
  out.push_latency_ms = latency;
  await sleep(1100);  // past the one-call-a-second rule, inside the five-second one
  try {
    await k.send(new K.SubscribeToShardCommand(request));
    out.second = "accepted";
  } catch (e) {
    out.second = { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
})().catch((e) => {
  process.stderr.write(`FAILED: ${e.name}: ${e.message}\n${e.stack}\n`);
  process.exit(1);
});
