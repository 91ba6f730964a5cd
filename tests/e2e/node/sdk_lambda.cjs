// JS SDK v3 Lambda client (REST-JSON) against a kemu running examples/kemu.yaml: invoke the
// orders processor with a Kinesis-shaped event (its result, its log tail, and the error fields
// of a poisoned order), read the function and its mapping, change the mapping's batch size, and
// an unknown function's error. Prints one JSON summary line for the Python side to check.
"use strict";
const { clientConfig, error } = require("./sdk_common.cjs");
const L = require("@aws-sdk/client-lambda");

const [endpoint, fn, goodEvent, badEvent] = process.argv.slice(2);
const config = clientConfig(endpoint);

const text = (bytes) => Buffer.from(bytes).toString("utf8");

async function main() {
  const lam = new L.LambdaClient(config);
  const good = await lam.send(new L.InvokeCommand({
    FunctionName: fn, Payload: Buffer.from(goodEvent), LogType: "Tail" }));
  const bad = await lam.send(new L.InvokeCommand({
    FunctionName: fn, Payload: Buffer.from(badEvent) }));
  const conf = await lam.send(new L.GetFunctionConfigurationCommand({ FunctionName: fn }));
  const maps = await lam.send(new L.ListEventSourceMappingsCommand({ FunctionName: fn }));
  const uuid = maps.EventSourceMappings[0].UUID;
  const updated = await lam.send(new L.UpdateEventSourceMappingCommand({
    UUID: uuid, BatchSize: 50 }));
  const unknown = await error(lam.send(new L.GetFunctionCommand({ FunctionName: "nope" })));
  console.log(JSON.stringify({
    good: { status: good.StatusCode, payload: JSON.parse(text(good.Payload)),
      log: Buffer.from(good.LogResult, "base64").toString("utf8"),
      version: good.ExecutedVersion, functionError: good.FunctionError ?? null },
    bad: { status: bad.StatusCode, functionError: bad.FunctionError,
      payload: JSON.parse(text(bad.Payload)) },
    conf: { name: conf.FunctionName, runtime: conf.Runtime, memory: conf.MemorySize },
    mapping: { uuid, count: maps.EventSourceMappings.length, state: updated.State,
      batchSize: updated.BatchSize },
    unknown,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
