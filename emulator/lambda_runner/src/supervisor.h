#pragma once
// The supervisor of one execution environment: kemu's own binary, re-executed in a hidden mode
// (`<kemu> __kemu_supervise <kemu pid> <sync fd> <runtime argv...>`). It is kemu's child and the
// subreaper of the environment's whole process tree (PR_SET_CHILD_SUBREAPER), so a handler's
// subprocesses, setsid'd and double-forked ones included, stay its descendants. It takes the
// whole tree down when
// - kemu dies, even by SIGKILL (PR_SET_PDEATHSIG delivers SIGTERM to it),
// - kemu asks it to (SIGTERM: the environment is reset or closed),
// - the runtime exits (its leftovers go with it),
// and then exits with the runtime's own status, so kemu reads it as the runtime's.
//
// The hidden mode is entered before main() from an .init_array entry (glibc passes argc, argv
// and envp to it), so every binary that links lambda_runner (kemu, its tests) can serve as the
// supervisor through /proc/self/exe, with nothing to add to its main().

#include <cstdint>
#include <sys/types.h>
#include <vector>

namespace kemu::lambda_runner {

// argv[1] of the hidden mode.
extern const char* const kSuperviseArg;

// Every process whose parent chain reaches `root` (not `root` itself), from one scan of /proc.
// Processes that leave the tree cannot exist: `root` is their subreaper.
std::vector<pid_t> descendants(pid_t root);

}  // namespace kemu::lambda_runner
