#pragma once
// Lets Catch2 print AwsError values and Result<T> (so `REQUIRE(result)` shows the error).

#include <sstream>

#include <catch2/catch.hpp>

#include "core/aws_error.h"

namespace Catch {
template <>
struct StringMaker<kemu::AwsError> {
    static std::string convert(const kemu::AwsError& e) {
        std::ostringstream os;
        os << e;
        return os.str();
    }
};
template <class T>
struct StringMaker<kemu::Result<T>> {
    static std::string convert(const kemu::Result<T>& r) {
        if (r) return "ok";
        std::ostringstream os;
        os << r.error();
        return os.str();
    }
};
}  // namespace Catch
