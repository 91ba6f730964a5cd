"""The Lambda runner end to end with real Node handlers (runtime nodejs20.x, handler
index.handler) behind kemu's Node bootstrap: the Kinesis event, the environment and the Node
context object (functionName, awsRequestId, memoryLimitInMB as a string, ...), a thrown TypeError
retried and dead-lettered as Lambda's on-failure record, with the error logged as aws-lambda-ric
logs it (an `Invoke Error` line), ES module and callback handlers. Handlers append what they see to
<tmp>/out/<type>.jsonl."""

import json
import os
import re

from kemu_harness import (NODE_ESM_PRELUDE, NODE_PRELUDE, REGION, UUID_RE, LambdaTestCase,
                          run_main)

NODE = {"lambda_runtime": "nodejs20.x", "lambda_handler": "index.handler"}

SHAPE = NODE_PRELUDE + '''
const ENV_KEYS = ['_HANDLER', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'AWS_REGION',
  'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'TZ', 'EVENT_TYPE', 'STREAM_NAME', 'ENVIRONMENT'];

exports.handler = async (event, context) => {
  await new Promise((resolve) => setTimeout(resolve, 5));  // really async
  const env = {};
  for (const k of ENV_KEYS) env[k] = process.env[k] === undefined ? null : process.env[k];
  record({ event, env, env_keys: Object.keys(process.env).sort(), cwd: process.cwd(),
    pid: process.pid, tz_offset: new Date().getTimezoneOffset(),
    ctx: { functionName: context.functionName, functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId, logGroupName: context.logGroupName,
      logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis() } });
  console.log('hello from node', context.awsRequestId);
  return { ok: true };
};
'''

FAILING = NODE_PRELUDE + '''
let COUNT = 0;
exports.handler = async (event, context) => {
  COUNT += 1;
  const recs = summary(event);
  record({ phase: 'start', rid: context.awsRequestId, pid: process.pid, count: COUNT, records: recs });
  for (const r of recs) {
    if (r.data === 'bad') {
      const order = null;
      order.total;  // TypeError: Cannot read properties of null (reading 'total')
    }
  }
  record({ phase: 'done', rid: context.awsRequestId, pid: process.pid, count: COUNT, records: recs });
};
'''

ESM = NODE_ESM_PRELUDE + '''
let COUNT = 0;
export const handler = async (event, context) => {
  COUNT += 1;
  record({ phase: 'done', kind: 'esm', rid: context.awsRequestId, pid: process.pid, count: COUNT,
    records: summary(event) });
  return { batchItemFailures: [] };
};
'''

CALLBACK = NODE_PRELUDE + '''
exports.handler = (event, context, callback) => {
  setTimeout(() => {
    record({ phase: 'done', kind: 'callback', rid: context.awsRequestId, records: summary(event) });
    callback(null, { ok: true });
  }, 5);
};
'''


