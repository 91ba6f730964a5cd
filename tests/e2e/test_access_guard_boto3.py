"""Who may reach kemu (core/access_guard.h): hosts, origins, credentials and
`kemu up --verify-signatures`, on the wire and through boto3 (both Pythons: boto3 1.43 speaks
SQS's JSON protocol, 1.26 its query protocol).

Run: python3 tests/e2e/test_access_guard_boto3.py   (KEMU_BIN overrides the binary)
"""

import datetime
import hashlib
import hmac
import http.client
import json
import os
import stat
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kemu_harness import KemuTestCase, kemu_bin, run_main  # noqa: E402

EVIL = "https://evil.example"


class Reply:
    def __init__(self, resp):
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.body = resp.read()

    def __repr__(self):
        return f"Reply({self.status}, {self.headers}, {self.body[:300]!r})"


class GuardBase(KemuTestCase):
    def raw(self, method, path, body=b"", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.kemu.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            return Reply(conn.getresponse())
        finally:
            conn.close()

    def client(self, service, key="test", secret="test"):
        return boto3.client(service, endpoint_url=self.kemu.endpoint, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}))

    def queue_names(self):
        urls = self.client("sqs").list_queues().get("QueueUrls", [])
        return [u.rsplit("/", 1)[1] for u in urls]


