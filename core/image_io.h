// Loading and saving images.
#pragma once

#include "atomic_file.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ks {

struct LoadOptions {
    /// Images with more pixels are refused from their header, before decoding.
    std::uint64_t maxPixels = 200'000'000;
};

/// Width and height read from an image file's header without decoding it.
struct ImageHeader {
    std::string format; ///< "png", "jpeg", "tiff", "bmp", "webp", ...
    std::int64_t width = 0;
    std::int64_t height = 0;
};

/// Parses the header of the formats whose size matters most (PNG, JPEG,
/// TIFF, BMP, WebP, GIF, PNM); std::nullopt when the format is not one of
/// them or the header is cut short. Never allocates more than the header.
std::optional<ImageHeader> readImageHeader(std::span<const std::byte> bytes);

/// Loads an image file: CV_8U, CV_16U or CV_32F with 1 (grey), 3 (BGR) or 4
/// (BGRA) channels. 16-bit and float data and alpha are kept; EXIF
/// orientation is applied; palette images become BGR or BGRA, grey+alpha
/// becomes BGRA, CMYK becomes BGR. Throws FileError with one line naming the
/// file and the reason: missing, permission denied, a folder, zero bytes, not
/// an image, truncated or corrupt data, unsupported format, zero width or
/// height, more pixels than options.maxPixels. Paths with spaces and
/// non-ASCII characters work.
cv::Mat loadImage(const std::filesystem::path &path, const LoadOptions &options = {});

/// Like loadImage, from bytes in memory; name is used in messages.
cv::Mat decodeImage(std::span<const std::byte> bytes, const std::string &name,
                    const LoadOptions &options = {});

struct SaveOptions {
    int jpegQuality = 95; ///< 1..100, for .jpg/.jpeg and .webp
    /// When set, saving to this file (or another name for it) is refused
    /// unless force is true: the opened source image is never overwritten by
    /// accident.
    std::optional<std::filesystem::path> source;
    bool force = false;
};

/// Saves an image of depth CV_8U, CV_16U or CV_32F with 1, 3 or 4 channels,
/// in the format given by the extension: .png (8, 16), .jpg/.jpeg (8), .tif/
/// .tiff (8, 16, 32f, lossless compression, float round-trips exactly), .bmp
/// (8), .webp (8, if OpenCV has it). Alpha is kept where the format holds
/// it. Encoded in memory, then written with writeFileAtomically. Throws
/// FileError naming the file: unknown extension, a depth or channel count the
/// format cannot hold, the source overwrite, or any write failure.
void saveImage(const std::filesystem::path &path, const cv::Mat &image,
               const SaveOptions &options = {});

/// True if the format of this extension (".png", "tif", case-insensitive)
/// can store images of this depth.
bool formatSupportsDepth(const std::string &extension, int depth);

/// Lower-case extensions (without dot) that loadImage reads, for file
/// dialogs and for the image files of a folder.
std::vector<std::string> readableImageExtensions();

} // namespace ks
