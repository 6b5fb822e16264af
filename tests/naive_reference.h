// An independent reference for the engine's correlations: naive loops in
// double with their own border handling (never the engine's code), shared by
// the tests of correlate(), applyFilter() and every engine path.
#pragma once

#include "core/border.h"

#include <opencv2/core.hpp>

#include <vector>

namespace ks::test {

/// Index of the source pixel that position p (possibly outside [0, len))
/// reads, or -1 for the constant (zero) border. Same semantics as
/// cv::borderInterpolate, including repeated reflection for long kernels.
inline int extendIndex(int p, int len, BorderMode mode)
{
    if (p >= 0 && p < len)
        return p;
    switch (mode) {
    case BorderMode::Replicate:
        return p < 0 ? 0 : len - 1;
    case BorderMode::Constant:
        return -1;
    case BorderMode::Wrap: {
        const int r = p % len;
        return r < 0 ? r + len : r;
    }
    case BorderMode::Reflect:
    case BorderMode::Reflect101: {
        if (len == 1)
            return 0;
        const int delta = mode == BorderMode::Reflect101 ? 1 : 0;
        while (p < 0 || p >= len) {
            if (p < 0)
                p = -p - 1 + delta;
            else
                p = 2 * len - 1 - p - delta;
        }
        return p;
    }
    }
    return -1;
}

/// dst(y, x) = sum kernel(i, j) * src_ext(y + i - ay, x + j - ax), in double.
inline cv::Mat1d naiveCorrelation(const cv::Mat &src, const cv::Mat &kernel, BorderMode mode)
{
    cv::Mat1d source;
    src.convertTo(source, CV_64F);
    cv::Mat1d taps;
    kernel.convertTo(taps, CV_64F);
    const int ax = taps.cols / 2;
    const int ay = taps.rows / 2;
    std::vector<int> colIndex(static_cast<size_t>(source.cols + taps.cols - 1));
    for (size_t t = 0; t < colIndex.size(); ++t)
        colIndex[t] = extendIndex(static_cast<int>(t) - ax, source.cols, mode);
    std::vector<int> rowIndex(static_cast<size_t>(source.rows + taps.rows - 1));
    for (size_t t = 0; t < rowIndex.size(); ++t)
        rowIndex[t] = extendIndex(static_cast<int>(t) - ay, source.rows, mode);

    cv::Mat1d dst(source.size());
    for (int y = 0; y < source.rows; ++y) {
        for (int x = 0; x < source.cols; ++x) {
            double acc = 0;
            for (int i = 0; i < taps.rows; ++i) {
                const int sy = rowIndex[static_cast<size_t>(y + i)];
                if (sy < 0)
                    continue;
                const double *srow = source[sy];
                const double *krow = taps[i];
                for (int j = 0; j < taps.cols; ++j) {
                    const int sx = colIndex[static_cast<size_t>(x + j)];
                    if (sx >= 0)
                        acc += krow[j] * srow[sx];
                }
            }
            dst(y, x) = acc;
        }
    }
    return dst;
}

/// naiveCorrelation() of every channel: CV_64FC(channels).
inline cv::Mat naiveCorrelationChannels(const cv::Mat &src, const cv::Mat &kernel, BorderMode mode)
{
    std::vector<cv::Mat> planes;
    cv::split(src, planes);
    for (cv::Mat &plane : planes)
        plane = naiveCorrelation(plane, kernel, mode);
    cv::Mat out;
    cv::merge(planes, out);
    return out;
}

} // namespace ks::test
