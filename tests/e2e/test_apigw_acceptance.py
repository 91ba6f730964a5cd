"""API Gateway front door against a running kemu, request by request as curl would send them:
routing and the Kinesis integration, integration responses, gateway errors, API keys, throttling
and quotas, size and content-type limits, CORS, partial batch failures (and with each, the
request's access-log line), plus the seed's curl commands, the host-style URL, and the settings
that moved from KEMU_APIGW_* to kemu.yaml and flags. Each test writes its own kemu.yaml.
docs/aws/apigw.md describes what AWS does."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

from apigw_support import TOPOLOGY, UUID_RE, ApigwTestCase
from kemu_harness import client_env, kemu_bin, run_main
from seed_fixtures import SEED_REQUESTS, seed_curl_command

MAT = "Missing Authentication Token"
MAT_TYPE = "MissingAuthenticationTokenException"


class RoutingAndIntegrationTest(ApigwTestCase):
    """Routing and the Kinesis integration with the module's defaults."""

    def test_put_record_returns_kinesis_body_and_stores_exact_bytes(self):
        body = b'{"order_id": "ORD-12345",\n  "total_amount": 99.99, "note": "caf\xc3\xa9 \\"x\\""}'
        r = self.call("POST", "/v1/events/orders", body)
        self.assertEqual(r.status, 200, r.body)
        out = r.json()
        self.assertRegex(out["ShardId"], r"^shardId-00000000000[01]$")
        self.assertRegex(out["SequenceNumber"], r"^\d{56}$")
        self.assertEqual(out["EncryptionType"], "KMS")
        self.assertEqual(r.header("Content-Type"), "application/json")
        rid = r.header("x-amzn-RequestId")
        self.assertRegex(rid, UUID_RE)
        self.assertEqual(len(r.header("x-amz-apigw-id")), 16)
        self.assertTrue(r.header("X-Amzn-Trace-Id").startswith("Root=1-"))
        self.assertTrue(r.header("Date").endswith(" GMT"))
        self.assertIsNone(r.header("x-amzn-ErrorType"))
        recs = self.read_all("dev-orders-stream")
        self.assertEqual(len(recs), 1)
        self.assertEqual(bytes(recs[0]["Data"]), body)
        self.assertEqual(recs[0]["PartitionKey"], rid)
        self.assertEqual(recs[0]["SequenceNumber"], out["SequenceNumber"])
        e = self.assert_logged(r)
        self.assertEqual(e["resourcePath"], "/events/{event_type}")
        self.assertEqual(e["path"], "/v1/events/orders")
        self.assertEqual(e["integrationStatus"], "200")

    def test_client_request_id_becomes_the_partition_key(self):
        mine = str(uuid.uuid4())
        r = self.call("POST", "/v1/events/orders", b"{}", {"x-amzn-RequestId": mine})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("x-amzn-RequestId"), mine)
        recs = self.read_all("dev-orders-stream")
        self.assertEqual([x["PartitionKey"] for x in recs], [mine])
        self.assert_logged(r)
        # Not a UUID: replaced by a fresh id.
        r2 = self.call("POST", "/v1/events/orders", b"{}", {"x-amzn-RequestId": "pin-me"})
        self.assertEqual(r2.status, 200)
        self.assertNotEqual(r2.header("x-amzn-RequestId"), "pin-me")
        self.assertRegex(r2.header("x-amzn-RequestId"), UUID_RE)

    def test_unknown_event_type_is_400_with_the_recommended_responses(self):
        r = self.call("POST", "/v1/events/nope", b"{}")
        self.assertEqual(r.status, 400, r.body)
        out = r.json()
        self.assertEqual(out["type"], "ValidationException")
        self.assertIn("streamName", out["message"])
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        e = self.assert_logged(r)
        self.assertEqual(e["integrationStatus"], "400")

    def test_get_is_missing_authentication_token(self):
        r = self.call("GET", "/v1/events/orders")
        self.assert_gateway_error(r, 403, MAT, MAT_TYPE)
        self.assert_logged(r, "MISSING_AUTHENTICATION_TOKEN")
        for method in ("PUT", "DELETE", "PATCH"):
            self.assert_gateway_error(self.call(method, "/v1/events/orders", b"{}"), 403, MAT,
                                      MAT_TYPE)

    def test_wrong_stage_is_missing_authentication_token(self):
        r = self.call("POST", "/v2/events/orders", b"{}")
        self.assert_gateway_error(r, 403, MAT, MAT_TYPE)
        self.assert_logged(r, "MISSING_AUTHENTICATION_TOKEN")

    def test_literal_batch_resource_has_no_post(self):
        r = self.call("POST", "/v1/events/batch", b'{"records":[]}')
        self.assert_gateway_error(r, 403, MAT, MAT_TYPE)
        self.assert_logged(r, "MISSING_AUTHENTICATION_TOKEN")
        self.assertEqual(self.read_all("dev-orders-stream"), [])

    def test_object_data_is_stored_as_java_map_text(self):
        body = {"records": [{"data": {"a": 1, "b": {"c": [1, 2]}}, "partitionKey": "k1"},
                            {"data": "plain string", "partitionKey": "k2"}]}
        r = self.call("POST", "/v1/events/batch/user_activity", json.dumps(body))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["FailedRecordCount"], 0)
        recs = self.read_all("dev-user_activity-stream")
        self.assertEqual([bytes(x["Data"]) for x in recs], [b"{a=1, b={c=[1, 2]}}", b"plain string"])
        self.assertEqual([x["PartitionKey"] for x in recs], ["k1", "k2"])
        self.assert_logged(r)

    def test_trailing_slash_and_host_style_url(self):
        self.assertEqual(self.call("POST", "/v1/events/orders/", b"{}").status, 200)
        api_id = self.invoke_line.split("http://", 2)[2].split(".", 1)[0]
        self.assertRegex(api_id, r"^[a-z0-9]{10}$")
        host = f"{api_id}.execute-api.localhost:{self.port}"
        r = self.call("POST", "/v1/events/orders", b"{}", {"Host": host})
        self.assertEqual(r.status, 200, r.body)
        e = self.assert_logged(r)
        self.assertEqual(e["domainName"], host)
        other = self.call("POST", "/v1/events/orders", b"{}",
                          {"Host": f"aaaaaaaaaa.execute-api.localhost:{self.port}"})
        self.assert_gateway_error(other, 403, MAT, MAT_TYPE)

    def test_invoke_url_is_printed_after_the_listening_line(self):
        self.assertEqual(self.invoke_line.split()[3], f"{self.endpoint}/v1")

    def test_kinesis_api_still_answers_next_to_the_front_door(self):
        c = self.kinesis()
        names = c.list_streams()["StreamNames"]
        self.assertEqual(names, ["dev-orders-stream", "dev-user_activity-stream"])

    def test_seed_curl_commands_work_unchanged(self):
        # The seed's three commands as its README writes them (bodies from tests/fixtures/seed/),
        # with -sf so that an HTTP error fails the script.
        api_url = f"{self.endpoint}/v1"
        script = "set -e\n" + "".join(seed_curl_command(path, curl="curl -sf") + "\necho\n"
                                       for path, _ in SEED_REQUESTS)
        p = subprocess.run(["bash", "-c", script], env={**os.environ, "API_URL": api_url},
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        outs = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        self.assertEqual(len(outs), 3)
        self.assertIn("SequenceNumber", outs[0])
        self.assertIn("SequenceNumber", outs[1])
        self.assertEqual(outs[2]["FailedRecordCount"], 0)
        recs = self.read_all("dev-user_activity-stream")
        datas = [bytes(x["Data"]) for x in recs]
        self.assertIn(b'{"user_id": "user1", "action": "login"}', datas)
        self.assertIn(b'{"user_id": "user2", "action": "signup"}', datas)
        self.assertEqual(len(datas), 3)


class DefaultOnlyIntegrationResponseTest(ApigwTestCase):
    """An unknown event type with only the default integration response: the production bug,
    a 200."""
    API = "  integration_responses: default-only"

    def test_unknown_event_type_is_200_with_the_kinesis_error_body(self):
        r = self.call("POST", "/v1/events/nope", b"{}")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["__type"], "ValidationException")
        self.assert_logged(r)


