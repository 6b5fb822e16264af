// kernelscope-bench preview: the live preview's latency, headless.
#pragma once

namespace ks {

/// Runs `kernelscope-bench preview [--json] [--case SUBSTRING]`; argv[1] is
/// "preview". Returns the exit status.
int runPreviewBenchmark(int argc, char *argv[]);

} // namespace ks
