#include "timed_handler.h"

#include <cctype>
#include <chrono>

namespace kemu::cli {
namespace {

using Steady = std::chrono::steady_clock;

int64_t since_us(Steady::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - t0).count();
}

// The value of `Action=` in a form-encoded string, or empty.
std::string_view form_action(std::string_view form) {
    size_t p = 0;
    while (p < form.size()) {
        auto amp = form.find('&', p);
        auto field = form.substr(p, amp == std::string_view::npos ? amp : amp - p);
        if (field.starts_with("Action=")) return field.substr(7);
        if (amp == std::string_view::npos) break;
        p = amp + 1;
    }
    return {};
}

// Keeps label values tame: the first 64 letters, digits, '.', '_' or '-'.
std::string tame(std::string_view v) {
    std::string out;
    for (char c : v.substr(0, 64)) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    return out.empty() ? "-" : out;
}

class Timed final : public RequestHandler {
public:
    Timed(std::shared_ptr<RequestHandler> inner, std::string service,
          cloudwatch::HistogramFamily& h)
        : inner_(std::move(inner)), service_(std::move(service)), histograms_(h) {}

    bool matches(const HttpRequest& req) const override { return inner_->matches(req); }
    void handle(const HttpRequest& req, Respond respond) override {
        auto t0 = Steady::now();
        auto* h = &histogram(req);
        inner_->handle(req, [t0, h, respond = std::move(respond)](HttpResponse r) {
            h->observe_us(since_us(t0));
            respond(std::move(r));
        });
    }
    HttpResponse internal_error(const HttpRequest& req) const override {
        return inner_->internal_error(req);
    }

private:
    cloudwatch::Histogram& histogram(const HttpRequest& req) {
        bool aws = service_ == "kinesis" || service_ == "sqs";
        return histograms_.at({service_, aws ? action_of(req) : req.method});
    }

    std::shared_ptr<RequestHandler> inner_;
    std::string service_;
    cloudwatch::HistogramFamily& histograms_;
};

}  // namespace

std::string action_of(const HttpRequest& req) {
    auto target = req.header("X-Amz-Target");
    if (!target.empty()) {
        auto dot = target.rfind('.');
        return tame(dot == std::string_view::npos ? target : target.substr(dot + 1));
    }
    auto a = form_action(req.query());
    if (a.empty()) a = form_action(req.body);
    return tame(a);
}

std::shared_ptr<RequestHandler> timed(std::shared_ptr<RequestHandler> inner, std::string service,
                                      cloudwatch::HistogramFamily& histograms) {
    return std::make_shared<Timed>(std::move(inner), std::move(service), histograms);
}

}  // namespace kemu::cli