class UnsignedAndForeignTest(GuardBase):
    def test_preflight_from_an_unknown_origin_gets_no_allow_origin(self):
        r = self.raw("OPTIONS", "/", headers={
            "Origin": EVIL, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target,authorization,content-type"})
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("access-control-allow-origin", r.headers)
        self.assertIn(EVIL, json.loads(r.body)["message"])

    def test_preflight_from_kemus_own_origin_echoes_it(self):
        own = f"http://localhost:{self.kemu.port}"
        r = self.raw("OPTIONS", "/", headers={
            "Origin": own, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("access-control-allow-origin"), own)

    def test_a_foreign_host_header_gets_403_and_no_effect(self):
        form = b"Action=CreateQueue&QueueName=rebound&Version=2012-11-05"
        r = self.raw("POST", "/", form, {
            "Host": "evil.example", "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/"
                             "aws4_request, SignedHeaders=host, Signature=00",
            "X-Amz-Date": "20240101T000000Z"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("evil.example", json.loads(r.body)["message"])
        self.assertNotIn("rebound", self.queue_names())
        r = self.raw("GET", "/_kemu/status", headers={"Host": "evil.example:4566"})
        self.assertEqual(r.status, 403, r)

    def test_a_form_post_from_another_origin_creates_nothing(self):
        r = self.raw("POST", "/", b"Action=CreateQueue&QueueName=pwned", {
            "Origin": EVIL, "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("pwned", self.queue_names())

    def test_unsigned_requests_get_awss_answer_on_each_protocol(self):
        # SQS query: 403 MissingAuthenticationToken in an ErrorResponse.
        r = self.raw("POST", "/", b"Action=CreateQueue&QueueName=q1&Version=2012-11-05",
                     {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 403, r)
        self.assertIn(b"<Code>MissingAuthenticationToken</Code>", r.body)
        self.assertIn(b"<Message>Request is missing Authentication Token</Message>", r.body)
        # SQS JSON: the JSON shape, the query code in x-amzn-query-error.
        r = self.raw("POST", "/", json.dumps({"QueueName": "q2"}).encode(), {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.CreateQueue"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.headers.get("x-amzn-query-error"), "MissingAuthenticationToken;Sender")
        self.assertEqual(json.loads(r.body)["__type"],
                         "com.amazon.coral.service#MissingAuthenticationTokenException")
        # Kinesis JSON 1.1.
        r = self.raw("POST", "/", json.dumps({"StreamName": "s1", "ShardCount": 1}).encode(), {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Kinesis_20131202.CreateStream"})
        self.assertEqual((r.status, json.loads(r.body)), (400, {
            "__type": "MissingAuthenticationTokenException",
            "message": "Missing Authentication Token"}), r)
        # CloudWatch Logs (JSON 1.1) and CloudWatch (JSON 1.0).
        r = self.raw("POST", "/", json.dumps({"logGroupName": "g1"}).encode(), {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Logs_20140328.CreateLogGroup"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(json.loads(r.body)["__type"], "MissingAuthenticationTokenException")
        r = self.raw("POST", "/", json.dumps({"MetricData": [], "Namespace": "n"}).encode(), {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData"})
        self.assertEqual(r.status, 403, r)
        # Lambda (REST JSON).
        r = self.raw("POST", "/2015-03-31/functions/f/invocations", b"{}")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException")
        # Nothing was created.
        self.assertEqual(self.queue_names(), [])
        self.assertEqual(self.client("kinesis").list_streams()["StreamNames"], [])
        self.assertEqual(self.client("logs").describe_log_groups()["logGroups"], [])


def sign_at(when, host, body, target, secret="test", service="kinesis"):
    """A SigV4 header set for a Kinesis JSON call signed at `when` (a UTC datetime)."""
    amz_date, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
    headers = {"content-type": "application/x-amz-json-1.1", "host": host,
               "x-amz-date": amz_date, "x-amz-target": target}
    names = ";".join(sorted(headers))
    canonical = "\n".join(["POST", "/", "", "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)),
                           names, hashlib.sha256(body).hexdigest()])
    scope = f"{day}/us-east-1/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential=test/{scope}, "
                                f"SignedHeaders={names}, Signature={sig}")
    return headers


class VerifySignaturesTest(GuardBase):
    kemu_args = ("--verify-signatures",)

    def setUp(self):
        os.environ["KEMU_ACCESS_KEYS"] = "test:test,AKIDTEAM:team-secret"
        self.addCleanup(os.environ.pop, "KEMU_ACCESS_KEYS", None)
        super().setUp()

    def test_the_right_secret_works_on_every_api(self):
        for key, secret in (("test", "test"), ("AKIDTEAM", "team-secret")):
            self.client("kinesis", key, secret).list_streams()
            self.client("sqs", key, secret).create_queue(QueueName="signed-" + key)
            self.client("cloudwatch", key, secret).list_metrics()
            self.client("logs", key, secret).describe_log_groups()
            self.client("lambda", key, secret).list_functions()
        self.assertEqual(sorted(self.queue_names()), ["signed-AKIDTEAM", "signed-test"])

    def test_a_wrong_secret_is_refused_with_each_services_error(self):
        with self.assertRaises(ClientError) as e:
            self.client("kinesis", "test", "wrong").create_stream(StreamName="s", ShardCount=1)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertIn("does not match the signature you provided",
                      e.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as e:
            self.client("sqs", "test", "wrong").create_queue(QueueName="nope")
        self.assertEqual(e.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        with self.assertRaises(ClientError) as e:
            self.client("lambda", "test", "wrong").list_functions()
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(self.queue_names(), [])
        self.assertEqual(self.client("kinesis").list_streams()["StreamNames"], [])

    def test_an_unknown_key_is_refused(self):
        with self.assertRaises(ClientError) as e:
            self.client("kinesis", "AKIDNOBODY", "x").list_streams()
        self.assertEqual(e.exception.response["Error"]["Code"], "UnrecognizedClientException")
        with self.assertRaises(ClientError) as e:
            self.client("sqs", "AKIDNOBODY", "x").list_queues()
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidClientTokenId")

    def test_a_request_signed_twenty_minutes_ago_is_expired(self):
        body = json.dumps({}).encode()
        host = f"127.0.0.1:{self.kemu.port}"
        then = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
        r = self.raw("POST", "/", body, sign_at(then, host, body, "Kinesis_20131202.ListStreams"))
        self.assertEqual(r.status, 400, r)
        err = json.loads(r.body)
        self.assertEqual(err["__type"], "InvalidSignatureException")
        self.assertTrue(err["message"].startswith("Signature expired: "), err)
        now = datetime.datetime.now(datetime.timezone.utc)
        r = self.raw("POST", "/", body, sign_at(now, host, body, "Kinesis_20131202.ListStreams"))
        self.assertEqual(r.status, 200, r)

    def presigned(self, expires):
        creds = botocore.credentials.Credentials("test", "test")
        req = botocore.awsrequest.AWSRequest(
            method="GET", url=f"{self.kemu.endpoint}/2015-03-31/functions/")
        botocore.auth.SigV4QueryAuth(creds, "lambda", "us-east-1", expires=expires).add_auth(req)
        return req.url

    def presigned_at(self, when, expires):
        """The same URL presigned by hand at `when` (botocore always signs at now)."""
        amz_date, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
        scope = f"{day}/us-east-1/lambda/aws4_request"
        query = (f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F"
                 f"{scope.replace('/', '%2F')}&X-Amz-Date={amz_date}&X-Amz-Expires={expires}"
                 f"&X-Amz-SignedHeaders=host")
        path = "/2015-03-31/functions/"
        canonical = "\n".join(["GET", path, query, f"host:127.0.0.1:{self.kemu.port}\n", "host",
                               hashlib.sha256(b"").hexdigest()])
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        key = b"AWS4test"
        for part in (day, "us-east-1", "lambda", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return f"{self.kemu.endpoint}{path}?{query}&X-Amz-Signature={sig}"

    def test_a_presigned_url_works_until_it_expires(self):
        with urllib.request.urlopen(self.presigned(300), timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertIn("Functions", json.loads(r.read()))
        url = self.presigned(300)
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url.replace("X-Amz-Expires=300", "X-Amz-Expires=301"),
                                   timeout=10)
        self.assertEqual(e.exception.code, 403)
        # Signed 10 minutes ago for 60 seconds: expired.
        now = datetime.datetime.now(datetime.timezone.utc)
        with urllib.request.urlopen(self.presigned_at(now, 60), timeout=10) as r:
            self.assertEqual(r.status, 200)
        url = self.presigned_at(now - datetime.timedelta(minutes=10), 60)
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url, timeout=10)
        self.assertEqual(e.exception.code, 403)
        body = json.loads(e.exception.read())
        self.assertTrue(body["message"].startswith("Signature expired"), body)


class ExposureAndFilesTest(GuardBase):
    def test_a_non_loopback_host_needs_verification_or_insecure_open(self):
        p = subprocess.run([kemu_bin(), "up", "--host", "0.0.0.0", "--port", "0", "--in-memory",
                            "--no-lambda"], capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 2, p)
        self.assertIn("--verify-signatures", p.stderr)
        self.assertIn("--insecure-open", p.stderr)

    def test_the_data_dir_and_its_files_are_the_users_alone(self):
        self.client("sqs").create_queue(QueueName="private")
        self.assertEqual(stat.S_IMODE(os.stat(self.data_dir).st_mode), 0o700)
        for root, dirs, files in os.walk(self.data_dir):
            for f in files:
                mode = stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode)
                self.assertEqual(mode & 0o077, 0, f"{f}: {oct(mode)}")


if __name__ == "__main__":
    run_main()
