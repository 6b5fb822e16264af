// Linked into every test executable (ks_add_test). Under ThreadSanitizer,
// OpenCV's cv::parallel_for_ runs its loops on the calling thread, as it does
// with cv::setNumThreads(0): oneTBB hands the loops to its worker threads
// with synchronisation TSan cannot see, and what it then reports often has no
// stack left on the worker's side, so no suppression could name it (see
// tests/tsan.supp). Our own threads (the preview worker, the GUI thread) stay
// fully checked. In every other build this file is empty.

#if defined(__SANITIZE_THREAD__)

#include <opencv2/core/utility.hpp>

namespace {

[[maybe_unused]] const bool openCvSerial = [] {
    cv::setNumThreads(0);
    return true;
}();

} // namespace

#endif
