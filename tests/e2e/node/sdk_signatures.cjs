// JS SDK v3 against `kemu up --verify-signatures`: Kinesis (HTTP/2 with prior knowledge), SQS and
// Lambda with the right secret, then with a wrong one (each service's error). Prints one JSON
// summary line for the Python side to check.
"use strict";
const { clientConfig, error } = require("./sdk_common.cjs");
const K = require("@aws-sdk/client-kinesis");
const S = require("@aws-sdk/client-sqs");
const L = require("@aws-sdk/client-lambda");

const [endpoint] = process.argv.slice(2);
const right = clientConfig(endpoint);
const wrong = { ...right, credentials: { accessKeyId: "test", secretAccessKey: "wrong" } };

async function main() {
  await new K.KinesisClient(right).send(new K.CreateStreamCommand({
    StreamName: "js-ok", ShardCount: 1 }));
  const queue = await new S.SQSClient(right).send(new S.CreateQueueCommand({ QueueName: "js-ok" }));
  const fns = await new L.LambdaClient(right).send(new L.ListFunctionsCommand({}));
  const kinesisWrong = await error(new K.KinesisClient(wrong).send(new K.CreateStreamCommand({
    StreamName: "js-bad", ShardCount: 1 })));
  const sqsWrong = await error(new S.SQSClient(wrong).send(new S.CreateQueueCommand({
    QueueName: "js-bad" })));
  const lambdaWrong = await error(new L.LambdaClient(wrong).send(new L.ListFunctionsCommand({})));
  const streams = await new K.KinesisClient(right).send(new K.ListStreamsCommand({}));
  const queues = await new S.SQSClient(right).send(new S.ListQueuesCommand({}));
  console.log(JSON.stringify({
    queueUrl: queue.QueueUrl, functions: fns.Functions.length,
    kinesisWrong, sqsWrong, lambdaWrong,
    streams: streams.StreamNames, queues: queues.QueueUrls ?? [] }));
}

main().catch((e) => { console.error(e); process.exit(1); });
