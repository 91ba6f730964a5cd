"""A `provided.al2023` function: kemu runs the function's own `bootstrap` (here AWS's tutorial
shell bootstrap with curl), which speaks the Lambda Runtime API itself: GET invocation/next, then
POST invocation/{id}/response with the id from the Lambda-Runtime-Aws-Request-Id header."""

import json
import os
import stat

from kemu_harness import LambdaTestCase, run_main, wait_until

# The loop from AWS's "custom runtime" tutorial, plus an error path and an output file outside
# the code directory (writing inside it would count as a code change).
BOOTSTRAP = r'''#!/bin/bash
set -euo pipefail
OUT="$LAMBDA_TASK_ROOT/../../out/custom.jsonl"
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "custom runtime starting in $(pwd) with handler $_HANDLER"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  DEADLINE=$(grep -Fi Lambda-Runtime-Deadline-Ms "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  printf '{"request_id":"%s","deadline":%s,"event":%s}\n' "$REQUEST_ID" "$DEADLINE" "$EVENT" >> "$OUT"
  if grep -q "cG9pc29u" <<< "$EVENT"; then   # base64("poison")
    curl -sS -X POST "$API/invocation/$REQUEST_ID/error" \
      -H "Lambda-Runtime-Function-Error-Type: Function.Poisoned" \
      -d '{"errorMessage":"poisoned record","errorType":"Function.Poisoned"}' > /dev/null
  else
    curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d '{"ok":true}' > /dev/null
  fi
  rm -f "$HEADERS"
done
'''


class ProvidedRuntimeTest(LambdaTestCase):
    def seen(self):
        path = os.path.join(self.tmp, "out", "custom.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_the_functions_own_bootstrap_serves_invocations_and_errors(self):
        self.add_flow("custom", {"bootstrap": BOOTSTRAP}, lambda_runtime="provided.al2023",
                      lambda_handler="function.handler", max_retry_attempts=1)
        path = os.path.join(self.code_dir("custom"), "bootstrap")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        self.start_kemu("--no-function-logs")
        ok = self.put("custom", "hello")
        seen = wait_until(lambda: self.seen() or None, 20, what="the bootstrap's first invocation")
        first = seen[0]
        rec = first["event"]["Records"][0]
        self.assertEqual(rec["kinesis"]["sequenceNumber"], ok["SequenceNumber"])
        self.assertEqual(rec["kinesis"]["data"], "aGVsbG8=")
        self.assertGreater(first["deadline"], ok["time"] * 1000)

        self.put("custom", "poison")
        bodies = self.receive_dlq("custom", 1)
        self.assertEqual(bodies[0]["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(bodies[0]["responseContext"]["functionError"], "Unhandled")
        log = self.function_log("custom")
        self.assertIn("custom runtime starting in " + self.code_dir("custom") + " with handler function.handler", log)
        self.assertTrue(self.kemu.running())


if __name__ == "__main__":
    run_main()
