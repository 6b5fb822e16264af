#include "kernel_spectrum.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace ks {

namespace {

void requireKernel(const cv::Mat &kernel, const char *function)
{
    if (kernel.empty() || kernel.type() != CV_64FC1)
        throw std::invalid_argument(std::string(function) + ": the kernel must be a non-empty " +
                                    "CV_64FC1 matrix");
}

// Direction components this close to zero are zero: cos(90 degrees) is
// 6e-17 in doubles, and an axis profile must read the taps themselves.
constexpr double kAxisEpsilon = 1e-12;
// Sample positions this close to a whole tap index are that index.
constexpr double kTapEpsilon = 1e-9;

double snapped(double value, double epsilon)
{
    const double nearest = std::round(value);
    return std::abs(value - nearest) < epsilon ? nearest : value;
}

/// The range of t for which anchor + t * direction stays within [0, last].
std::pair<double, double> lineExtent(double anchor, double direction, double last)
{
    if (direction == 0)
        return {-HUGE_VAL, HUGE_VAL};
    const double a = (0 - anchor) / direction;
    const double b = (last - anchor) / direction;
    return {std::min(a, b), std::max(a, b)};
}

/// Bilinear interpolation at (x, y) in tap indices, both within the kernel.
double bilinear(const cv::Mat &k, double x, double y)
{
    const int x0 = std::min(static_cast<int>(std::floor(x)), std::max(k.cols - 2, 0));
    const int y0 = std::min(static_cast<int>(std::floor(y)), std::max(k.rows - 2, 0));
    const double fx = x - x0;
    const double fy = y - y0;
    // Weights of zero skip the neighbour, which may not exist (a 1-wide kernel).
    const auto row = [&](int i) {
        const double left = k.at<double>(i, x0);
        return fx == 0 ? left : left + fx * (k.at<double>(i, x0 + 1) - left);
    };
    const double top = row(y0);
    return fy == 0 ? top : top + fy * (row(y0 + 1) - top);
}

} // namespace

KernelSpectrum kernelSpectrum(const cv::Mat &kernel64F, int minSize)
{
    requireKernel(kernel64F, "kernelSpectrum");
    if (minSize < 1)
        throw std::invalid_argument("kernelSpectrum: minSize must be at least 1");

    const int side = std::max({minSize, kernel64F.rows, kernel64F.cols});
    int n = 1;
    while (n < side)
        n *= 2;

    // Where the kernel sits in the frame changes only the phase.
    cv::Mat padded = cv::Mat::zeros(n, n, CV_64FC1);
    kernel64F.copyTo(padded(cv::Rect(0, 0, kernel64F.cols, kernel64F.rows)));
    cv::Mat spectrum;
    cv::dft(padded, spectrum, cv::DFT_COMPLEX_OUTPUT);

    cv::Mat planes[2];
    cv::split(spectrum, planes);
    cv::Mat magnitude;
    cv::magnitude(planes[0], planes[1], magnitude);

    // fft shift: index k moves to (k + n / 2) mod n, putting DC at n / 2.
    KernelSpectrum result;
    result.size = n;
    result.magnitude.create(n, n, CV_64FC1);
    const int half = n / 2;
    const int rest = n - half;
    const cv::Range in[2] = {cv::Range(0, rest), cv::Range(rest, n)};
    const cv::Range out[2] = {cv::Range(half, n), cv::Range(0, half)};
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c)
            if (!in[r].empty() && !in[c].empty())
                magnitude(in[r], in[c]).copyTo(result.magnitude(out[r], out[c]));
    return result;
}

std::vector<ProfileSample> kernelProfile(const cv::Mat &kernel64F, double angleDeg, double step)
{
    requireKernel(kernel64F, "kernelProfile");
    if (!(step > 0))
        throw std::invalid_argument("kernelProfile: step must be positive");

    const double angle = angleDeg * CV_PI / 180.0;
    const double dx = snapped(std::cos(angle), kAxisEpsilon);
    const double dy = snapped(std::sin(angle), kAxisEpsilon);
    const double ax = kernel64F.cols / 2; // the anchor, as cv::filter2D's
    const double ay = kernel64F.rows / 2;
    const double lastX = kernel64F.cols - 1;
    const double lastY = kernel64F.rows - 1;
    const auto [xLow, xHigh] = lineExtent(ax, dx, lastX);
    const auto [yLow, yHigh] = lineExtent(ay, dy, lastY);
    const double low = std::max(xLow, yLow);
    const double high = std::min(xHigh, yHigh);

    const auto first = static_cast<long>(std::ceil(low / step - kTapEpsilon));
    const auto last = static_cast<long>(std::floor(high / step + kTapEpsilon));
    std::vector<ProfileSample> samples;
    samples.reserve(static_cast<std::size_t>(std::max(last - first + 1, 0L)));
    for (long k = first; k <= last; ++k) {
        const double t = static_cast<double>(k) * step;
        // The clamp only absorbs rounding at the ends of the line.
        const double x = std::clamp(snapped(ax + t * dx, kTapEpsilon), 0.0, lastX);
        const double y = std::clamp(snapped(ay + t * dy, kTapEpsilon), 0.0, lastY);
        samples.push_back({t, bilinear(kernel64F, x, y)});
    }
    return samples;
}

} // namespace ks
