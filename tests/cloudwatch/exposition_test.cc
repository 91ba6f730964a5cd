// The Prometheus exposition: exporter-style names, windows over the history, kemu's own
// families, histograms; and the one list of metric names behind them.

#include "cloudwatch/exposition.h"

#include <set>

#include <catch2/catch.hpp>

#include "start_time.h"

using namespace kemu::cloudwatch;
using kemu::test::kT0;

TEST_CASE("names are snake-cased as cloudwatch_exporter does", "[exposition]") {
    CHECK(snake_case("GetRecords.IteratorAgeMilliseconds") ==
          "get_records_iterator_age_milliseconds");
    CHECK(snake_case("ApproximateNumberOfMessagesVisible") ==
          "approximate_number_of_messages_visible");
    CHECK(snake_case("FunctionName") == "function_name");
    CHECK(snake_case("4XXError") == "4_xxerror");
    CHECK(snake_case("SampleCount") == "sample_count");
    CHECK(aws_family("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", kMaximum) ==
          "aws_kinesis_get_records_iterator_age_milliseconds_maximum");
    CHECK(aws_family("AWS/Lambda", "Errors", kSum) == "aws_lambda_errors_sum");
    CHECK(aws_family("AWS/SQS", "ApproximateNumberOfMessagesVisible", kAverage) ==
          "aws_sqs_approximate_number_of_messages_visible_average");
    CHECK(aws_family("AWS/ApiGateway", "Latency", kSampleCount) ==
          "aws_apigateway_latency_sample_count");
}

TEST_CASE("kemu's own families carry units and _total", "[exposition]") {
    CHECK(kemu_family("AWS/Lambda", *find_metric("AWS/Lambda", "Invocations")) ==
          "kemu_lambda_invocations_total");
    CHECK(kemu_family("AWS/Lambda", *find_metric("AWS/Lambda", "Duration")) ==
          "kemu_lambda_duration_seconds");
    CHECK(kemu_family("AWS/Kinesis", *find_metric("AWS/Kinesis", "IncomingBytes")) ==
          "kemu_kinesis_incoming_bytes_total");
    CHECK(kemu_family("AWS/Kinesis",
                      *find_metric("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds")) ==
          "kemu_kinesis_get_records_iterator_age_seconds");
    CHECK(kemu_family("AWS/ApiGateway", *find_metric("AWS/ApiGateway", "4XXError")) ==
          "kemu_apigateway_4_xxerror_total");
}

TEST_CASE("every AWS family is the statistic over the last 60 s of history", "[exposition]") {
    MetricHistory h;
    auto errors = series("AWS/Lambda", "Errors", "FunctionName", "f\"1");
    auto age = series("AWS/Lambda", "IteratorAge", "FunctionName", "f\"1");
    h.add(kT0, {{errors, Stats::of(5)}});  // outside the window below
    for (int s = 1; s <= 70; ++s)
        h.add(kT0 + s * 1000, {{errors, Stats::of(1)}, {age, Stats::of(s * 10)}});
    Exposition e;
    e.aws_metrics(h, kT0 + 70'500);
    auto text = e.text();
    CHECK_THAT(text, Catch::Contains("# HELP aws_lambda_errors_sum AWS/Lambda Errors (Count), Sum "
                                     "over the last 60 s."));
    CHECK_THAT(text, Catch::Contains("# TYPE aws_lambda_errors_sum gauge\n"
                                     "aws_lambda_errors_sum{function_name=\"f\\\"1\"} 60\n"));
    CHECK_THAT(text,
               Catch::Contains("aws_lambda_iterator_age_maximum{function_name=\"f\\\"1\"} 700\n"));
    // Seconds 11..70: average of 110..700.
    CHECK_THAT(text,
               Catch::Contains("aws_lambda_iterator_age_average{function_name=\"f\\\"1\"} 405\n"));
    CHECK_THAT(text, !Catch::Contains("aws_lambda_duration"));

    // Nothing in the window: the series is left out, its family too.
    Exposition later;
    later.aws_metrics(h, kT0 + 200'000);
    CHECK(later.text().empty());
}

TEST_CASE("families are declared once, histograms are cumulative", "[exposition]") {
    Exposition e;
    e.add("kemu_x_total", "counter", "X.", {{"a", "1"}}, 3);
    e.add("kemu_y", "gauge", "Y.", {}, 1.5);
    e.add("kemu_x_total", "counter", "X.", {{"a", "2"}}, 4);
    Histogram h;
    h.observe_us(300);         // <= 0.0005
    h.observe_us(2'000);       // <= 0.0025
    h.observe_us(20'000'000);  // +Inf only
    e.histogram("kemu_lat_seconds", "L.", {{"service", "sqs"}}, h.snapshot());
    auto text = e.text();
    CHECK_THAT(text, Catch::StartsWith("# HELP kemu_x_total X.\n# TYPE kemu_x_total counter\n"
                                       "kemu_x_total{a=\"1\"} 3\nkemu_x_total{a=\"2\"} 4\n"
                                       "# HELP kemu_y Y.\n# TYPE kemu_y gauge\nkemu_y 1.5\n"));
    CHECK_THAT(text, Catch::Contains("kemu_lat_seconds_bucket{service=\"sqs\",le=\"0.0005\"} 1\n"
                                     "kemu_lat_seconds_bucket{service=\"sqs\",le=\"0.001\"} 1\n"
                                     "kemu_lat_seconds_bucket{service=\"sqs\",le=\"0.0025\"} 2\n"));
    CHECK_THAT(text, Catch::Contains("kemu_lat_seconds_bucket{service=\"sqs\",le=\"10\"} 2\n"
                                     "kemu_lat_seconds_bucket{service=\"sqs\",le=\"+Inf\"} 3\n"
                                     "kemu_lat_seconds_sum{service=\"sqs\"} 20.0023\n"
                                     "kemu_lat_seconds_count{service=\"sqs\"} 3\n"));
}

TEST_CASE("a histogram family caps its label sets", "[exposition]") {
    HistogramFamily f({"service", "action"}, 2);
    f.at({"sqs", "A"}).observe_us(1);
    f.at({"sqs", "B"}).observe_us(1);
    f.at({"sqs", "C"}).observe_us(1);
    f.at({"kinesis", "D"}).observe_us(1);
    f.at({"sqs", "A"}).observe_us(1);
    auto snap = f.snapshot();
    REQUIRE(snap.size() == 3);
    CHECK(snap[0].first == Labels{{"service", "other"}, {"action", "other"}});
    CHECK(snap[0].second.count == 2);
    CHECK(snap[1].first == Labels{{"service", "sqs"}, {"action", "A"}});
    CHECK(snap[1].second.count == 2);
    CHECK(snap[2].first == Labels{{"service", "sqs"}, {"action", "B"}});
}

TEST_CASE("one list per service, names unique and found", "[exposition]") {
    std::set<std::string> families;
    for (const auto* svc : all_services()) {
        REQUIRE_FALSE(svc->metrics.empty());
        for (const auto& m : svc->metrics) {
            CHECK(find_metric(svc->ns, m.name) == &m);
            CHECK(m.statistics != 0);
            for (auto s : kAllStatistics) {
                if (m.statistics & s) CHECK(families.insert(aws_family(svc->ns, m.name, s)).second);
            }
        }
    }
    CHECK(find_metric("AWS/Lambda", "Nope") == nullptr);
    CHECK(lambda_metrics().dimension == "FunctionName");
    CHECK(kinesis_metrics().ns == "AWS/Kinesis");
}
