// CloudWatch's RPC v2 CBOR reader (nlohmann based): any bytes in, a JSON input or nullopt out,
// never a crash; what it reads must encode back to CBOR.

#include "support.h"
#include "wire/monitoring.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto input = kemu::cloudwatch::wire::cbor_input(kemu::fuzz::as_view(data, size));
    if (input) (void)kemu::cloudwatch::wire::cbor_encode(*input);
    return 0;
}
