"""The AWS SDK for JavaScript v3 with its default request handlers against `kemu up`
as a user's Node program runs it: the Kinesis client speaks HTTP/2 with prior knowledge (no
Upgrade, no ALPN), one new connection per call; the SQS client speaks HTTP/1.1 keep-alive; both
on kemu's one port, and the Kinesis client never sees `Protocol error`.
"""

import unittest

from kemu_harness import KemuTestCase
from node_support import run_node


class JsSdkTest(KemuTestCase):
    def test_kinesis_and_sqs_with_default_handlers(self):
        out = run_node("sdk_basic.cjs", [self.endpoint], timeout=180, env=self.env)
        k = out["kinesis"]
        # The Kinesis client's default handler is the HTTP/2 one: every call above used h2c.
        self.assertEqual(k["handler"], "NodeHttp2Handler")
        self.assertEqual(len(k["put"]), 5)
        self.assertEqual(k["concurrent"], 5)
        self.assertEqual(len(k["batch"]), 50)
        self.assertEqual(k["shards"], ["shardId-000000000000", "shardId-000000000001"])
        datas = [r["data"] for r in k["read"]]
        self.assertEqual(len(datas), 60)
        self.assertEqual(sorted(datas), sorted([f"single-{i}" for i in range(5)] +
                                               [f"concurrent-{i}" for i in range(5)] +
                                               [f"batch-{i}" for i in range(50)]))
        # Per shard, records come back in sequence order; one key's records keep their order.
        singles = [r["data"] for r in k["read"] if r["data"].startswith("single-")]
        self.assertEqual(singles, [f"single-{i}" for i in range(5)])
        for shard in k["shards"]:
            seqs = [int(r["seq"]) for r in k["read"] if r["shard"] == shard]
            self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(k["missing"]["name"], "ResourceNotFoundException")
        self.assertEqual(k["missing"]["status"], 400)
        self.assertTrue(k["missing"]["modeled"])
        self.assertEqual(k["missing"]["message"],
                         "Stream no-such-stream under account 000000000000 not found.")

        q = out["sqs"]
        self.assertEqual(q["handler"], "NodeHttpHandler")
        self.assertEqual(q["bodies"], ["hello from js"])
        self.assertEqual(q["left"], "0")
        self.assertEqual(q["missing"]["name"], "QueueDoesNotExist")
        self.assertEqual(q["missing"]["status"], 400)


if __name__ == "__main__":
    unittest.main()
