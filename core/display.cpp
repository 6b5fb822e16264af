#include "display.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace ks {

namespace {

struct FiniteRange {
    double min = 0;
    double max = 0;
    double maxAbs = 0;
};

/// Minimum and maximum of the finite values (all channels), in one parallel
/// pass; 0 and 0 when there are none.
FiniteRange finiteRange(const cv::Mat &values)
{
    constexpr float inf = std::numeric_limits<float>::infinity();
    const int rows = values.rows;
    const int width = values.cols * values.channels();
    const int stripes = std::max(1, std::min(rows, cv::getNumThreads() * 4));
    std::vector<std::pair<float, float>> partial(static_cast<std::size_t>(stripes), {inf, -inf});
    cv::parallel_for_(cv::Range(0, stripes), [&](const cv::Range &range) {
        for (int s = range.start; s < range.end; ++s) {
            float lo = inf;
            float hi = -inf;
            for (int y = rows * s / stripes; y < rows * (s + 1) / stripes; ++y) {
                const float *row = values.ptr<float>(y);
                for (int x = 0; x < width; ++x) {
                    const float v = row[x];
                    // NaN fails both comparisons; infinities are excluded.
                    if (std::abs(v) <= std::numeric_limits<float>::max()) {
                        lo = std::min(lo, v);
                        hi = std::max(hi, v);
                    }
                }
            }
            partial[static_cast<std::size_t>(s)] = {lo, hi};
        }
    });
    float lo = inf;
    float hi = -inf;
    for (const auto &[l, h] : partial) {
        lo = std::min(lo, l);
        hi = std::max(hi, h);
    }
    FiniteRange r;
    if (lo <= hi) {
        r.min = lo;
        r.max = hi;
    }
    r.maxAbs = std::max(std::abs(r.min), std::abs(r.max));
    return r;
}

/// out = saturate(round(f(v) * scale + shift)) with f = |.| or identity,
/// computed in double and clipped to [0, full scale] before the rounding
/// (round half to even, like cv::saturate_cast); non-finite values give 0.
/// One parallel pass over the interleaved channels.
template <class T>
void mapValues(const cv::Mat &values, cv::Mat &out, bool absolute, double scale, double shift)
{
    const double full = std::numeric_limits<T>::max();
    const int width = values.cols * values.channels();
    cv::parallel_for_(cv::Range(0, values.rows), [&](const cv::Range &range) {
        for (int y = range.start; y < range.end; ++y) {
            const float *in = values.ptr<float>(y);
            T *dst = out.ptr<T>(y);
            for (int x = 0; x < width; ++x) {
                const float v = in[x];
                if (!(std::abs(v) <= std::numeric_limits<float>::max())) {
                    dst[x] = 0;
                    continue;
                }
                const double t = (absolute ? std::abs(double{v}) : double{v}) * scale + shift;
                dst[x] = static_cast<T>(std::nearbyint(std::clamp(t, 0.0, full)));
            }
        }
    });
}

cv::Mat mapAll(const cv::Mat &values, int outputDepth, bool absolute, double scale, double shift)
{
    cv::Mat out(values.size(), CV_MAKETYPE(outputDepth, values.channels()));
    if (outputDepth == CV_8U)
        mapValues<std::uint8_t>(values, out, absolute, scale, shift);
    else
        mapValues<std::uint16_t>(values, out, absolute, scale, shift);
    return out;
}

/// The gain with which the largest finite |value| fills the range.
double automaticGain(const cv::Mat &values, double srcFull)
{
    const double maxAbs = finiteRange(values).maxAbs;
    return maxAbs > 0 ? srcFull / maxAbs : 1.0;
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

    const cv::Mat &values = response.values;
    cv::Mat mapped;
    switch (mapping.mode) {
    case DisplayMode::Raw:
        mapped = values;
        break;
    case DisplayMode::Clamp:
        mapped = mapAll(values, outputDepth, false, unit, 0);
        break;
    case DisplayMode::Abs: {
        const double gain = mapping.gain > 0 ? mapping.gain : automaticGain(values, srcFull);
        mapped = mapAll(values, outputDepth, true, gain * unit, 0);
        break;
    }
    case DisplayMode::Offset: {
        const double gain = mapping.gain > 0 ? mapping.gain : automaticGain(values, srcFull);
        const double mid = (outFull + 1) / 2; // 128 or 32768
        mapped = mapAll(values, outputDepth, false, gain * (outFull - mid) / srcFull, mid);
        break;
    }
    case DisplayMode::Normalize: {
        const FiniteRange range = finiteRange(values);
        const double span = range.max - range.min;
        const double scale = span > 0 ? outFull / span : 0;
        mapped = mapAll(values, outputDepth, false, scale, -range.min * scale);
        break;
    }
    }
    if (response.alpha.empty())
        return mapped;

    std::vector<cv::Mat> out;
    cv::split(mapped, out);
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
