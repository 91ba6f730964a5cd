#include "md5.h"

#include "codec.h"
#include "core/encoding.h"

namespace kemu::sqs_dlq {

std::string md5_of_attributes(const MessageAttributes& attributes) {
    if (attributes.empty()) return {};
    std::string buf;
    for (const auto& [name, a] : attributes) {
        codec::put_str(buf, name);
        codec::put_str(buf, a.data_type);
        buf.push_back(a.binary() ? 2 : 1);
        codec::put_str(buf, a.value);
    }
    return md5_hex(buf);
}

}  // namespace kemu::sqs_dlq
