#include "kernels.h"

#include "parameters.h"

#include <opencv2/core.hpp>

#include <cmath>

namespace ks {

namespace {

constexpr double kDegree = CV_PI / 180.0;

// The same arithmetic, in the same order, as cv::getGaborKernel, so the two
// agree to the last bit or two; kept here so the engine can build banks and
// rotated variants without a round trip through OpenCV's float paths.
cv::Mat gaborKernel(const GaborSpec &g)
{
    const int r = g.ksize / 2;
    const double theta = g.theta_deg * kDegree;
    const double psi = g.psi_deg * kDegree;
    const double sigmaX = g.sigma;
    const double sigmaY = g.sigma / g.gamma;
    const double c = std::cos(theta);
    const double s = std::sin(theta);
    const double ex = -0.5 / (sigmaX * sigmaX);
    const double ey = -0.5 / (sigmaY * sigmaY);
    const double cscale = CV_PI * 2 / g.lambda;

    cv::Mat kernel(g.ksize, g.ksize, CV_64F);
    for (int y = -r; y <= r; ++y) {
        for (int x = -r; x <= r; ++x) {
            const double xr = x * c + y * s;
            const double yr = -x * s + y * c;
            // Point-reflected layout, as in OpenCV.
            kernel.at<double>(r - y, r - x) =
                std::exp(ex * xr * xr + ey * yr * yr) * std::cos(cscale * xr + psi);
        }
    }
    return kernel;
}

cv::Mat derivativeKernel(const DerivativeSpec &d)
{
    const cv::Mat g = gaussianKernel1D(d.ksize, d.sigma);
    const int r = d.ksize / 2;
    const double angle = d.angle_deg * kDegree;
    const double c = std::cos(angle);
    const double s = std::sin(angle);
    const double s2 = d.sigma * d.sigma;

    cv::Mat kernel(d.ksize, d.ksize, CV_64F);
    for (int i = 0; i < d.ksize; ++i) {
        for (int j = 0; j < d.ksize; ++j) {
            const double u = (j - r) * c + (i - r) * s; // offset along the direction
            const double gauss = g.at<double>(i) * g.at<double>(j);
            kernel.at<double>(i, j) =
                d.order == 1 ? u / s2 * gauss : (u * u / (s2 * s2) - 1 / s2) * gauss;
        }
    }
    return kernel;
}

cv::Mat customKernel(const CustomSpec &custom)
{
    cv::Mat kernel(custom.rows, custom.cols, CV_64F);
    std::copy(custom.values.begin(), custom.values.end(), kernel.begin<double>());
    if (custom.normalize)
        kernel /= cv::sum(kernel)[0];
    return kernel;
}

} // namespace

int automaticGaussianSize(double sigma, int imageDepth)
{
    return cvRound(sigma * (imageDepth == CV_8U ? 3 : 4) * 2 + 1) | 1;
}

cv::Mat gaussianKernel1D(int ksize, double sigma)
{
    cv::Mat kernel(ksize, 1, CV_64F);
    const double scale2X = -0.5 / (sigma * sigma);
    double sum = 0;
    for (int i = 0; i < ksize; ++i) {
        const double x = i - (ksize - 1) * 0.5;
        const double t = std::exp(scale2X * x * x);
        kernel.at<double>(i) = t;
        sum += t;
    }
    kernel *= 1.0 / sum;
    return kernel;
}

cv::Mat makeKernel(const FilterSpec &spec, int imageDepth)
{
    validate(spec);
    switch (kindOf(spec)) {
    case FilterKind::Identity:
        return cv::Mat::ones(1, 1, CV_64F);
    case FilterKind::Gabor:
        return gaborKernel(std::get<GaborSpec>(spec));
    case FilterKind::Gaussian: {
        const auto &g = std::get<GaussianSpec>(spec);
        const int ksize = g.ksize > 0 ? g.ksize : automaticGaussianSize(g.sigma, imageDepth);
        const cv::Mat g1 = gaussianKernel1D(ksize, g.sigma);
        return g1 * g1.t();
    }
    case FilterKind::Box: {
        const auto &b = std::get<BoxSpec>(spec);
        const double tap = b.normalized ? 1.0 / ((static_cast<double>(b.ksize) * b.ksize)) : 1.0;
        return cv::Mat(b.ksize, b.ksize, CV_64F, cv::Scalar(tap));
    }
    case FilterKind::Derivative:
        return derivativeKernel(std::get<DerivativeSpec>(spec));
    case FilterKind::Custom:
        return customKernel(std::get<CustomSpec>(spec));
    }
    return cv::Mat::ones(1, 1, CV_64F);
}

} // namespace ks
