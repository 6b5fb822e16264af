// Fuzzes image decoding from memory through the project's loader
// (decodeImage in core/image_io.h) with its size limit: any bytes are either
// refused with a FileError or give a non-empty image of a supported layout,
// within the limit, whose size is the one the header promised (turned for
// EXIF orientations 5 to 8).
//
// The limit is lowered from the default 200 megapixels to 4 megapixels: the
// checks are the same, and an accepted header then never costs more than a
// few tens of megabytes under AddressSanitizer.

#include "core/atomic_file.h"
#include "core/image_io.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace {

constexpr std::uint64_t kMaxPixels = 4'000'000;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // One thread: OpenCV's TBB workers would make runs irreproducible.
    cv::setNumThreads(0);
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto bytes = std::as_bytes(std::span(data, size));
    ks::LoadOptions options;
    options.maxPixels = kMaxPixels;
    cv::Mat image;
    try {
        image = ks::decodeImage(bytes, "fuzz", options);
    } catch (const ks::FileError &) {
        return 0;
    }
    const int depth = image.depth();
    const int channels = image.channels();
    if (image.empty() || (depth != CV_8U && depth != CV_16U && depth != CV_32F) ||
        (channels != 1 && channels != 3 && channels != 4) ||
        static_cast<std::uint64_t>(image.total()) > kMaxPixels)
        __builtin_trap();
    const std::optional<ks::ImageHeader> header = ks::readImageHeader(bytes);
    if (!header)
        __builtin_trap();
    const bool same = header->width == image.cols && header->height == image.rows;
    const bool turned = header->width == image.rows && header->height == image.cols;
    if (!same && !turned)
        __builtin_trap();
    return 0;
}
