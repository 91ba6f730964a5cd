#pragma once
// CBOR (application/x-amz-cbor-1.1, the Java SDKs' and KCL's encoding) transcoded to and from the
// JSON form the adapter works on: byte strings <-> base64 text, timestamps in epoch
// milliseconds <-> epoch seconds.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace kemu::kinesis::wire {

// nullopt when the bytes are not one well-formed CBOR item.
std::optional<boost::json::value> cbor_to_json(std::string_view bytes);
// `json` is a response body in JSON text; blobs named "Data" become byte strings.
std::string json_to_cbor(std::string_view json);

}  // namespace kemu::kinesis::wire
