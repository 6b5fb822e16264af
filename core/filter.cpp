#include "filter.h"

#include "correlate.h"
#include "kernels.h"

#include <opencv2/core.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace ks {

namespace {

std::string depthName(int depth)
{
    static const char *const names[] = {"8U", "8S", "16U", "16S", "32S", "32F", "64F", "16F"};
    return depth >= 0 && depth < 8 ? names[depth] : "unknown";
}

void checkImage(const cv::Mat &image)
{
    if (image.empty())
        throw std::invalid_argument("the image is empty");
    const int depth = image.depth();
    if (depth != CV_8U && depth != CV_16U && depth != CV_32F)
        throw std::invalid_argument("image depth " + depthName(depth) +
                                    " is not supported: expected 8U, 16U or 32F");
    const int channels = image.channels();
    if (channels != 1 && channels != 3 && channels != 4)
        throw std::invalid_argument("an image with " + std::to_string(channels) +
                                    " channels is not supported: expected 1, 3 or 4");
}

/// 0.299 R + 0.587 G + 0.114 B in double precision (planes are B, G, R).
cv::Mat toGray(const std::vector<cv::Mat> &bgr)
{
    cv::Mat b, g, r;
    bgr[0].convertTo(b, CV_64F);
    bgr[1].convertTo(g, CV_64F);
    bgr[2].convertTo(r, CV_64F);
    return 0.114 * b + 0.587 * g + 0.299 * r;
}

} // namespace

double fullScale(int depth)
{
    switch (depth) {
    case CV_8U:
        return 255.0;
    case CV_16U:
        return 65535.0;
    default:
        return 1.0;
    }
}

Response applyFilter(const cv::Mat &image, const FilterSpec &spec, const FilterOptions &options,
                     const RunControl &control)
{
    checkImage(image);
    const cv::Mat kernel = makeKernel(spec, image.depth());
    control.checkpoint();

    Response response;
    response.sourceDepth = image.depth();

    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    if (planes.size() == 4) {
        response.alpha = planes[3];
        planes.pop_back();
    }
    if (options.color == ColorMode::Gray && planes.size() == 3)
        planes = {toGray(planes)};

    std::vector<cv::Mat> out(planes.size());
    const bool identity = kindOf(spec) == FilterKind::Identity;
    for (std::size_t c = 0; c < planes.size(); ++c) {
        if (identity) {
            control.checkpoint();
            planes[c].convertTo(out[c], CV_32F);
            control.report(static_cast<double>(c + 1) / planes.size());
            continue;
        }
        RunControl part{control.stop, nullptr};
        if (control.progress)
            part.progress = [&control, c, n = planes.size()](double f) {
                control.report((static_cast<double>(c) + f) / n);
            };
        out[c] = correlate(planes[c], kernel, options.border, part);
    }
    cv::merge(out, response.values);
    return response;
}

} // namespace ks
