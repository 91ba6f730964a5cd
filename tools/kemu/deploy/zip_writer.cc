#include "deploy/zip_writer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <zip.h>

namespace kemu::deploy {

namespace fs = std::filesystem;

namespace {

constexpr zip_uint16_t kDosTime = 0;                           // 00:00:00
constexpr zip_uint16_t kDosDate = (0u << 9) | (1u << 5) | 1u;  // 1980-01-01

[[noreturn]] void fail(const std::string& what, zip_error_t* err) {
    const std::string msg = "zip: " + what + ": " + zip_error_strerror(err);
    zip_error_fini(err);
    throw std::runtime_error(msg);
}

}  // namespace

std::string write_zip(const std::vector<ZipEntry>& entries) {
    if (entries.empty()) throw std::runtime_error("zip: no files to package");
    zip_error_t err;
    zip_error_init(&err);
    // An in-memory source that the archive is written into; kept past zip_close to read it.
    zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &err);
    if (!buffer) fail("buffer", &err);
    zip_source_keep(buffer);
    zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &err);
    if (!za) {
        zip_source_free(buffer);
        fail("open", &err);
    }
    const auto archive_error = [&](const std::string& what) {
        const std::string msg = "zip: " + what + ": " + zip_strerror(za);
        zip_discard(za);
        zip_source_free(buffer);
        throw std::runtime_error(msg);
    };
    for (const auto& e : entries) {
        // The entries outlive zip_close, so libzip may read their bytes in place.
        zip_source_t* src = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
        if (!src) archive_error(e.name);
        const zip_int64_t idx = zip_file_add(za, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
            zip_source_free(src);
            archive_error(e.name);
        }
        const auto i = static_cast<zip_uint64_t>(idx);
        const zip_uint32_t mode = 0100000u | (e.executable ? 0755u : 0644u);
        if (zip_set_file_compression(za, i, ZIP_CM_DEFLATE, 9) != 0 ||
            zip_file_set_dostime(za, i, kDosTime, kDosDate, 0) != 0 ||
            zip_file_set_external_attributes(za, i, 0, ZIP_OPSYS_UNIX, mode << 16) != 0)
            archive_error(e.name);
    }
    if (zip_close(za) != 0) archive_error("close");

    std::string out;
    if (zip_source_open(buffer) != 0) {
        zip_source_free(buffer);
        throw std::runtime_error("zip: reading the archive back failed");
    }
    char chunk[65536];
    zip_int64_t n;
    while ((n = zip_source_read(buffer, chunk, sizeof chunk)) > 0)
        out.append(chunk, static_cast<std::size_t>(n));
    zip_source_close(buffer);
    zip_source_free(buffer);
    if (n < 0) throw std::runtime_error("zip: reading the archive back failed");
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
