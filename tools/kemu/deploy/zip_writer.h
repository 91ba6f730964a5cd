#pragma once
// Deterministic zips for Lambda packages, written with libzip (Debian's libzip-dev): entries in
// the order given (collect_dir sorts them), deflated, every timestamp 1980-01-01 00:00, Unix
// modes 0644 or 0755, no extra fields. The same files give the same bytes (with the same zlib),
// so Terraform's filebase64sha256 changes only when code does.

#include <string>
#include <vector>

namespace kemu::deploy {

struct ZipEntry {
    std::string name;  // relative path with '/' separators
    std::string data;
    bool executable = false;
};

// The archive's bytes. Throws std::runtime_error with libzip's message, or for no entries
// (Lambda refuses an empty package).
std::string write_zip(const std::vector<ZipEntry>& entries);

// Every regular file under `dir`, sorted by relative path, skipping __pycache__ folders and
// .pyc files (interpreter caches that differ between machines).
std::vector<ZipEntry> collect_dir(const std::string& dir);

}  // namespace kemu::deploy
