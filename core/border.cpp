#include "border.h"

#include <opencv2/core/base.hpp>

namespace ks {

std::string_view borderName(BorderMode mode)
{
    switch (mode) {
    case BorderMode::Reflect101:
        return "reflect101";
    case BorderMode::Reflect:
        return "reflect";
    case BorderMode::Replicate:
        return "replicate";
    case BorderMode::Constant:
        return "constant";
    case BorderMode::Wrap:
        return "wrap";
    }
    return "reflect101";
}

std::optional<BorderMode> parseBorderName(std::string_view name)
{
    for (BorderMode mode : kAllBorderModes)
        if (borderName(mode) == name)
            return mode;
    return std::nullopt;
}

int toOpenCvBorder(BorderMode mode)
{
    switch (mode) {
    case BorderMode::Reflect101:
        return cv::BORDER_REFLECT_101;
    case BorderMode::Reflect:
        return cv::BORDER_REFLECT;
    case BorderMode::Replicate:
        return cv::BORDER_REPLICATE;
    case BorderMode::Constant:
        return cv::BORDER_CONSTANT;
    case BorderMode::Wrap:
        return cv::BORDER_WRAP;
    }
    return cv::BORDER_REFLECT_101;
}

} // namespace ks
