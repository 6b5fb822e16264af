// Applying a filter spec to an image.
#pragma once

#include "border.h"
#include "engine.h"
#include "filter_spec.h"
#include "run_control.h"

#include <opencv2/core/mat.hpp>

#include <string>

namespace ks {

enum class ColorMode {
    PerChannel, ///< filter each colour channel on its own
    Gray,       ///< convert colour input to one grey channel first (0.299 R + 0.587 G + 0.114 B)
};

struct FilterOptions {
    BorderMode border = BorderMode::Reflect101;
    ColorMode color = ColorMode::PerChannel;
    bool operator==(const FilterOptions &) const = default;
};

/// The raw result of a filter, before any display mapping.
struct Response {
    /// CV_32F with 1 channel (grey input or ColorMode::Gray) or 3 (B, G, R),
    /// in the units of the source: 0..255 for 8-bit input, 0..65535 for
    /// 16-bit, as-is for float.
    cv::Mat values;
    /// The source's alpha channel, untouched (same depth as the source), or
    /// empty when the source has no alpha.
    cv::Mat alpha;
    /// Depth of the source (CV_8U, CV_16U or CV_32F): the scale of values.
    int sourceDepth = 0;
};

/// Value of "full white" for a depth: 255 for CV_8U, 65535 for CV_16U, 1 for CV_32F.
double fullScale(int depth);

/// A depth as people say it: "8-bit", "16-bit", "32-bit float", "signed
/// 16-bit", "64-bit float", ...
std::string depthName(int depth);

/// Correlates image with the spec's kernel (see correlate()).
/// image: depth CV_8U, CV_16U or CV_32F with 1 (grey), 3 (BGR) or 4 (BGRA)
/// channels; the alpha of a 4-channel image is carried through untouched.
/// toleranceFraction: the accuracy the engine must keep, as a fraction of the
/// source's full scale (engine.h: kEngineTolerance, or kPreviewTolerance).
/// Throws ParameterError for an invalid spec, std::invalid_argument for an
/// empty image or an unsupported depth or channel count, Cancelled when stopped.
Response applyFilter(const cv::Mat &image, const FilterSpec &spec,
                     const FilterOptions &options = {}, const RunControl &control = {},
                     double toleranceFraction = kEngineTolerance);

} // namespace ks
