#include "correlate.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace ks {

namespace {

/// Rows per strip: tall enough that the kernel's overlap rows are a small
/// overhead, short enough that one strip takes a few milliseconds so a stop
/// request is seen quickly.
int stripRows(int width, int height, const cv::Mat &kernel)
{
    const double taps = static_cast<double>(kernel.rows) * kernel.cols;
    // filter2D switches to a DFT for kernels of 50 taps or more, whose cost
    // grows with the log of the kernel, not its area.
    const double costPerPixel = taps < 50 ? taps : 50 + 4 * std::log2(taps);
    const double targetWork = 4e6; // about 2-4 ms of work per strip
    const int rows = static_cast<int>(targetWork / (costPerPixel * std::max(width, 1)));
    return std::clamp(std::max(rows, 2 * kernel.rows), 1, std::max(height, 1));
}

} // namespace

cv::Mat correlate(const cv::Mat &src, const cv::Mat &kernel, BorderMode border,
                  const RunControl &control)
{
    if (src.empty() || src.channels() != 1)
        throw std::invalid_argument("correlate: expected a non-empty single-channel image");
    if (src.depth() != CV_8U && src.depth() != CV_16U && src.depth() != CV_32F &&
        src.depth() != CV_64F)
        throw std::invalid_argument("correlate: image depth must be 8U, 16U, 32F or 64F");
    if (kernel.empty() || kernel.type() != CV_64FC1)
        throw std::invalid_argument("correlate: expected a non-empty CV_64FC1 kernel");

    control.checkpoint();
    const int ax = kernel.cols / 2;
    const int ay = kernel.rows / 2;
    const int cvBorder = toOpenCvBorder(border);

    // Each strip of output rows reads its rows of the source extended by the
    // kernel's reach: rows beyond the image come from cv::borderInterpolate,
    // columns beyond it from copyMakeBorder on whole rows. Both handle every
    // mode, Wrap included, and kernels larger than the image. Building the
    // extended strip per strip keeps memory small and every step short.
    cv::Mat dst(src.size(), CV_32FC1);
    const int rowsPerStrip = stripRows(src.cols, src.rows, kernel);
    const int strips = (src.rows + rowsPerStrip - 1) / rowsPerStrip;
    const int perBand = std::max(1, cv::getNumThreads()) * 2;
    std::atomic<bool> stopped{false};

    auto runStrip = [&](int strip) {
        if (stopped.load(std::memory_order_relaxed) || control.stop.stop_requested()) {
            stopped.store(true, std::memory_order_relaxed);
            return;
        }
        const int y0 = strip * rowsPerStrip;
        const int rows = std::min(rowsPerStrip, src.rows - y0);
        cv::Mat tall(rows + kernel.rows - 1, src.cols, CV_64F);
        for (int i = 0; i < tall.rows; ++i) {
            const int from = cv::borderInterpolate(y0 + i - ay, src.rows, cvBorder);
            if (from < 0)
                tall.row(i).setTo(0);
            else
                src.row(from).convertTo(tall.row(i), CV_64F);
        }
        cv::Mat in;
        cv::copyMakeBorder(tall, in, 0, 0, ax, kernel.cols - 1 - ax, cvBorder | cv::BORDER_ISOLATED,
                           cv::Scalar::all(0));
        cv::Mat out;
        cv::filter2D(in, out, CV_64F, kernel, cv::Point(ax, ay), 0,
                     cv::BORDER_CONSTANT | cv::BORDER_ISOLATED);
        out(cv::Rect(ax, ay, src.cols, rows)).convertTo(dst.rowRange(y0, y0 + rows), CV_32F);
    };

    for (int first = 0; first < strips; first += perBand) {
        const int last = std::min(strips, first + perBand);
        cv::parallel_for_(cv::Range(first, last), [&](const cv::Range &range) {
            for (int s = range.start; s < range.end; ++s)
                runStrip(s);
        });
        if (stopped)
            throw Cancelled();
        control.checkpoint();
        control.report(static_cast<double>(last) / strips);
    }
    return dst;
}

} // namespace ks
