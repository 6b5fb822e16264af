#include "region_blur.h"

#include "errors.h"
#include "kernels.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace ks {

namespace {

constexpr double kMaxSigma = 200;
constexpr double kMaxCell = 1000;
constexpr double kMaxKsize = 1001;
constexpr double kMaxFeather = 1000;

std::array<ParamDescriptor, 2> descriptorsFor(RegionMethod method)
{
    const ParamDescriptor feather{
        "feather",   "Feather",
        "px",        0,
        kMaxFeather, 0,
        1,           ParamType::Integer,
        false,       "Width of the soft edge outside the rectangle, in pixels."};
    switch (method) {
    case RegionMethod::Pixelate:
        return {ParamDescriptor{"cell", "Cell size", "px", 1, kMaxCell, 16, 1, ParamType::Integer,
                                false, "Side of the square cells whose mean replaces them."},
                feather};
    case RegionMethod::Box:
        return {ParamDescriptor{"ksize", "Kernel size", "px", 1, kMaxKsize, 31, 2,
                                ParamType::OddInteger, false,
                                "Width and height of the averaging window in pixels (odd)."},
                feather};
    case RegionMethod::Gaussian:
        break;
    }
    return {ParamDescriptor{"sigma", "Sigma", "px", 0.1, kMaxSigma, 8, 0.5, ParamType::Real, false,
                            "Standard deviation of the Gaussian blur in pixels."},
            feather};
}

std::string describe(const cv::Rect &r, int index)
{
    return "region " + std::to_string(index + 1) + " (x " + std::to_string(r.x) + ", y " +
           std::to_string(r.y) + ", " + std::to_string(r.width) + " x " + std::to_string(r.height) +
           ")";
}

/// Smooth weight of a pixel at Euclidean distance d outside the rectangle:
/// 1 inside, falling smoothly towards 0 across the feather, 0 beyond it.
double featherWeight(double d, int feather)
{
    if (d <= 0)
        return 1;
    if (d > feather)
        return 0;
    const double t = 1 - d / (feather + 1);
    return t * t * (3 - 2 * t);
}

/// The blurred image over `area` (which contains `inside`, the clipped
/// rectangle), computed from the image's real neighbourhood.
cv::Mat blurredArea(const cv::Mat &image, const Region &region, const cv::Rect &inside,
                    const cv::Rect &area)
{
    const cv::Rect whole(0, 0, image.cols, image.rows);
    if (region.method == RegionMethod::Pixelate) {
        const int cell = static_cast<int>(region.strength);
        cv::Mat cells(inside.size(), image.type());
        // Cells are aligned to the unclipped rectangle's top-left corner.
        const int firstX = region.rect.x + (inside.x - region.rect.x) / cell * cell;
        const int firstY = region.rect.y + (inside.y - region.rect.y) / cell * cell;
        for (int y = firstY; y < inside.br().y; y += cell) {
            for (int x = firstX; x < inside.br().x; x += cell) {
                const cv::Rect c = cv::Rect(x, y, cell, cell) & inside;
                cells(c - inside.tl()).setTo(cv::mean(image(c)));
            }
        }
        // Feather pixels take the value of the nearest cell.
        cv::Mat out;
        cv::copyMakeBorder(cells, out, inside.y - area.y, area.br().y - inside.br().y,
                           inside.x - area.x, area.br().x - inside.br().x, cv::BORDER_REPLICATE);
        return out;
    }

    const int ksize = region.method == RegionMethod::Gaussian
                          ? automaticGaussianSize(region.strength, image.depth())
                          : static_cast<int>(region.strength);
    const int r = ksize / 2;
    // The crop reaches r beyond the area, or to the image's own edge, where
    // reflect101 then extends the image exactly as it would for the whole.
    const cv::Rect crop =
        cv::Rect(area.x - r, area.y - r, area.width + 2 * r, area.height + 2 * r) & whole;
    const cv::Mat source = image(crop).clone();
    cv::Mat blurred;
    if (region.method == RegionMethod::Gaussian)
        cv::GaussianBlur(source, blurred, cv::Size(ksize, ksize), region.strength, region.strength,
                         cv::BORDER_REFLECT_101);
    else
        cv::blur(source, blurred, cv::Size(ksize, ksize), cv::Point(-1, -1),
                 cv::BORDER_REFLECT_101);
    return blurred(area - crop.tl()).clone();
}

/// Writes blurred into image over area, weighted by distance to inside.
void blend(cv::Mat &image, const cv::Mat &blurred, const cv::Rect &inside, const cv::Rect &area,
           int feather)
{
    cv::Mat weight(area.size(), CV_64F);
    for (int y = 0; y < area.height; ++y) {
        const int iy = area.y + y;
        const int dy = std::max({inside.y - iy, 0, iy - (inside.br().y - 1)});
        for (int x = 0; x < area.width; ++x) {
            const int ix = area.x + x;
            const int dx = std::max({inside.x - ix, 0, ix - (inside.br().x - 1)});
            weight.at<double>(y, x) = featherWeight(std::hypot(dx, dy), feather);
        }
    }
    cv::Mat target = image(area);
    if (feather == 0) {
        blurred.copyTo(target);
        return;
    }
    const int channels = image.channels();
    cv::Mat src64, blur64;
    target.convertTo(src64, CV_64F);
    blurred.convertTo(blur64, CV_64F);
    std::vector<cv::Mat> weights(static_cast<std::size_t>(channels), weight);
    cv::Mat w;
    cv::merge(weights, w);
    const cv::Mat oneMinus = cv::Scalar::all(1) - w;
    cv::Mat mixed = w.mul(blur64) + oneMinus.mul(src64);
    cv::Mat result;
    mixed.convertTo(result, image.depth());
    cv::Mat touched = weight > 0;
    result.copyTo(target, touched);
}

} // namespace

