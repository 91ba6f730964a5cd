"""The JS SDK v3's CloudWatch client (3.1178 picks AWS JSON 1.0 with AWS query compatibility from
the model's protocols; RPC v2 CBOR is tested with botocore's client) and CloudWatch Logs client against `kemu up -c examples/kemu.yaml` (tests/e2e/node/sdk_cloudwatch.cjs)."""

from cloudwatch_support import (ALARM_REASON_RE, ERRORS_ALARM, FUNCTION, GOOD_LINE, GROUP,
                                STREAM, PipelineKemu)
from kemu_harness import run_main
from node_support import run_node


class CloudWatchJsSdkTest(PipelineKemu):
    def test_cloudwatch_cbor_and_logs_with_the_js_sdk(self):
        out = run_node("sdk_cloudwatch.cjs", [self.endpoint, ERRORS_ALARM, STREAM, FUNCTION, GROUP],
                       timeout=180, env=self.env)
        self.assertEqual((out["alarm"]["name"], out["alarm"]["state"]), (ERRORS_ALARM, "ALARM"))
        self.assertRegex(out["alarm"]["reason"], ALARM_REASON_RE)
        self.assertTrue(out["alarm"]["updated"])
        self.assertEqual(sum(out["series"]["incoming"]["values"]), 2.0)
        self.assertTrue(out["series"]["incoming"]["dates"])
        self.assertTrue(out["series"]["age"]["values"])
        self.assertEqual(out["unknownAlarm"], {"name": "ResourceNotFound", "status": 404,
                                               "message": "Alarm no-such-alarm not found"})
        self.assertEqual(out["badPeriod"]["status"], 400)
        self.assertEqual(out["badPeriod"]["message"],
                         "The parameter Period must be a multiple of 60.")
        self.assertEqual(out["unknownGroup"], {"name": "ResourceNotFoundException", "status": 400,
                                               "message": "The specified log group does not exist."})
        self.assertEqual(set(out["messages"]), {GOOD_LINE})
        self.assertIsNone(out["nextToken"])


if __name__ == "__main__":
    run_main()