class ApiKeyTest(ApigwTestCase):
    """API keys of a usage plan, their values from KEMU_API_KEY_{NAME} (one disabled)."""
    API = """\
  api_key_required: true
  usage_plans:
    - name: partners
      api_keys:
        - name: good
        - name: old-key
          enabled: false"""
    KEY_ENV = {"KEMU_API_KEY_GOOD": "good-key-0123456789",
               "KEMU_API_KEY_OLD_KEY": "disabled-key-0123456789"}

    def test_missing_unknown_or_disabled_key_is_403_forbidden(self):
        for headers in ({}, {"x-api-key": "bad"}, {"x-api-key": "disabled-key-0123456789"}):
            r = self.call("POST", "/v1/events/orders", b"{}", headers)
            self.assert_gateway_error(r, 403, "Forbidden", "ForbiddenException")
            self.assert_logged(r, "INVALID_API_KEY")
        ok = self.call("POST", "/v1/events/orders", b"{}", {"X-Api-Key": "good-key-0123456789"})
        self.assertEqual(ok.status, 200, ok.body)
        e = self.assert_logged(ok)
        # The log identifies the key by its id, never by its value.
        self.assertNotIn("apiKey", e)
        self.assertRegex(e["apiKeyId"], r"^[0-9a-f]{10}$")
        # Preflight never requires a key; unknown routes stay 403 MAT.
        self.assertEqual(self.call("OPTIONS", "/v1/events/orders").status, 200)
        self.assert_gateway_error(self.call("POST", "/v1/events/batch", b"{}"), 403, MAT, MAT_TYPE)
        # Keys given in the environment are never printed.
        self.assertEqual(self.kemu.stop(), 0)
        out = "\n".join(self.kemu.lines) + self.kemu.stderr_tail()
        out += json.dumps(self.access_log())
        self.assertNotIn("good-key-0123456789", out)
        self.assertNotIn("kemu api key:", out)