std::string_view regionMethodName(RegionMethod method)
{
    switch (method) {
    case RegionMethod::Gaussian:
        return "gaussian";
    case RegionMethod::Pixelate:
        return "pixelate";
    case RegionMethod::Box:
        return "box";
    }
    return "gaussian";
}

std::optional<RegionMethod> parseRegionMethodName(std::string_view name)
{
    for (RegionMethod m : {RegionMethod::Gaussian, RegionMethod::Pixelate, RegionMethod::Box})
        if (regionMethodName(m) == name)
            return m;
    return std::nullopt;
}

std::span<const ParamDescriptor> regionParameterDescriptors(RegionMethod method)
{
    static const std::array<std::array<ParamDescriptor, 2>, 3> tables = {
        descriptorsFor(RegionMethod::Gaussian), descriptorsFor(RegionMethod::Pixelate),
        descriptorsFor(RegionMethod::Box)};
    return tables[static_cast<std::size_t>(method)];
}

void validateRegion(const Region &region, int index)
{
    const cv::Rect &r = region.rect;
    const auto fits = [](std::int64_t v) {
        return v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max();
    };
    if (!fits(std::int64_t{r.x} + r.width) || !fits(std::int64_t{r.y} + r.height))
        throw ParameterError("rect", describe(r, index) + " reaches beyond the range of pixel "
                                                          "coordinates");
    const auto descriptors = regionParameterDescriptors(region.method);
    const double values[] = {region.strength, static_cast<double>(region.feather)};
    for (std::size_t i = 0; i < descriptors.size(); ++i)
        if (auto problem = checkParameter(descriptors[i], values[i]))
            throw ParameterError(descriptors[i].key,
                                 "region " + std::to_string(index + 1) + ": " + *problem);
}

RegionBlurResult applyRegionBlurs(const cv::Mat &image, std::span<const Region> regions,
                                  const RunControl &control)
{
    if (image.empty())
        throw std::invalid_argument("the image is empty");
    const int depth = image.depth();
    const int channels = image.channels();
    if ((depth != CV_8U && depth != CV_16U && depth != CV_32F) ||
        (channels != 1 && channels != 3 && channels != 4))
        throw std::invalid_argument("region blur needs an 8U, 16U or 32F image with 1, 3 or 4 "
                                    "channels");
    for (std::size_t i = 0; i < regions.size(); ++i)
        validateRegion(regions[i], static_cast<int>(i));

    RegionBlurResult result;
    // Work on the colour channels only; alpha goes back unchanged at the end.
    cv::Mat colour;
    cv::Mat alpha;
    if (channels == 4) {
        std::vector<cv::Mat> planes;
        cv::split(image, planes);
        alpha = planes[3];
        planes.pop_back();
        cv::merge(planes, colour);
    } else {
        colour = image.clone();
    }

    const cv::Rect whole(0, 0, image.cols, image.rows);
    for (std::size_t i = 0; i < regions.size(); ++i) {
        control.checkpoint();
        const Region &region = regions[i];
        const int index = static_cast<int>(i);
        if (region.rect.width <= 0 || region.rect.height <= 0) {
            result.warnings.push_back(describe(region.rect, index) + " is empty: skipped");
            control.report(static_cast<double>(i + 1) / regions.size());
            continue;
        }
        const cv::Rect inside = region.rect & whole;
        if (inside.empty()) {
            result.warnings.push_back(describe(region.rect, index) + " lies outside the " +
                                      std::to_string(image.cols) + " x " +
                                      std::to_string(image.rows) + " image: skipped");
            control.report(static_cast<double>(i + 1) / regions.size());
            continue;
        }
        const cv::Rect area =
            cv::Rect(inside.x - region.feather, inside.y - region.feather,
                     inside.width + 2 * region.feather, inside.height + 2 * region.feather) &
            whole;
        const cv::Mat blurred = blurredArea(colour, region, inside, area);
        control.checkpoint();
        blend(colour, blurred, inside, area, region.feather);
        control.report(static_cast<double>(i + 1) / regions.size());
    }

    if (channels == 4) {
        std::vector<cv::Mat> planes;
        cv::split(colour, planes);
        planes.push_back(alpha);
        cv::merge(planes, result.image);
    } else {
        result.image = colour;
    }
    return result;
}

} // namespace ks
