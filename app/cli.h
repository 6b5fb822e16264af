// The headless command line: `kernelscope apply ...` and `kernelscope kernel ...`.
#pragma once

#include <optional>

namespace ks {

/// Runs a headless subcommand when argv[1] is "apply" or "kernel" and
/// returns its exit status (0 all done, 1 some inputs failed, 2 usage or
/// parameter error); std::nullopt when the arguments are for the GUI.
std::optional<int> runCommandLine(int argc, char *argv[]);

} // namespace ks