class PrintedApiKeyTest(ApigwTestCase):
    """A key required and no usage plan: the module's one key, generated and printed as AWS
    shows it."""
    API = "  api_key_required: true"

    def test_the_printed_key_is_the_accepted_one(self):
        line = self.kemu.wait_line("kemu api key: ")
        key = line.split()[3]
        self.assertRegex(key, r"^[0-9a-f]{32}$")
        self.assertIn("(default; KEMU_API_KEY_DEFAULT sets it)", line)
        self.assertEqual(self.call("POST", "/v1/events/orders", b"{}", {"x-api-key": key}).status,
                         200)
        self.assert_gateway_error(self.call("POST", "/v1/events/orders", b"{}"), 403, "Forbidden",
                                  "ForbiddenException")


class ThrottleTest(ApigwTestCase):
    """The stage token bucket (burst, then 429), and CORS on a 429 with the module's DEFAULT_4XX
    customisation."""
    API = "  throttling_rate_limit: 0.001\n  throttling_burst_limit: 5"

    def test_burst_requests_succeed_then_429(self):
        statuses = []
        for i in range(6):
            r = self.call("POST", "/v1/events/orders", json.dumps({"n": i}))
            statuses.append(r.status)
        self.assertEqual(statuses, [200] * 5 + [429])
        self.assert_gateway_error(r, 429, "Too Many Requests", "TooManyRequestsException")
        self.assert_logged(r, "THROTTLED")
        self.assertEqual(len(self.read_all("dev-orders-stream")), 5)

    def test_customised_default_4xx_carries_cors(self):
        for _ in range(5):
            self.call("POST", "/v1/events/orders", b"{}")
        r = self.call("POST", "/v1/events/orders", b"{}", {"Origin": "https://app.example.com"})
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        self.assertIsNotNone(r.header("Access-Control-Allow-Headers"))


