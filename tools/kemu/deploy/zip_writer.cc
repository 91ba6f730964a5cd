#include "deploy/zip_writer.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kemu::deploy {

namespace fs = std::filesystem;

namespace {

void put16(std::string& out, uint32_t v) {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
}

void put32(std::string& out, uint32_t v) {
    put16(out, v & 0xffff);
    put16(out, v >> 16);
}

constexpr uint32_t kDosTime = 0;                         // 00:00:00
constexpr uint32_t kDosDate = (0u << 9) | (1 << 5) | 1;  // 1980-01-01

}  // namespace

uint32_t crc32(const std::string& data) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : data)
        c = table[(c ^ b) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

std::string write_zip(const std::vector<ZipEntry>& entries) {
    if (entries.size() > 0xFFFF) throw std::runtime_error("zip: more than 65535 files");
    std::string out;
    std::string central;
    for (const auto& e : entries) {
        if (e.data.size() >= 0xFFFFFFFFull || out.size() >= 0xFFFFFFFFull)
            throw std::runtime_error("zip: " + e.name + " needs zip64 (over 4 GiB)");
        const uint32_t crc = crc32(e.data);
        const auto size = static_cast<uint32_t>(e.data.size());
        const auto offset = static_cast<uint32_t>(out.size());
        // Local file header.
        put32(out, 0x04034b50);
        put16(out, 20);      // version needed: 2.0
        put16(out, 0x0800);  // UTF-8 names
        put16(out, 0);       // stored
        put16(out, kDosTime);
        put16(out, kDosDate);
        put32(out, crc);
        put32(out, size);
        put32(out, size);
        put16(out, static_cast<uint32_t>(e.name.size()));
        put16(out, 0);
        out += e.name;
        out += e.data;
        // Central directory entry: made by Unix (3), so the external attributes carry the mode.
        put32(central, 0x02014b50);
        put16(central, (3 << 8) | 20);
        put16(central, 20);
        put16(central, 0x0800);
        put16(central, 0);
        put16(central, kDosTime);
        put16(central, kDosDate);
        put32(central, crc);
        put32(central, size);
        put32(central, size);
        put16(central, static_cast<uint32_t>(e.name.size()));
        put16(central, 0);  // extra
        put16(central, 0);  // comment
        put16(central, 0);  // disk
        put16(central, 0);  // internal attributes
        const uint32_t mode = 0100000u | (e.executable ? 0755u : 0644u);
        put32(central, mode << 16);
        put32(central, offset);
        central += e.name;
    }
    const auto central_offset = static_cast<uint32_t>(out.size());
    out += central;
    put32(out, 0x06054b50);  // end of central directory
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<uint32_t>(entries.size()));
    put16(out, static_cast<uint32_t>(entries.size()));
    put32(out, static_cast<uint32_t>(central.size()));
    put32(out, central_offset);
    put16(out, 0);
    return out;
}

std::vector<ZipEntry> collect_dir(const std::string& dir) {
    std::vector<ZipEntry> entries;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
         ++it) {
        if (it->is_directory() && it->path().filename() == "__pycache__") {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file() || it->path().extension() == ".pyc") continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::ostringstream buf;
        buf << in.rdbuf();
        const auto perms = fs::status(it->path()).permissions();
        entries.push_back({fs::relative(it->path(), dir).generic_string(), buf.str(),
                           (perms & fs::perms::owner_exec) != fs::perms::none});
    }
    std::sort(entries.begin(), entries.end(),
              [](const ZipEntry& a, const ZipEntry& b) { return a.name < b.name; });
    return entries;
}

}  // namespace kemu::deploy
