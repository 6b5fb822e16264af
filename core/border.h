// Border modes: how the image is extended beyond its edges.
#pragma once

#include <optional>
#include <string_view>

namespace ks {

/// With a row "abcdefgh" extended by three pixels on each side:
enum class BorderMode {
    Reflect101, ///< gfedcb|abcdefgh|gfedcba  (OpenCV's default, BORDER_REFLECT_101)
    Reflect,    ///< cba|abcdefgh|hgf         (BORDER_REFLECT)
    Replicate,  ///< aaa|abcdefgh|hhh         (BORDER_REPLICATE)
    Constant,   ///< 000|abcdefgh|000         (BORDER_CONSTANT with 0)
    Wrap,       ///< fgh|abcdefgh|abc         (BORDER_WRAP)
};

inline constexpr BorderMode kAllBorderModes[] = {BorderMode::Reflect101, BorderMode::Reflect,
                                                 BorderMode::Replicate, BorderMode::Constant,
                                                 BorderMode::Wrap};

/// reflect101, reflect, replicate, constant, wrap.
std::string_view borderName(BorderMode mode);

/// Inverse of borderName; std::nullopt for an unknown name.
std::optional<BorderMode> parseBorderName(std::string_view name);

/// The matching cv::BorderTypes value.
int toOpenCvBorder(BorderMode mode);

} // namespace ks