class UncustomisedGatewayResponseTest(ApigwTestCase):
    """Without DEFAULT_4XX customisation a 429 carries no CORS header."""
    API = ("  throttling_rate_limit: 0.001\n  throttling_burst_limit: 1\n"
           "  gateway_response_cors: false")

    def test_429_from_a_browser_origin_has_no_allow_origin(self):
        first = self.call("POST", "/v1/events/orders", b"{}", {"Origin": "https://app.example.com"})
        self.assertEqual(first.status, 200)
        self.assertEqual(first.header("Access-Control-Allow-Origin"), "*")
        r = self.call("POST", "/v1/events/orders", b"{}", {"Origin": "https://app.example.com"})
        self.assert_gateway_error(r, 429, "Too Many Requests", "TooManyRequestsException")
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        self.assert_logged(r, "THROTTLED")


class QuotaTest(ApigwTestCase):
    """A usage plan quota of N/DAY: the N+1th request."""
    API = """\
  api_key_required: true
  usage_plans:
    - name: metered
      quota_settings: {limit: 3, period: DAY}
      api_keys: [{name: quota}]"""
    KEY_ENV = {"KEMU_API_KEY_QUOTA": "quota-key-0123456789"}

    def test_quota_exhausted_is_429_limit_exceeded(self):
        h = {"x-api-key": "quota-key-0123456789"}
        for _ in range(3):
            self.assertEqual(self.call("POST", "/v1/events/orders", b"{}", h).status, 200)
        r = self.call("POST", "/v1/events/orders", b"{}", h)
        self.assert_gateway_error(r, 429, "Limit Exceeded", "LimitExceededException")
        self.assert_logged(r, "QUOTA_EXCEEDED")


class AccountThrottleFlagTest(ApigwTestCase):
    """`kemu up --apigw-account-throttle RATE/BURST`: the account layer, below a stage of 10000."""
    EXTRA_ARGS = ("--apigw-account-throttle", "0.001/2")

    def test_the_account_bucket_throttles_across_routes(self):
        self.assertEqual(self.call("POST", "/v1/events/orders", b"{}").status, 200)
        self.assertEqual(self.call("POST", "/v1/events/user_activity", b"{}").status, 200)
        r = self.call("POST", "/v1/events/orders", b"{}")
        self.assert_gateway_error(r, 429, "Too Many Requests", "TooManyRequestsException")
        self.assert_logged(r, "THROTTLED")


