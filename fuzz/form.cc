// The byte decoders of core/encoding.h that read client text: forms (the query protocols'
// bodies and query strings), base64 (Kinesis Data, SQS binary attributes), integers, UTF-8.

#include "core/encoding.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto text = kemu::fuzz::as_view(data, size);
    (void)kemu::parse_form(text);
    (void)kemu::form_decode(text);
    if (auto bytes = kemu::base64_decode(text)) {
        if (kemu::base64_decode(kemu::base64_encode(*bytes)) != bytes) __builtin_trap();
    }
    (void)kemu::parse_int64(text);
    (void)kemu::valid_utf8(text);
    std::string out;
    kemu::xml_escape(text, out);
    kemu::append_json_string(out, text);
    return 0;
}
