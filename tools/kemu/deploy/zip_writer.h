#pragma once
// A minimal, deterministic zip writer for Lambda packages: entries stored (no compression),
// in the order given, every timestamp 1980-01-01 00:00, Unix modes 0644 or 0755. The same
// files always give the same bytes, so Terraform's filebase64sha256 changes only when code does.
// Own code rather than libzip: libzip is not in the machine image kemu builds on, and a stored
// zip needs only headers and a CRC-32 (APPNOTE.TXT, sections 4.3 and 4.4).

#include <cstdint>
#include <string>
#include <vector>

namespace kemu::deploy {

struct ZipEntry {
    std::string name;  // relative path with '/' separators
    std::string data;
    bool executable = false;
};

// The archive's bytes. Entries above 4 GiB or more than 65535 entries need zip64: throws.
std::string write_zip(const std::vector<ZipEntry>& entries);

// Every regular file under `dir`, sorted by relative path, skipping __pycache__ folders and
// .pyc files (interpreter caches that differ between machines).
std::vector<ZipEntry> collect_dir(const std::string& dir);

uint32_t crc32(const std::string& data);

}  // namespace kemu::deploy