class RetiredSettingsTest(unittest.TestCase):
    """KEMU_APIGW_* variables are no longer read: kemu up names what replaced them, exit 2."""

    def run_up(self, env, api="  stage_name: v1", args=()):
        tmp = tempfile.mkdtemp(prefix="kemu-apigw-")
        self.addCleanup(shutil.rmtree, tmp, True)
        config = os.path.join(tmp, "kemu.yaml")
        with open(config, "w") as f:
            f.write(TOPOLOGY.format(api=api))
        full = {k: v for k, v in client_env(tmp).items() if not k.startswith("KEMU_APIGW_")}
        full.update(env)
        p = subprocess.run([kemu_bin(), "up", "--port", "0", "--in-memory", "--no-lambda",
                            "-c", config, *args], env=full, capture_output=True, text=True,
                           timeout=30)
        return p, config

    def test_an_old_variable_says_what_replaced_it(self):
        p, _ = self.run_up({"KEMU_APIGW_ACCOUNT_THROTTLE": "off"})
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("KEMU_APIGW_ACCOUNT_THROTTLE is no longer read; use kemu up "
                      "--apigw-account-throttle RATE/BURST|off instead", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_a_bad_api_value_names_file_line_and_key(self):
        p, config = self.run_up({}, api="  integration_responses: sometimes")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(f"{config}:4: api.integration_responses: must be one of recommended, "
                      "default-only, none (got 'sometimes')", p.stderr)

    def test_a_bad_flag_value_is_exit_2(self):
        p, _ = self.run_up({}, args=("--apigw-account-throttle", "fast"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--apigw-account-throttle: expected RATE/BURST", p.stderr)


class LimitsTest(ApigwTestCase):
    """The 10 MB body, text/plain with passthrough NEVER, the preflight without Origin, and the
    10 KB request head."""

    def test_body_over_10_mb_is_413(self):
        r = self.call("POST", "/v1/events/orders", b"x" * (10 * 1024 * 1024 + 1))
        self.assert_gateway_error(r, 413, "Request Too Long", "RequestTooLongException")
        self.assert_logged(r, "REQUEST_TOO_LARGE")
        self.assertEqual(self.read_all("dev-orders-stream"), [])

    def test_text_plain_is_415_with_passthrough_never(self):
        r = self.call("POST", "/v1/events/orders", b"hello", {"Content-Type": "text/plain"})
        self.assert_gateway_error(r, 415, "Unsupported Media Type",
                                  "UnsupportedMediaTypeException")
        self.assert_logged(r, "UNSUPPORTED_MEDIA_TYPE")
        ok = self.call("POST", "/v1/events/orders", b"{}",
                       {"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(ok.status, 200)

    def test_options_without_origin_is_the_preflight(self):
        for path in ("/v1/events/orders", "/v1/events/batch/orders"):
            r = self.call("OPTIONS", path)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, b"")
            self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
            self.assertEqual(r.header("Access-Control-Allow-Methods"), "OPTIONS,POST")
            self.assertEqual(r.header("Access-Control-Allow-Headers"),
                             "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token")
            self.assert_logged(r)

    def test_request_head_over_10_kb_is_refused(self):
        r = self.call("POST", "/v1/events/orders", b"{}", {"X-Padding": "p" * 10300})
        self.assertEqual(r.status, 431)
        self.assertEqual(self.call("POST", "/v1/events/orders", b"{}",
                                   {"X-Padding": "p" * 9000}).status, 200)


class ShardLimitTest(ApigwTestCase):
    """A batch with one record over the shard's write limit."""
    EXTRA_ARGS = ("--shard-limits",)

    def test_partial_failure_is_200_in_request_order(self):
        # Nearly as large as one record may be (1 MiB of data and key), so that with the first
        # record it passes the shard's 1 MiB a second.
        big = "b" * (1024 * 1024 - 4)
        body = {"records": [{"data": "first", "partitionKey": "k"},
                            {"data": big, "partitionKey": "k"},
                            {"data": "third", "partitionKey": "k"}]}
        r = self.call("POST", "/v1/events/batch/user_activity", json.dumps(body))
        self.assertEqual(r.status, 200, r.body[:300])
        out = r.json()
        self.assertEqual(out["FailedRecordCount"], 1)
        self.assertIn("SequenceNumber", out["Records"][0])
        self.assertEqual(out["Records"][1]["ErrorCode"], "ProvisionedThroughputExceededException")
        self.assertIn("SequenceNumber", out["Records"][2])
        recs = self.read_all("dev-user_activity-stream")
        self.assertEqual([bytes(x["Data"]) for x in recs], [b"first", b"third"])
        self.assert_logged(r)


class SeveralOriginsTest(ApigwTestCase):
    """Several cors_allowed_origins: Access-Control-Allow-Origin holds one origin, so the
    request's Origin is echoed when it is listed, with Vary: Origin."""
    API = '  cors_allowed_origins: ["https://a.example", "https://b.example"]'

    def test_listed_origin_is_echoed_with_vary(self):
        r = self.call("POST", "/v1/events/orders", b"{}", {"Origin": "https://b.example"})
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://b.example")
        self.assertEqual(r.header("Vary"), "Origin")
        r = self.call("POST", "/v1/events/orders", b"{}", {"Origin": "https://evil.example"})
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        pre = self.call("OPTIONS", "/v1/events/orders", headers={"Origin": "https://a.example"})
        self.assertEqual(pre.header("Access-Control-Allow-Origin"), "https://a.example")


class NoAccessLogTest(ApigwTestCase):
    API = "  enable_access_logging: false"

    def test_no_access_log_file_when_disabled(self):
        self.assertEqual(self.call("POST", "/v1/events/orders", b"{}").status, 200)
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, "logs")))


if __name__ == "__main__":
    run_main()
