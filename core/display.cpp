#include "display.h"

#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>

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
    constexpr float largest = std::numeric_limits<float>::max();
    const int rows = values.rows;
    const int width = values.cols * values.channels();
    const int stripes = std::max(1, std::min(rows, cv::getNumThreads() * 4));
    std::vector<std::pair<float, float>> partial(static_cast<std::size_t>(stripes), {inf, -inf});
    cv::parallel_for_(cv::Range(0, stripes), [&](const cv::Range &range) {
        for (int s = range.start; s < range.end; ++s) {
            float lo = inf;
            float hi = -inf;
#if CV_SIMD
            cv::v_float32 vlo = cv::vx_setall_f32(inf);
            cv::v_float32 vhi = cv::vx_setall_f32(-inf);
            const cv::v_float32 vlargest = cv::vx_setall_f32(largest);
#endif
            for (int y = rows * s / stripes; y < rows * (s + 1) / stripes; ++y) {
                const float *row = values.ptr<float>(y);
                int x = 0;
#if CV_SIMD
                constexpr int lanes = cv::v_float32::nlanes;
                for (; x + lanes <= width; x += lanes) {
                    const cv::v_float32 v = cv::vx_load(row + x);
                    // NaN fails the comparison; infinities are excluded too.
                    const cv::v_float32 finite = cv::v_abs(v) <= vlargest;
                    vlo = cv::v_min(vlo, cv::v_select(finite, v, cv::vx_setall_f32(inf)));
                    vhi = cv::v_max(vhi, cv::v_select(finite, v, cv::vx_setall_f32(-inf)));
                }
#endif
                for (; x < width; ++x) {
                    const float v = row[x];
                    if (std::abs(v) <= largest) {
                        lo = std::min(lo, v);
                        hi = std::max(hi, v);
                    }
                }
            }
#if CV_SIMD
            lo = std::min(lo, cv::v_reduce_min(vlo));
            hi = std::max(hi, cv::v_reduce_max(vhi));
#endif
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

/// One value of mapValues: saturate(round(f(v) * scale + shift)), rounded
/// half to even by adding and subtracting 1.5 * 2^52 (exact below 2^51, in
/// the default rounding mode), 0 for a non-finite v.
template <class T, bool Absolute> T mapValue(float v, double scale, double shift)
{
    constexpr double kRounder = 6755399441055744.0;
    if (!(std::abs(v) <= std::numeric_limits<float>::max()))
        return 0;
    const double t = (Absolute ? std::abs(double{v}) : double{v}) * scale + shift;
    const double clipped = std::clamp(t, 0.0, double{std::numeric_limits<T>::max()});
    return static_cast<T>((clipped + kRounder) - kRounder);
}

/// out = saturate(round(f(v) * scale + shift)) with f = |.| or identity,
/// computed in double and clipped to [0, full scale] before the rounding
/// (round half to even, like cv::saturate_cast); non-finite values give 0.
/// One parallel pass over the interleaved channels, with OpenCV's universal
/// intrinsics: the same arithmetic in double lanes, rounded by the CPU's
/// conversion (nearest, ties to even).
template <class T, bool Absolute>
void mapValues(const cv::Mat &values, cv::Mat &out, double scale, double shift)
{
    const int width = values.cols * values.channels();
    cv::parallel_for_(cv::Range(0, values.rows), [&](const cv::Range &range) {
        for (int y = range.start; y < range.end; ++y) {
            const float *in = values.ptr<float>(y);
            T *dst = out.ptr<T>(y);
            int x = 0;
#if CV_SIMD && CV_SIMD_64F
            constexpr int lanes = cv::v_float32::nlanes;
            // A block fills one vector of T: 4 float vectors for 8 bits, 2 for 16.
            constexpr int floatsPerBlock = static_cast<int>(cv::v_float32::nlanes * 4 / sizeof(T));
            const cv::v_float32 largest = cv::vx_setall_f32(std::numeric_limits<float>::max());
            const cv::v_float64 vscale = cv::vx_setall_f64(scale);
            const cv::v_float64 vshift = cv::vx_setall_f64(shift);
            const cv::v_float64 zero = cv::vx_setzero_f64();
            const cv::v_float64 full = cv::vx_setall_f64(std::numeric_limits<T>::max());
            const auto toInts = [&](const float *p) {
                cv::v_float32 v = cv::vx_load(p);
                const cv::v_float32 finite = cv::v_abs(v) <= largest;
                v = cv::v_select(finite, v, cv::vx_setzero_f32());
                if constexpr (Absolute)
                    v = cv::v_abs(v);
                const cv::v_float64 a =
                    cv::v_min(cv::v_max(cv::v_cvt_f64(v) * vscale + vshift, zero), full);
                const cv::v_float64 b =
                    cv::v_min(cv::v_max(cv::v_cvt_f64_high(v) * vscale + vshift, zero), full);
                return cv::v_round(a, b) & cv::v_reinterpret_as_s32(finite);
            };
            for (; x + floatsPerBlock <= width; x += floatsPerBlock) {
                if constexpr (sizeof(T) == 1) {
                    const cv::v_int16 low = cv::v_pack(toInts(in + x), toInts(in + x + lanes));
                    const cv::v_int16 high =
                        cv::v_pack(toInts(in + x + 2 * lanes), toInts(in + x + 3 * lanes));
                    cv::v_store(reinterpret_cast<std::uint8_t *>(dst + x), cv::v_pack_u(low, high));
                } else {
                    cv::v_store(reinterpret_cast<std::uint16_t *>(dst + x),
                                cv::v_pack_u(toInts(in + x), toInts(in + x + lanes)));
                }
            }
#endif
            for (; x < width; ++x)
                dst[x] = mapValue<T, Absolute>(in[x], scale, shift);
        }
    });
}

cv::Mat mapAll(const cv::Mat &values, int outputDepth, bool absolute, double scale, double shift)
{
    cv::Mat out(values.size(), CV_MAKETYPE(outputDepth, values.channels()));
    if (outputDepth == CV_8U) {
        if (absolute)
            mapValues<std::uint8_t, true>(values, out, scale, shift);
        else
            mapValues<std::uint8_t, false>(values, out, scale, shift);
    } else {
        if (absolute)
            mapValues<std::uint16_t, true>(values, out, scale, shift);
        else
            mapValues<std::uint16_t, false>(values, out, scale, shift);
    }
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
