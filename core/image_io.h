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
    /// "png", "jpeg", "tiff", "bmp", "webp", "gif", "pnm", "pam", "pfm",
    /// "sunras", "hdr", "exr" or "jpeg2000"
    std::string format;
    std::int64_t width = 0;
    std::int64_t height = 0;
};

/// Parses the header of every format loadImage decodes, and GIF: PNG (IHDR),
/// JPEG (the SOFn segment), TIFF and BigTIFF (either byte order, the first
/// IFD), BMP, WebP (VP8, VP8L, VP8X), GIF, PNM/PAM/PFM, Sun raster, Radiance
/// HDR, OpenEXR (dataWindow) and JPEG 2000 (JP2 or codestream). std::nullopt
/// when the format is not one of them, or the header is cut short or
/// malformed. Every read is bounds-checked; no length in the data is trusted;
/// allocates nothing in proportion to the image. Thread-safe.
std::optional<ImageHeader> readImageHeader(std::span<const std::byte> bytes);

/// Loads an image file: CV_8U, CV_16U or CV_32F with 1 (grey), 3 (BGR) or 4
/// (BGRA) channels. 16-bit and float data and alpha are kept; other depths
/// (signed, 32-bit integer, 64-bit float) become CV_32F with the same values;
/// EXIF orientation is applied (JPEG APP1, PNG eXIf, WebP EXIF; OpenCV
/// applies TIFF's own tag); palette images become BGR or BGRA, grey+alpha
/// becomes BGRA, CMYK becomes BGR (OpenCV 4.6 itself drops the alpha of a
/// grey+alpha TIFF). Throws FileError with one line naming the file and the
/// reason ("cannot open 'a.png': ..."): missing, permission denied, a folder,
/// zero bytes, not an image, truncated or corrupt data (a JPEG without its
/// end marker, a PNG without IEND or with a bad checksum in a critical chunk,
/// Radiance HDR data OpenCV would fail on, anything OpenCV fails to decode),
/// unsupported format (GIF, HEIF, DICOM, ...), zero width or height, more
/// pixels than options.maxPixels or a side longer than OpenCV's 2^20. The
/// size is checked from the header, read as OpenCV reads it, before anything
/// is decoded or allocated for it. Paths with spaces and non-ASCII
/// characters work. Thread-safe.
cv::Mat loadImage(const std::filesystem::path &path, const LoadOptions &options = {});

/// Like loadImage, from bytes in memory; name is used in messages.
cv::Mat decodeImage(std::span<const std::byte> bytes, const std::string &name,
                    const LoadOptions &options = {});

struct SaveOptions {
    int jpegQuality = 95; ///< 1..100, for .jpg/.jpeg and .webp (100: lossless WebP)
    /// When set, saving to this file (or another name for it) is refused
    /// unless force is true: the opened source image is never overwritten by
    /// accident.
    std::optional<std::filesystem::path> source;
    bool force = false;
};

/// Saves an image of depth CV_8U, CV_16U or CV_32F with 1, 3 or 4 channels,
/// in the format given by the extension (case-insensitive): .png (8, 16),
/// .jpg/.jpeg (8), .tif/.tiff (8, 16, 32f; LZW, so float round-trips
/// exactly), .bmp (8), .webp (8, if OpenCV has it; quality 100 is lossless
/// except for the colour under fully transparent pixels, grey is stored as
/// BGR). Alpha is kept by PNG, TIFF and WebP; JPEG and BMP refuse 4-channel
/// images rather than drop it. Encoded in memory, then written with
/// writeFileAtomically. Throws FileError naming the file ("cannot save
/// 'a.jpg': ..."): unknown extension, a depth or channel count the format
/// cannot hold, a quality outside 1..100, the source overwrite, or any write
/// failure. Thread-safe.
void saveImage(const std::filesystem::path &path, const cv::Mat &image,
               const SaveOptions &options = {});

/// True if the format of this extension (".png", "tif", case-insensitive) can
/// store images of this depth.
bool formatSupportsDepth(const std::string &extension, int depth);

/// Lower-case extensions (without dot) that loadImage reads, for file dialogs
/// and for the image files of a folder.
std::vector<std::string> readableImageExtensions();

} // namespace ks
