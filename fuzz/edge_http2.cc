// HTTP/2 frames on the edge listener (prior knowledge): the input is what follows the client
// preface (SETTINGS, HEADERS with HPACK, CONTINUATION, DATA, RST_STREAM, WINDOW_UPDATE, ...).

#include <string>

#include "edge.h"
#include "loopback.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    bytes.append(kemu::fuzz::as_view(data, size));
    kemu::fuzz::exchange(kemu::fuzz::edge_port(), bytes);
    return 0;
}
