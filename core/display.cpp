#include "display.h"

#include <opencv2/core.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace ks {

namespace {

struct FiniteRange {
    double min = 0;
    double max = 0;
    double maxAbs = 0;
    bool any = false;
};

FiniteRange finiteRange(const std::vector<cv::Mat> &planes)
{
    FiniteRange r;
    r.min = std::numeric_limits<double>::infinity();
    r.max = -r.min;
    for (const cv::Mat &plane : planes) {
        for (int y = 0; y < plane.rows; ++y) {
            const float *row = plane.ptr<float>(y);
            for (int x = 0; x < plane.cols; ++x) {
                const float v = row[x];
                if (!std::isfinite(v))
                    continue;
                r.min = std::min(r.min, static_cast<double>(v));
                r.max = std::max(r.max, static_cast<double>(v));
                r.any = true;
            }
        }
    }
    if (!r.any)
        r.min = r.max = 0;
    r.maxAbs = std::max(std::abs(r.min), std::abs(r.max));
    return r;
}

/// out = saturate(plane * scale + shift) in outputDepth, non-finite -> 0. Clipped
/// in double first: OpenCV's conversion goes through int and would wrap
/// values beyond 2^31 instead of saturating them.
cv::Mat mapPlane(const cv::Mat &plane, double scale, double shift, int outputDepth)
{
    cv::Mat mapped;
    plane.convertTo(mapped, CV_64F, scale, shift);
    mapped = cv::max(cv::min(mapped, fullScale(outputDepth)), 0.0);
    cv::Mat out;
    mapped.convertTo(out, outputDepth);
    // NaN fails every comparison, so this selects NaN and the infinities.
    const cv::Mat nonFinite = ~(cv::abs(plane) <= std::numeric_limits<float>::max());
    out.setTo(0, nonFinite);
    return out;
}

} // namespace

std::string_view displayName(DisplayMode mode)
{
    switch (mode) {
    case DisplayMode::Clamp:
        return "clamp";
    case DisplayMode::Abs:
        return "abs";
    case DisplayMode::Offset:
        return "offset";
    case DisplayMode::Normalize:
        return "normalize";
    case DisplayMode::Raw:
        return "raw";
    }
    return "clamp";
}

std::optional<DisplayMode> parseDisplayName(std::string_view name)
{
    for (DisplayMode mode : kAllDisplayModes)
        if (displayName(mode) == name)
            return mode;
    return std::nullopt;
}

DisplayMode defaultDisplayMode(const FilterSpec &spec)
{
    return isSmoothing(spec) ? DisplayMode::Clamp : DisplayMode::Offset;
}

cv::Mat mapForDisplay(const Response &response, const DisplayMapping &mapping, int outputDepth)
{
    if (response.values.empty() || response.values.depth() != CV_32F)
        throw std::invalid_argument("display mapping needs a non-empty CV_32F response");
    if (!std::isfinite(mapping.gain) || mapping.gain < 0)
        throw std::invalid_argument("display gain must be a finite number >= 0 (0 = automatic)");
    if (mapping.mode == DisplayMode::Raw)
        outputDepth = CV_32F;
    else if (outputDepth != CV_8U && outputDepth != CV_16U)
        throw std::invalid_argument("display output depth must be 8-bit or 16-bit");

    const double srcFull = fullScale(response.sourceDepth);
    const double outFull = fullScale(outputDepth);
    const double unit = outFull / srcFull; // one source unit in output units

    std::vector<cv::Mat> planes;
    cv::split(response.values, planes);
    std::vector<cv::Mat> out;
    out.reserve(planes.size() + 1);

    switch (mapping.mode) {
    case DisplayMode::Raw:
        out = planes;
        break;
    case DisplayMode::Clamp:
        for (const cv::Mat &p : planes)
            out.push_back(mapPlane(p, unit, 0, outputDepth));
        break;
    case DisplayMode::Abs: {
        const FiniteRange range = finiteRange(planes);
        const double gain = mapping.gain > 0   ? mapping.gain
                            : range.maxAbs > 0 ? srcFull / range.maxAbs
                                               : 1.0;
        for (const cv::Mat &p : planes)
            out.push_back(mapPlane(cv::abs(p), gain * unit, 0, outputDepth));
        break;
    }
    case DisplayMode::Offset: {
        const FiniteRange range = finiteRange(planes);
        const double gain = mapping.gain > 0   ? mapping.gain
                            : range.maxAbs > 0 ? srcFull / range.maxAbs
                                               : 1.0;
        const double mid = (outFull + 1) / 2; // 128 or 32768
        const double scale = gain * (outFull - mid) / srcFull;
        for (const cv::Mat &p : planes)
            out.push_back(mapPlane(p, scale, mid, outputDepth));
        break;
    }
    case DisplayMode::Normalize: {
        const FiniteRange range = finiteRange(planes);
        const double span = range.max - range.min;
        const double scale = span > 0 ? outFull / span : 0;
        for (const cv::Mat &p : planes)
            out.push_back(mapPlane(p, scale, -range.min * scale, outputDepth));
        break;
    }
    }

    if (!response.alpha.empty()) {
        cv::Mat alpha;
        if (response.alpha.depth() == outputDepth)
            alpha = response.alpha;
        else if (outputDepth == CV_32F)
            response.alpha.convertTo(alpha, CV_32F);
        else
            response.alpha.convertTo(alpha, outputDepth,
                                     outFull / fullScale(response.alpha.depth()));
        out.push_back(alpha);
    }

    cv::Mat result;
    cv::merge(out, result);
    return result;
}

} // namespace ks
