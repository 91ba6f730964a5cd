#include "core/sigv4.h"

#include <catch2/catch.hpp>

#include "core/access_guard.h"

using namespace kemu;

namespace {

// Fixtures from AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite): every
// case signs with this key, region, service and time. Each row: name, method, target, extra
// headers, body, the Authorization header AWS's suite expects.
constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kSuiteTime = 1'440'938'160'000;  // 2015-08-30T12:36:00Z

struct SuiteCase {
    const char* name;
    const char* method;
    const char* target;
    std::vector<Header> headers;
    const char* body;
    const char* signed_headers;
    const char* signature;
};

const std::vector<SuiteCase>& suite() {
    static const std::vector<SuiteCase> cases = {
        {"get-vanilla",
         "GET",
         "/",
         {},
         "",
         "host;x-amz-date",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
        {"get-vanilla-query-order-key-case",
         "GET",
         "/?Param2=value2&Param1=value1",
         {},
         "",
         "host;x-amz-date",
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
        {"get-vanilla-empty-query-key",
         "GET",
         "/?Param1=value1",
         {},
         "",
         "host;x-amz-date",
         "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
        {"get-unreserved",
         "GET",
         "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
         {},
         "",
         "host;x-amz-date",
         "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
        {"get-utf8",
         "GET",
         "/\xe1\x88\xb4",
         {},
         "",
         "host;x-amz-date",
         "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
        {"get-vanilla-utf8-query",
         "GET",
         "/?%E1%88%B4=bar",
         {},
         "",
         "host;x-amz-date",
         "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
        {"get-header-value-trim",
         "GET",
         "/",
         {{"My-Header1", "value1"}, {"My-Header2", "\"a   b   c\""}},
         "",
         "host;my-header1;my-header2;x-amz-date",
         "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
        {"get-header-key-duplicate",
         "GET",
         "/",
         {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
         "",
         "host;my-header1;x-amz-date",
         "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
        {"post-vanilla",
         "POST",
         "/",
         {},
         "",
         "host;x-amz-date",
         "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
        {"post-vanilla-query",
         "POST",
         "/?Param1=value1",
         {},
         "",
         "host;x-amz-date",
         "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
        {"post-x-www-form-urlencoded",
         "POST",
         "/",
         {{"Content-Type", "application/x-www-form-urlencoded"}},
         "Param1=value1",
         "content-type;host;x-amz-date",
         "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
        {"get-relative-relative",
         "GET",
         "/example1/example2/../..",
         {},
         "",
         "host;x-amz-date",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    };
    return cases;
}

HttpRequest suite_request(const SuiteCase& c, bool with_auth) {
    HttpRequest req;
    req.method = c.method;
    req.target = c.target;
    req.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
    for (const auto& h : c.headers)
        req.headers.push_back(h);
    req.body = c.body;
    if (with_auth) {
        req.headers.push_back({"Authorization",
                               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                               "service/aws4_request, SignedHeaders=" +
                                   std::string(c.signed_headers) +
                                   ", Signature=" + std::string(c.signature)});
    }
    return req;
}

sigv4::SecretLookup suite_keys() {
    return [](std::string_view id) -> std::optional<std::string> {
        if (id == kAkid) return std::string(kSecret);
        return std::nullopt;
    };
}

}  // namespace

TEST_CASE("get-vanilla canonical request and string to sign match AWS's suite", "[sigv4]") {
    auto req = suite_request(suite()[0], true);
    std::string why;
    auto s = sigv4::parse(req, &why);
    REQUIRE(s);
    auto creq = sigv4::canonical_request(req, *s, sigv4::sha256_hex(""));
    CHECK(creq ==
          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sigv4::string_to_sign(s->amz_date, s->scope(), creq) ==
          "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
          "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST_CASE("every embedded aws-sig-v4-test-suite case verifies", "[sigv4]") {
    for (const auto& c : suite()) {
        INFO(c.name);
        auto v = sigv4::verify(suite_request(c, true), suite_keys(), kSuiteTime);
        CHECK(v.outcome == sigv4::Outcome::kOk);
        CHECK(v.message == "");
    }
}

TEST_CASE("a wrong secret, an unknown key and a skewed clock are refused", "[sigv4]") {
    auto req = suite_request(suite()[0], true);
    auto wrong = [](std::string_view) -> std::optional<std::string> { return "not-the-secret"; };
    CHECK(sigv4::verify(req, wrong, kSuiteTime).outcome == sigv4::Outcome::kMismatch);
    auto none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    auto v = sigv4::verify(req, none, kSuiteTime);
    CHECK(v.outcome == sigv4::Outcome::kUnknownKey);
    CHECK(v.message == "The security token included in the request is invalid.");
    v = sigv4::verify(req, suite_keys(), kSuiteTime + 16 * 60'000);
    CHECK(v.outcome == sigv4::Outcome::kExpired);
    CHECK(v.message ==
          "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
          "(20150830T125200Z - 15 min.)");
    v = sigv4::verify(req, suite_keys(), kSuiteTime - 16 * 60'000);
    CHECK(v.outcome == sigv4::Outcome::kNotYetCurrent);
    CHECK(v.message ==
          "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
          "(20150830T122000Z + 15 min.)");
    CHECK(sigv4::verify(req, suite_keys(), kSuiteTime + 14 * 60'000).outcome ==
          sigv4::Outcome::kOk);
    auto tampered = req;
    tampered.target = "/?x=1";
    CHECK(sigv4::verify(tampered, suite_keys(), kSuiteTime).outcome == sigv4::Outcome::kMismatch);
}

TEST_CASE("an incomplete Authorization header names what it lacks as AWS does", "[sigv4]") {
    HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"Authorization", "X"}};
    std::string why;
    CHECK_FALSE(sigv4::parse(req, &why));
    CHECK(why ==
          "Authorization header requires 'Credential' parameter. Authorization header requires "
          "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
          "header. Authorization=X");
}

// AWS's presigned-URL example (Amazon S3 API reference, "Authenticating Requests: Using Query
// Parameters"): GET /test.txt, 86400 s, UNSIGNED-PAYLOAD.
TEST_CASE("a presigned request canonicalises its query without the signature", "[sigv4]") {
    HttpRequest req;
    req.method = "GET";
    req.target =
        "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F"
        "20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
        "&X-Amz-SignedHeaders=host&X-Amz-Signature="
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    req.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
    std::string why;
    auto s = sigv4::parse(req, &why);
    REQUIRE(s);
    CHECK(s->presigned);
    CHECK(s->expires_s == 86400);
    auto key = sigv4::signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", s->date, s->region,
                                  s->service);
    auto sts = sigv4::string_to_sign(s->amz_date, s->scope(),
                                     sigv4::canonical_request(req, *s, "UNSIGNED-PAYLOAD"));
    CHECK(sigv4::signature(key, sts) == s->signature);
}

TEST_CASE("a presigned request past X-Amz-Expires is refused", "[sigv4]") {
    HttpRequest req;
    req.method = "GET";
    req.headers = {{"Host", "example.amazonaws.com"}};
    req.target =
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2F"
        "us-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60"
        "&X-Amz-SignedHeaders=host";
    auto unsigned_target = req.target;
    req.target += "&X-Amz-Signature=0";
    std::string why;
    auto s = sigv4::parse(req, &why);
    REQUIRE(s);
    auto key = sigv4::signing_key(kSecret, s->date, s->region, s->service);
    auto sig = sigv4::signature(
        key, sigv4::string_to_sign(s->amz_date, s->scope(),
                                   sigv4::canonical_request(req, *s, sigv4::sha256_hex(""))));
    req.target = unsigned_target + "&X-Amz-Signature=" + sig;
    CHECK(sigv4::verify(req, suite_keys(), kSuiteTime + 30'000).outcome == sigv4::Outcome::kOk);
    CHECK(sigv4::verify(req, suite_keys(), kSuiteTime + 61'000).outcome ==
          sigv4::Outcome::kPresignExpired);
}

// AWS's streaming example (Amazon S3 API reference, "Signature Calculations for the
// Authorization Header: Transferring Payload in Multiple Chunks"): 66560 bytes of 'a' in chunks
// of 65536 and 1024, seeded by the request's signature.
TEST_CASE("an aws-chunked body decodes when every chunk signature chains", "[sigv4]") {
    auto key = sigv4::signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524",
                                  "us-east-1", "s3");
    std::string body =
        "10000;chunk-signature="
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
        std::string(65536, 'a') +
        "\r\n400;chunk-signature="
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
        std::string(1024, 'a') +
        "\r\n0;chunk-signature="
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
    const std::string seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    const std::string scope = "20130524/us-east-1/s3/aws4_request";
    auto out = sigv4::decode_chunked(body, key, "20130524T000000Z", scope, seed);
    REQUIRE(out);
    CHECK(*out == std::string(66560, 'a'));
    auto bad = body;
    bad[200] = 'b';
    CHECK_FALSE(sigv4::decode_chunked(bad, key, "20130524T000000Z", scope, seed));
}

TEST_CASE("KEMU_ACCESS_KEYS parses id:secret pairs and defaults to test/test", "[sigv4]") {
    std::map<std::string, std::string> keys;
    CHECK(parse_access_keys(nullptr, &keys) == "");
    CHECK(keys == std::map<std::string, std::string>{{"test", "test"}});
    CHECK(parse_access_keys("AKID1:s1, AKID2:s:2", &keys) == "");
    CHECK(keys == std::map<std::string, std::string>{{"AKID1", "s1"}, {"AKID2", "s:2"}});
    CHECK(parse_access_keys("nocolon", &keys) != "");
}

TEST_CASE("the guard answers loopback names and refuses others", "[access_guard]") {
    CHECK(loopback_host("127.0.0.1:4566"));
    CHECK(loopback_host("127.8.9.1"));
    CHECK(loopback_host("[::1]:4566"));
    CHECK(loopback_host("localhost:4566"));
    CHECK(loopback_host("abc123.execute-api.localhost:4566"));
    CHECK_FALSE(loopback_host("evil.example"));
    CHECK_FALSE(loopback_host("localhost.evil.example"));
    CHECK_FALSE(loopback_host("10.0.0.1"));
}
