#include "core/aws_error.h"

#include <ostream>
#include <stdexcept>

namespace kemu {

std::string_view aws_error_shape(AwsErrorCode code) {
    switch (code) {
#define KEMU_X(name, shape, status, fault, query) \
    case AwsErrorCode::name:                      \
        return shape;
        KEMU_AWS_ERRORS(KEMU_X)
#undef KEMU_X
    }
    return "InternalFailure";
}

int aws_error_http_status(AwsErrorCode code) {
    switch (code) {
#define KEMU_X(name, shape, status, fault, query) \
    case AwsErrorCode::name:                      \
        return status;
        KEMU_AWS_ERRORS(KEMU_X)
#undef KEMU_X
    }
    return 500;
}

Fault aws_error_fault(AwsErrorCode code) {
    switch (code) {
#define KEMU_X(name, shape, status, fault, query) \
    case AwsErrorCode::name:                      \
        return Fault::fault;
        KEMU_AWS_ERRORS(KEMU_X)
#undef KEMU_X
    }
    return Fault::kReceiver;
}

std::string_view aws_error_query_code(AwsErrorCode code) {
    switch (code) {
#define KEMU_X(name, shape, status, fault, query) \
    case AwsErrorCode::name:                      \
        return query;
        KEMU_AWS_ERRORS(KEMU_X)
#undef KEMU_X
    }
    return "";
}

std::ostream& operator<<(std::ostream& os, const AwsError& e) {
    return os << e.shape() << ": " << e.message;
}

void throw_exception_from_error(const AwsError& e, const boost::source_location&) {
    throw std::runtime_error(std::string(e.shape()) + ": " + e.message);
}

}  // namespace kemu
