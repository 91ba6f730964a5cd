"""The JS SDK v3 against `kemu up --verify-signatures` (tests/e2e/node/sdk_signatures.cjs): the
right secret works on Kinesis, SQS and Lambda; a wrong one gets each service's error, no effect."""

from kemu_harness import KemuTestCase, run_main
from node_support import run_node


class SignaturesJsSdkTest(KemuTestCase):
    kemu_args = ("--verify-signatures",)

    def test_right_and_wrong_secrets(self):
        out = run_node("sdk_signatures.cjs", [self.endpoint], timeout=180, env=self.env)
        self.assertTrue(out["queueUrl"].endswith("/js-ok"), out)
        self.assertEqual(out["kinesisWrong"]["name"], "InvalidSignatureException")
        self.assertEqual(out["kinesisWrong"]["status"], 400)
        self.assertEqual(out["sqsWrong"]["status"], 403)
        self.assertIn(out["sqsWrong"]["name"], ("SignatureDoesNotMatch", "InvalidSignatureException"))
        self.assertEqual((out["lambdaWrong"]["name"], out["lambdaWrong"]["status"]),
                         ("InvalidSignatureException", 403))
        self.assertEqual(out["streams"], ["js-ok"])
        self.assertEqual([u.rsplit("/", 1)[1] for u in out["queues"]], ["js-ok"])


if __name__ == "__main__":
    run_main()
