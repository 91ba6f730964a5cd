// JS SDK v3 against kemu with the clients' default request handlers: Kinesis speaks HTTP/2
// (prior knowledge, one connection per call), SQS HTTP/1.1 keep-alive. Prints one JSON summary
// line; assertions that need no Python live here.
"use strict";
const assert = require("node:assert/strict");
const K = require("@aws-sdk/client-kinesis");
const Q = require("@aws-sdk/client-sqs");

const endpoint = process.argv[2];
const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};

async function waitActive(k, name) {
  for (let i = 0; i < 100; i++) {
    const d = await k.send(new K.DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary.StreamStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("stream never became ACTIVE");
}

async function kinesis() {
  const k = new K.KinesisClient(config);
  const out = { handler: k.config.requestHandler.constructor.name };
  await k.send(new K.CreateStreamCommand({ StreamName: "js1", ShardCount: 2 }));
  await waitActive(k, "js1");
  const put = [];
  for (let i = 0; i < 5; i++) {
    put.push(await k.send(new K.PutRecordCommand({
      StreamName: "js1", PartitionKey: "pk", Data: Buffer.from(`single-${i}`),
    })));
  }
  // Concurrent calls: one connection each under the SDK's default handler.
  const concurrent = await Promise.all([0, 1, 2, 3, 4].map((i) => k.send(new K.PutRecordCommand({
    StreamName: "js1", PartitionKey: `c${i}`, Data: Buffer.from(`concurrent-${i}`),
  }))));
  const batch = await k.send(new K.PutRecordsCommand({
    StreamName: "js1",
    Records: Array.from({ length: 50 }, (_, i) => ({
      PartitionKey: `b${i}`, Data: Buffer.from(`batch-${i}`),
    })),
  }));
  assert.equal(batch.FailedRecordCount, 0);
  assert.equal(batch.Records.length, 50);
  const shards = (await k.send(new K.ListShardsCommand({ StreamName: "js1" }))).Shards;
  const read = [];
  for (const s of shards) {
    const it = await k.send(new K.GetShardIteratorCommand({
      StreamName: "js1", ShardId: s.ShardId, ShardIteratorType: "TRIM_HORIZON",
    }));
    const r = await k.send(new K.GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const rec of r.Records) {
      assert.ok(rec.ApproximateArrivalTimestamp instanceof Date);
      read.push({ shard: s.ShardId, seq: rec.SequenceNumber, data: Buffer.from(rec.Data).toString() });
    }
  }
  let missing;
  try {
    await k.send(new K.DescribeStreamCommand({ StreamName: "no-such-stream" }));
  } catch (e) {
    missing = { name: e.name, status: e.$metadata.httpStatusCode, message: e.message,
                modeled: e instanceof K.ResourceNotFoundException };
  }
  out.put = put.map((p) => p.SequenceNumber);
  out.concurrent = concurrent.length;
  out.batch = batch.Records.map((r) => r.SequenceNumber);
  out.shards = shards.map((s) => s.ShardId);
  out.read = read;
  out.missing = missing;
  k.destroy();
  return out;
}

async function sqs() {
  const q = new Q.SQSClient(config);
  const out = { handler: q.config.requestHandler.constructor.name };
  const url = (await q.send(new Q.CreateQueueCommand({ QueueName: "jsq" }))).QueueUrl;
  await q.send(new Q.SendMessageCommand({ QueueUrl: url, MessageBody: "hello from js" }));
  const got = await q.send(new Q.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  out.bodies = (got.Messages || []).map((m) => m.Body);
  for (const m of got.Messages || []) {
    await q.send(new Q.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  }
  const attrs = await q.send(new Q.GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"],
  }));
  out.left = attrs.Attributes.ApproximateNumberOfMessages;
  try {
    await q.send(new Q.GetQueueUrlCommand({ QueueName: "no-such-queue" }));
  } catch (e) {
    out.missing = { name: e.name, status: e.$metadata.httpStatusCode };
  }
  q.destroy();
  return out;
}

(async () => {
  const result = { kinesis: await kinesis(), sqs: await sqs() };
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
})().catch((e) => {
  process.stderr.write(`FAILED: ${e.name}: ${e.message}\n${e.stack}\n`);
  process.exit(1);
});
