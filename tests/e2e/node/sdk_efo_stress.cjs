// SubscribeToShard under stress over HTTP/2, with the JS SDK v3 Kinesis client and its default
// handler: for each (stream, consumer, shard) of the pairs file, several at a time, put five
// records, subscribe from TRIM_HORIZON, wait for them, put one more and wait for it to be
// pushed, each wait bounded by the deadline. Prints one JSON summary line for the Python test.
// Usage: node sdk_efo_stress.cjs ENDPOINT PAIRS_JSON PARALLEL DEADLINE_MS
"use strict";
const fs = require("node:fs");
const K = require("@aws-sdk/client-kinesis");
const { performance } = require("node:perf_hooks");

const [endpoint, pairsPath, parallelArg, deadlineArg] = process.argv.slice(2);
const pairs = JSON.parse(fs.readFileSync(pairsPath, "utf8"));
const parallel = Number(parallelArg);
const deadlineMs = Number(deadlineArg);
const k = new K.KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
});

const put = (p, data) => k.send(new K.PutRecordCommand({
  StreamName: p.stream, PartitionKey: "pk", ExplicitHashKey: p.hash_key, Data: Buffer.from(data),
}));

// Resolves true once `done()` holds (checked whenever `changed` fires), false at the deadline.
function waitFor(state, done) {
  if (done()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { state.waiter = null; resolve(false); }, deadlineMs);
    state.waiter = () => {
      if (!done()) return;
      clearTimeout(timer);
      state.waiter = null;
      resolve(true);
    };
  });
}

async function subscribeOnce(i, p) {
  const pre = new Set([0, 1, 2, 3, 4].map((j) => `pre-${i}-${j}`));
  const post = `post-${i}`;
  for (const data of pre) await put(p, data);
  const abort = new AbortController();
  const res = await k.send(new K.SubscribeToShardCommand({
    ConsumerARN: p.consumer, ShardId: p.shard, StartingPosition: { Type: "TRIM_HORIZON" },
  }), { abortSignal: abort.signal });
  const state = { seen: new Set(), events: [], waiter: null };
  const reading = (async () => {
    try {
      for await (const ev of res.EventStream) {
        const e = ev.SubscribeToShardEvent;
        if (!e) continue;
        state.events.push(e.Records.length);
        for (const r of e.Records) state.seen.add(Buffer.from(r.Data).toString());
        if (state.waiter) state.waiter();
        if (state.seen.has(post)) return;
      }
    } catch (err) {
      state.events.push(String(err.name || err));
    }
  })();
  const gotPre = await waitFor(state, () => [...pre].every((d) => state.seen.has(d)));
  let gotPost = false;
  let pushMs = null;
  if (gotPre) {
    const started = performance.now();
    await put(p, post);
    gotPost = await waitFor(state, () => state.seen.has(post));
    if (gotPost) pushMs = Math.round((performance.now() - started) * 10) / 10;
  }
  if (!gotPost) abort.abort();
  await Promise.race([reading, new Promise((r) => setTimeout(r, 1000))]);
  return { i, ok: gotPre && gotPost, pre: gotPre, post: gotPost, push_ms: pushMs,
           events: state.events.slice(0, 8) };
}

(async () => {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const i = next++;
      results.push(await subscribeOnce(i, pairs[i]));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  process.stdout.write(JSON.stringify({
    handler: k.config.requestHandler.constructor.name, results,
  }) + "\n");
  process.exit(0);
})().catch((e) => {
  process.stderr.write(`FAILED: ${e.name}: ${e.message}\n${e.stack}\n`);
  process.exit(1);
});
