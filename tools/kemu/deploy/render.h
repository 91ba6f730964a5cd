#pragma once
// The render step of `kemu deploy --aws` (docs/deploy.md): kemu.yaml -> a Terraform root in a
// directory. Deterministic: the same input gives byte-identical files.

#include <string>
#include <vector>

#include "core/config.h"

namespace kemu::deploy {

// kemu.yaml's `region`, else AWS_REGION, else AWS_DEFAULT_REGION (from `env`, "NAME=value"
// entries); empty when none is set.
std::string resolve_region(const Config& cfg, const std::vector<std::string>& env);

// The normalised topology that the rendered root reads with yamldecode: every setting
// explicit, `lambda_package` = lambda/<event_type>.zip, `region` resolved. JSON text (JSON is
// YAML 1.2), keys sorted, so it is stable.
std::string normalised_topology(const Config& cfg, const std::string& region);

// The default output directory: .kemu/deploy/aws/<environment>.
std::string default_out_dir(const Config& cfg);

struct RenderResult {
    std::vector<std::string> files;     // relative paths written (sorted)
    std::vector<std::string> removed;   // files of an earlier render no longer produced
    std::vector<std::string> warnings;  // e.g. dependencies that could not be installed
};

// A handler folder's zip: its files, plus the dependencies of a requirements.txt (pip install
// -t, without byte-code) or a package.json (npm install --omit=dev) installed into a scratch
// copy when pip or npm is on PATH; a warning otherwise. Throws on a failing install.
// `env` ("NAME=value") gives the PATH that pip or npm is looked up on and runs with.
std::string package_handler(const std::string& dir, std::vector<std::string>* warnings,
                            const std::vector<std::string>& env);

// Writes the tree into `out_dir`: the embedded modules and root, topology.yaml, one handler zip
// per flow, kemu-render.json. Files are rewritten only when their bytes change. Files listed
// by the previous kemu-render.json and not produced now are removed; nothing else in the
// directory (state, .terraform, lock file, plans) is touched. Throws std::runtime_error.
RenderResult render(const Config& cfg, const std::string& region, const std::string& out_dir);

// Files that a render never writes or removes.
bool is_protected(const std::string& relative_path);

}  // namespace kemu::deploy
