// Region blur: anonymizing rectangles of an image (faces, plates).
#pragma once

#include "parameters.h"
#include "run_control.h"

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ks {

enum class RegionMethod {
    Gaussian, ///< Gaussian blur; strength is sigma in pixels
    Pixelate, ///< mean over square cells aligned to the rectangle's top-left; strength is the cell
              ///< size in pixels
    Box,      ///< box blur; strength is the odd kernel size in pixels
};

/// gaussian, pixelate, box.
std::string_view regionMethodName(RegionMethod method);
std::optional<RegionMethod> parseRegionMethodName(std::string_view name);

struct Region {
    cv::Rect rect; ///< image coordinates; may extend beyond the image
    RegionMethod method = RegionMethod::Gaussian;
    double strength = 8; ///< sigma, cell size or kernel size (see RegionMethod)
    int feather = 0;     ///< width in pixels of the soft edge outside rect
    bool operator==(const Region &) const = default;
};

/// The parameters of a region with this method, in display order: its
/// strength ("sigma" in [0.1, 200] px, "cell" a whole number in [1, 1000] px,
/// or "ksize" odd in [1, 1001] px) and "feather" (whole, [0, 1000] px).
/// Drives the region panel and the command line's --region option.
std::span<const ParamDescriptor> regionParameterDescriptors(RegionMethod method);

/// Throws ParameterError if the strength or feather is out of range; the
/// message starts with "region N: " where N = index + 1.
void validateRegion(const Region &region, int index);

struct RegionBlurResult {
    cv::Mat image;                     ///< same size, type and alpha as the input
    std::vector<std::string> warnings; ///< one line per skipped (empty or outside) region
};

/// Blurs each region in list order (later regions see earlier ones' result).
/// Inside a rectangle the pixels are replaced by the blurred ones; within
/// feather pixels (Euclidean distance) outside it they are blended with a
/// smooth weight falling to 0; every other pixel stays bit-identical.
/// Rectangles are clipped to the image; the blur uses the image's real
/// neighbourhood (reflect101 only at the image's own edges). Colour channels
/// are blurred; an alpha channel (4th) is left as it is.
/// image: CV_8U, CV_16U or CV_32F with 1, 3 or 4 channels; the input is not
/// modified. Throws ParameterError for a bad region, Cancelled when stopped.
RegionBlurResult applyRegionBlurs(const cv::Mat &image, std::span<const Region> regions,
                                  const RunControl &control = {});

} // namespace ks
