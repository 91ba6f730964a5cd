// Kinesis's CBOR reader (application/x-amz-cbor-1.1, boost::json based): any bytes in, a JSON
// value or nullopt out, never a crash; what it reads must survive the way back to CBOR.

#include <boost/json.hpp>

#include "support.h"
#include "wire/cbor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto value = kemu::kinesis::wire::cbor_to_json(kemu::fuzz::as_view(data, size));
    if (value) {
        auto again = kemu::kinesis::wire::json_to_cbor(boost::json::serialize(*value));
        (void)kemu::kinesis::wire::cbor_to_json(again);
    }
    return 0;
}
