// Kernels for every filter spec, as CV_64FC1 correlation kernels.
#pragma once

#include "filter_spec.h"

#include <opencv2/core/mat.hpp>

namespace ks {

/// The correlation kernel of a spec: CV_64FC1, anchor at (cols / 2, rows / 2).
/// imageDepth (CV_8U, CV_16U, CV_32F) matters only for a Gaussian with
/// ksize 0, whose size then follows OpenCV's automatic rule for that depth.
/// Validates the spec first (throws ParameterError). Identity gives [1].
cv::Mat makeKernel(const FilterSpec &spec, int imageDepth = 0 /* CV_8U */);

/// OpenCV's automatic Gaussian size (as in cv::GaussianBlur with ksize 0):
/// round(sigma * 6 + 1) | 1 for 8-bit images, round(sigma * 8 + 1) | 1 otherwise.
int automaticGaussianSize(double sigma, int imageDepth);

/// The normalized 1-D Gaussian of odd length ksize, CV_64FC1 column, equal to
/// cv::getGaussianKernel(ksize, sigma, CV_64F).
cv::Mat gaussianKernel1D(int ksize, double sigma);

} // namespace ks
