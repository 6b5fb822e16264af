// Correlation of one image plane with a kernel: the engine's inner loop.
#pragma once

#include "border.h"
#include "run_control.h"

#include <opencv2/core/mat.hpp>

namespace ks {

/// dst(y, x) = sum over (i, j) of kernel(i, j) * src(y + i - ay, x + j - ax),
/// with (ax, ay) = (kernel.cols / 2, kernel.rows / 2) and src extended beyond
/// its edges by the border mode, exactly like cv::filter2D (which lacks Wrap).
/// src: one channel of depth CV_8U, CV_16U, CV_32F or CV_64F; kernel: CV_64FC1 of any
/// size, also larger than the image. Returns CV_32FC1, accumulated in double.
/// Checks control between strips of rows; throws Cancelled when stopped.
/// progress (if any) is reported as done / total fractions of this call.
cv::Mat correlate(const cv::Mat &src, const cv::Mat &kernel, BorderMode border,
                  const RunControl &control = {});

} // namespace ks
