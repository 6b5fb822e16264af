#include "filter.h"

#include "engine.h"
#include "kernels.h"

#include <opencv2/core.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace ks {

namespace {

void checkImage(const cv::Mat &image)
{
    if (image.empty())
        throw std::invalid_argument("the image is empty");
    const int depth = image.depth();
    if (depth != CV_8U && depth != CV_16U && depth != CV_32F)
        throw std::invalid_argument(depthName(depth) +
                                    " images are not supported: expected 8-bit, 16-bit or "
                                    "32-bit float");
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

std::string depthName(int depth)
{
    switch (depth) {
    case CV_8U:
        return "8-bit";
    case CV_8S:
        return "signed 8-bit";
    case CV_16U:
        return "16-bit";
    case CV_16S:
        return "signed 16-bit";
    case CV_32S:
        return "32-bit integer";
    case CV_32F:
        return "32-bit float";
    case CV_64F:
        return "64-bit float";
    case CV_16F:
        return "16-bit float";
    default:
        return "depth " + std::to_string(depth);
    }
}

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
                     const RunControl &control, double toleranceFraction)
{
    checkImage(image);
    const cv::Mat kernel = makeKernel(spec, image.depth());
    control.checkpoint();

    Response response;
    response.sourceDepth = image.depth();

    const int channels = image.channels();
    cv::Mat colour = image;
    if (channels == 4) {
        cv::extractChannel(image, response.alpha, 3);
        colour.create(image.size(), CV_MAKETYPE(image.depth(), 3));
        const int fromTo[] = {0, 0, 1, 1, 2, 2};
        cv::mixChannels(&image, 1, &colour, 1, fromTo, 3);
    }
    if (options.color == ColorMode::Gray && channels >= 3) {
        std::vector<cv::Mat> planes;
        cv::split(colour, planes);
        colour = toGray(planes);
    }

    if (kindOf(spec) == FilterKind::Identity) {
        colour.convertTo(response.values, CV_32F);
        control.report(1.0);
        return response;
    }
    // The engine picks the path (engine.h) and filters all channels at once.
    response.values = correlateFast(colour, kernel, closedFormTerms(spec, image.depth()),
                                    options.border, control, toleranceFraction);
    return response;
}

} // namespace ks
