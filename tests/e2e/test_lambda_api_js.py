"""The JS SDK v3 Lambda client (REST-JSON) against `kemu up -c examples/kemu.yaml`
(tests/e2e/node/sdk_lambda.cjs): invoke with a Kinesis-shaped event, the error fields of a
raising handler, the function and its mapping, a live batch-size change, an unknown function."""

import json

from kemu_harness import run_main
from lambda_api_support import FUNCTION, UUID_RE, LambdaKemu, kinesis_event, order
from node_support import run_node


class LambdaJsSdkTest(LambdaKemu):
    def test_the_lambda_api_with_the_js_sdk(self):
        out = run_node("sdk_lambda.cjs", [self.endpoint, FUNCTION,
                                          json.dumps(kinesis_event(order(1))),
                                          json.dumps(kinesis_event(order(2, amount=-1)))],
                       timeout=180, env=self.env)
        good = out["good"]
        self.assertEqual((good["status"], good["payload"], good["version"], good["functionError"]),
                         (200, {"statusCode": 200}, "$LATEST", None))
        self.assertIn("order ORD-1 created: 1 item, 10.00 USD", good["log"])
        bad = out["bad"]
        self.assertEqual((bad["status"], bad["functionError"]), (200, "Unhandled"))
        self.assertEqual(bad["payload"]["errorType"], "ValueError")
        self.assertIn("invalid order ORD-2", bad["payload"]["errorMessage"])
        self.assertEqual(out["conf"], {"name": FUNCTION, "runtime": "python3.11", "memory": 256})
        self.assertRegex(out["mapping"]["uuid"], UUID_RE)
        self.assertEqual((out["mapping"]["count"], out["mapping"]["state"],
                          out["mapping"]["batchSize"]), (1, "Updating", 50))
        self.assertEqual(out["unknown"]["name"], "ResourceNotFoundException")
        self.assertEqual(out["unknown"]["status"], 404)
        self.assertTrue(out["unknown"]["message"].startswith("Function not found: arn:aws:lambda:"),
                        out["unknown"])


if __name__ == "__main__":
    run_main()
