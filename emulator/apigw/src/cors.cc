#include "cors.h"

namespace kemu::apigw {

std::string_view CorsPolicy::allow_origin(std::string_view request_origin) const {
    if (origins_.empty()) return {};
    if (origins_.size() == 1) return origins_.front();
    for (const auto& o : origins_) {
        if (o == request_origin) return o;
    }
    return {};
}

std::string_view CorsPolicy::gateway_allow_origin() const {
    if (origins_.empty()) return {};
    return origins_.front();
}

}  // namespace kemu::apigw
