// Display mappings: from a raw response to an image a person can look at.
#pragma once

#include "filter.h"

#include <optional>
#include <string_view>

namespace ks {

enum class DisplayMode {
    Clamp,     ///< response scaled from the source range to the output range, clipped (smoothing
               ///< filters)
    Abs,       ///< |response| * gain, clipped
    Offset,    ///< mid-grey + response * gain, clipped: zero shows as mid-grey
    Normalize, ///< min-max over all colour channels mapped to 0..full scale
    Raw,       ///< the CV_32F response itself (for TIFF export), no mapping
};

inline constexpr DisplayMode kAllDisplayModes[] = {DisplayMode::Clamp, DisplayMode::Abs,
                                                   DisplayMode::Offset, DisplayMode::Normalize,
                                                   DisplayMode::Raw};

struct DisplayMapping {
    DisplayMode mode = DisplayMode::Clamp;
    /// For Abs and Offset: the factor applied to the response (in source
    /// full-scale units) before mapping to the output range. 0 means
    /// automatic: the largest |response| fills the range (Abs) or half of it
    /// (Offset).
    double gain = 0;
    bool operator==(const DisplayMapping &) const = default;
};

/// clamp, abs, offset, normalize, raw.
std::string_view displayName(DisplayMode mode);
std::optional<DisplayMode> parseDisplayName(std::string_view name);

/// Clamp for smoothing filters (isSmoothing), Offset otherwise.
DisplayMode defaultDisplayMode(const FilterSpec &spec);

/// Maps a response to an image of outputDepth (CV_8U or CV_16U; ignored for
/// Raw, which returns CV_32F). The result has the response's channels plus
/// the alpha channel if the source had one; alpha is copied untouched when
/// the depths match and rescaled by full scales otherwise. With the Clamp mode
/// and matching depths a smoothing response is rounded like cv::saturate_cast.
/// Non-finite response values map to 0. Throws std::invalid_argument for a
/// bad depth or a negative or non-finite gain.
cv::Mat mapForDisplay(const Response &response, const DisplayMapping &mapping, int outputDepth);

} // namespace ks