class LambdaNodeTest(LambdaTestCase):

    def test_event_context_and_environment_match_aws(self):
        self.add_flow("nshape", {"index.js": SHAPE}, **NODE)
        self.start_kemu()
        puts = [self.put("nshape", b'{"id":1}', "order-1"),
                self.put("nshape", b"\x00\xff raw", "\u043a\u043b\u044e\u0447-\u2713")]
        puts += self.put_many("nshape", [(f"n-{i}", f"pk-{i}") for i in range(4)])
        by_seq = {p["SequenceNumber"]: p for p in puts}
        seen = self.wait_seen("nshape", lambda s: sum(len(x["event"]["Records"]) for x in s)
                              >= len(puts), 20, "every record delivered")
        delivered = [r["kinesis"]["sequenceNumber"] for x in seen for r in x["event"]["Records"]]
        self.assertEqual(sorted(delivered), sorted(by_seq))
        self.assertEqual(delivered, sorted(delivered, key=int), "one shard: sequence order")
        code_root = os.path.realpath(self.code_dir("nshape"))
        rids = []
        for inv in seen:
            self.assertEqual(list(inv["event"]), ["Records"])
            for r in inv["event"]["Records"]:
                self.assert_kinesis_record(r, by_seq[r["kinesis"]["sequenceNumber"]], "nshape")
            ctx = inv["ctx"]
            self.assertEqual(ctx["functionName"], "dev-nshape-processor")
            self.assertEqual(ctx["functionVersion"], "$LATEST")
            self.assertEqual(ctx["invokedFunctionArn"], self.function_arn("nshape"))
            self.assertEqual(ctx["memoryLimitInMB"], "256")  # a string, as aws-lambda-ric
            self.assertRegex(ctx["awsRequestId"], UUID_RE)
            rids.append(ctx["awsRequestId"])
            self.assertEqual(ctx["logGroupName"], "/aws/lambda/dev-nshape-processor")
            self.assertRegex(ctx["logStreamName"], r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
            self.assertIsInstance(ctx["remaining"], int)
            self.assertTrue(0 < ctx["remaining"] <= 10000, ctx["remaining"])
            env = inv["env"]
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "dev-nshape-processor")
            self.assertEqual(env["AWS_REGION"], REGION)
            self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_nodejs20.x")
            self.assertEqual(env["_HANDLER"], "index.handler")
            self.assertEqual(env["EVENT_TYPE"], "nshape")
            self.assertEqual(env["STREAM_NAME"], "dev-nshape-stream")
            self.assertEqual(env["TZ"], ":UTC")
            self.assertEqual(inv["tz_offset"], 0)
            self.assertEqual(os.path.realpath(env["LAMBDA_TASK_ROOT"]), code_root)
            self.assertEqual(os.path.realpath(inv["cwd"]), code_root)
            for k in ("AWS_LAMBDA_FUNCTION_TIMEOUT", "AWS_SAM_LOCAL", "AWS_ACCOUNT_ID",
                      "AWS_LAMBDA_FUNCTION_HANDLER"):
                self.assertNotIn(k, inv["env_keys"])
        self.assertEqual(len(set(rids)), len(rids))
        for rid in rids:  # every REPORT written (the last END can trail the records file)
            self.report_line("nshape", rid)
        log = self.function_log("nshape").splitlines()
        for rid in rids:
            # Node's console format: <ISO time>\t<request id>\tINFO\t<message>
            lines = [l for l in log if re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + rid +
                                                r"\tINFO\thello from node " + rid + "$", l)]
            self.assertEqual(len(lines), 1, log)
            self.report_line("nshape", rid)
            self.kemu.wait_line(lambda l, rid=rid: l.startswith("[dev-nshape-processor] ")
                                and l.endswith(f"\tINFO\thello from node {rid}"), 5,
                                f"the console line of {rid} on stdout")

    def test_thrown_type_error_is_retried_logged_and_dead_lettered(self):
        self.add_flow("nfail", {"index.js": FAILING}, max_retry_attempts=2, **NODE)
        self.start_kemu()
        self.put("nfail", "ok-1")
        self.wait_seen("nfail", lambda s: any(x["phase"] == "done" for x in s), 15)
        self.put("nfail", "bad")
        self.wait_seen("nfail", lambda s: sum(1 for x in s if x["phase"] == "start" and
                                              x["records"][0]["data"] == "bad") >= 3, 15)
        bodies = self.receive_dlq("nfail", 1)
        self.put("nfail", "after")
        seen = self.wait_seen("nfail", lambda s: any(x["phase"] == "done" and
                                                     x["records"][0]["data"] == "after" for x in s), 15)
        tries = [x for x in seen if x["phase"] == "start" and x["records"][0]["data"] == "bad"]
        self.assertEqual(len(tries), 3, "max_retry_attempts 2: three invocations")
        self.assertEqual(len({x["pid"] for x in seen}), 1, "a thrown error keeps the environment")
        self.assertEqual([x["count"] for x in tries], [2, 3, 4])
        rec = tries[0]["records"][0]
        self.assert_failure_record(bodies[0], "nfail", rec, rec, 1, "RetryAttemptsExhausted", 3,
                                   "Unhandled", request_id=tries[-1]["rid"])
        log = self.function_log("nfail").splitlines()
        for t in tries:
            rid = t["rid"]
            lines = [l for l in log if l.startswith(f"{rid}\tERROR\tInvoke Error \t", 25)]
            self.assertEqual(len(lines), 1, f"no Invoke Error line for {rid}: {log}")
            self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t")
            # aws-lambda-ric logs the error with its enumerable properties and `stack` as a list
            # of lines (the error payload posted to the Runtime API carries `trace` instead).
            body = json.loads(lines[0].split("\tInvoke Error \t", 1)[1])
            self.assertEqual(list(body), ["errorType", "errorMessage", "stack"])
            self.assertEqual(body["errorType"], "TypeError")
            self.assertEqual(body["errorMessage"], "Cannot read properties of null (reading 'total')")
            self.assertEqual(body["stack"][0],
                             "TypeError: Cannot read properties of null (reading 'total')")
            self.assertTrue(any("index.js" in f for f in body["stack"][1:]), body["stack"])
            self.assertTrue(all(f.startswith("    at ") for f in body["stack"][1:]), body["stack"])

    def test_es_module_and_callback_handlers(self):
        self.add_flow("nesm", {"index.mjs": ESM}, report_batch_item_failures=True, **NODE)
        self.add_flow("ncb", {"index.js": CALLBACK}, **NODE)
        self.start_kemu()
        a = self.put("nesm", "esm-1")
        self.put("ncb", "cb-1")
        self.wait_seen("nesm", lambda s: len(s) >= 1, 15)
        b = self.put("nesm", "esm-2")
        seen = self.wait_seen("nesm", lambda s: len(s) >= 2, 15)
        self.assertEqual([(x["kind"], x["count"], [r["seq"] for r in x["records"]]) for x in seen],
                         [("esm", 1, [a["SequenceNumber"]]), ("esm", 2, [b["SequenceNumber"]])])
        self.assertEqual(seen[0]["pid"], seen[1]["pid"])
        cb = self.wait_seen("ncb", lambda s: len(s) >= 1, 15)
        self.assertEqual([(x["kind"], [r["data"] for r in x["records"]]) for x in cb],
                         [("callback", ["cb-1"])])
        for event_type, rid in (("nesm", seen[0]["rid"]), ("ncb", cb[0]["rid"])):
            self.report_line(event_type, rid)
        self.assertEqual(self.dlq_depth("nesm"), 0)
        self.assertEqual(self.dlq_depth("ncb"), 0)


if __name__ == "__main__":
    run_main()
