#include "preview_scale.h"

#include "errors.h"
#include "kernels.h"
#include "parameters.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace ks {

namespace {

/// The notes of one scaling, each said once.
class Notes {
public:
    void add(std::string note)
    {
        if (std::find(notes_.begin(), notes_.end(), note) == notes_.end())
            notes_.push_back(std::move(note));
    }

    std::string text() const
    {
        if (notes_.empty())
            return {};
        std::string text = "preview: ";
        for (std::size_t i = 0; i < notes_.size(); ++i)
            text += (i ? "; " : "") + notes_[i];
        return text;
    }

private:
    std::vector<std::string> notes_;
};

std::string formatNumber(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

/// The odd size nearest to ksize * factor. A kernel of 3 or more taps keeps
/// at least 3 (a 1-tap kernel is no filter at all); 0 (automatic) stays 0.
int scaleKernelSize(int ksize, double factor, Notes &notes)
{
    if (ksize <= 1)
        return ksize;
    const long half = std::lround((ksize * factor - 1) / 2);
    int scaled = static_cast<int>(2 * std::max(half, 0L) + 1);
    if (ksize >= 3 && scaled < 3) {
        scaled = 3;
        notes.add("kernel too small at this zoom, shown at 3 px");
    }
    return scaled;
}

/// length * factor, clamped to the descriptor minimum `min` (with a note).
double scaleLength(double length, double factor, double min, const std::string &name, Notes &notes)
{
    const double scaled = length * factor;
    if (scaled >= min)
        return scaled;
    notes.add(name + " clamped to " + formatNumber(min) + " px");
    return min;
}

/// A side of a custom kernel scaled by factor, keeping its parity (so the
/// anchor stays where it is): odd sides as scaleKernelSize, even ones the
/// nearest even size of at least 2.
int scaleCustomSide(int side, double factor, Notes &notes)
{
    if (side % 2 == 1)
        return scaleKernelSize(side, factor, notes);
    return static_cast<int>(2 * std::max(std::lround(side * factor / 2), 1L));
}

/// A custom kernel resampled like the image: each new tap averages the taps
/// it covers (area interpolation), scaled so that the sum of the taps, and
/// with it the response to flat and slowly varying areas, is kept.
FilterSpec scaleCustom(const CustomSpec &custom, double factor, Notes &notes)
{
    CustomSpec out = custom;
    out.rows = scaleCustomSide(custom.rows, factor, notes);
    out.cols = scaleCustomSide(custom.cols, factor, notes);
    if (out.rows == custom.rows && out.cols == custom.cols)
        return custom;
    const cv::Mat taps(custom.rows, custom.cols, CV_64F,
                       const_cast<double *>(custom.values.data()));
    cv::Mat resampled;
    cv::resize(taps, resampled, cv::Size(out.cols, out.rows), 0, 0, cv::INTER_AREA);
    // Keep the sum exactly (area interpolation works with float weights);
    // a zero-sum kernel keeps its scale through the ratio of the areas.
    const double sum = cv::sum(taps)[0];
    const double resampledSum = cv::sum(resampled)[0];
    if (std::abs(sum) > 1e-9 * cv::norm(taps, cv::NORM_L1) && resampledSum != 0)
        resampled *= sum / resampledSum;
    else
        resampled *= (static_cast<double>(custom.rows) * custom.cols) /
                     (static_cast<double>(out.rows) * out.cols);
    out.values.assign(resampled.begin<double>(), resampled.end<double>());
    try {
        validate(FilterSpec{out});
    } catch (const ParameterError &) {
        notes.add("custom kernel not scaled, shown at its full-resolution size");
        return custom;
    }
    notes.add("custom kernel resampled to " + std::to_string(out.rows) + " x " +
              std::to_string(out.cols));
    return out;
}

double minimumOf(FilterKind kind, std::string_view key)
{
    return findParameter(kind, key)->min;
}

FilterSpec scaleFilter(const FilterSpec &spec, double factor, Notes &notes)
{
    switch (kindOf(spec)) {
    case FilterKind::Identity:
        return spec;
    case FilterKind::Gabor: {
        GaborSpec g = std::get<GaborSpec>(spec);
        g.ksize = scaleKernelSize(g.ksize, factor, notes);
        g.sigma =
            scaleLength(g.sigma, factor, minimumOf(FilterKind::Gabor, "sigma"), "sigma", notes);
        g.lambda =
            scaleLength(g.lambda, factor, minimumOf(FilterKind::Gabor, "lambda"), "lambda", notes);
        return g;
    }
    case FilterKind::Gaussian: {
        GaussianSpec g = std::get<GaussianSpec>(spec);
        g.ksize = scaleKernelSize(g.ksize, factor, notes);
        g.sigma =
            scaleLength(g.sigma, factor, minimumOf(FilterKind::Gaussian, "sigma"), "sigma", notes);
        return g;
    }
    case FilterKind::Box: {
        BoxSpec b = std::get<BoxSpec>(spec);
        b.ksize = scaleKernelSize(b.ksize, factor, notes);
        return b;
    }
    case FilterKind::Derivative: {
        DerivativeSpec d = std::get<DerivativeSpec>(spec);
        d.ksize = std::max(scaleKernelSize(d.ksize, factor, notes),
                           static_cast<int>(minimumOf(FilterKind::Derivative, "ksize")));
        d.sigma = scaleLength(d.sigma, factor, minimumOf(FilterKind::Derivative, "sigma"), "sigma",
                              notes);
        return d;
    }
    case FilterKind::Custom:
        return scaleCustom(std::get<CustomSpec>(spec), factor, notes);
    }
    return spec;
}

Region scaleRegion(const Region &region, double factor, Notes &notes)
{
    Region out = region;
    const cv::Rect &r = region.rect;
    if (r.width > 0 && r.height > 0) {
        // The smallest rectangle of the small image that covers the area.
        const double x0 = std::floor(r.x * factor);
        const double y0 = std::floor(r.y * factor);
        const double x1 = std::ceil((static_cast<double>(r.x) + r.width) * factor);
        const double y1 = std::ceil((static_cast<double>(r.y) + r.height) * factor);
        out.rect = cv::Rect(static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0),
                            static_cast<int>(y1 - y0));
    } else {
        out.rect = cv::Rect(static_cast<int>(std::floor(r.x * factor)),
                            static_cast<int>(std::floor(r.y * factor)), r.width, r.height);
    }
    const auto descriptors = regionParameterDescriptors(region.method);
    const double minStrength = descriptors[0].min;
    switch (region.method) {
    case RegionMethod::Gaussian:
        out.strength = scaleLength(region.strength, factor, minStrength, "region sigma", notes);
        break;
    case RegionMethod::Pixelate: {
        const double cell = std::round(region.strength * factor);
        if (cell < minStrength)
            notes.add("region cell clamped to " + formatNumber(minStrength) + " px");
        out.strength = std::max(cell, minStrength);
        break;
    }
    case RegionMethod::Box:
        out.strength = scaleKernelSize(static_cast<int>(region.strength), factor, notes);
        break;
    }
    out.feather = static_cast<int>(std::lround(region.feather * factor));
    return out;
}

/// Sum of |taps|: how strongly a kernel responds to structure of its own scale.
double kernelMass(const FilterSpec &spec)
{
    return cv::norm(makeKernel(spec), cv::NORM_L1);
}

cv::Rect grown(const cv::Rect &r, int by)
{
    return {r.x - by, r.y - by, r.width + 2 * by, r.height + 2 * by};
}

} // namespace

ScaledDocument scaleDocument(const Document &document, double factor)
{
    if (!(factor > 0 && factor <= 1))
        throw std::invalid_argument("preview scale factor " + formatNumber(factor) +
                                    " is outside (0, 1]");
    validate(document);
    if (factor == 1)
        return {document, {}};

    Notes notes;
    ScaledDocument out{document, {}};
    out.document.filter = scaleFilter(document.filter, factor, notes);
    for (Region &region : out.document.regions)
        region = scaleRegion(region, factor, notes);

    DisplayMapping &display = out.document.display;
    const bool fixedGain =
        (display.mode == DisplayMode::Abs || display.mode == DisplayMode::Offset) &&
        display.gain > 0;
    if (fixedGain && out.document.filter != document.filter) {
        const double ratio = kernelMass(document.filter) / kernelMass(out.document.filter);
        if (std::isfinite(ratio) && ratio > 0 && std::isfinite(display.gain * ratio) &&
            display.gain * ratio > 0)
            display.gain *= ratio;
    }
    out.note = notes.text();
    validate(out.document);
    return out;
}

bool usesGlobalStatistics(const DisplayMapping &mapping)
{
    switch (mapping.mode) {
    case DisplayMode::Abs:
    case DisplayMode::Offset:
        return mapping.gain == 0;
    case DisplayMode::Normalize:
        return true;
    case DisplayMode::Clamp:
    case DisplayMode::Raw:
        return false;
    }
    return true;
}

int kernelRadius(const FilterSpec &spec, int imageDepth, const std::optional<BankSpec> &bank)
{
    validate(spec);
    switch (kindOf(spec)) {
    case FilterKind::Identity:
        return 0;
    case FilterKind::Gabor: {
        const auto &g = std::get<GaborSpec>(spec);
        if (!bank)
            return g.ksize / 2;
        validateBank(g, *bank);
        return bankKernelSize(g, *bank) / 2;
    }
    case FilterKind::Gaussian: {
        const auto &g = std::get<GaussianSpec>(spec);
        return (g.ksize > 0 ? g.ksize : automaticGaussianSize(g.sigma, imageDepth)) / 2;
    }
    case FilterKind::Box:
        return std::get<BoxSpec>(spec).ksize / 2;
    case FilterKind::Derivative:
        return std::get<DerivativeSpec>(spec).ksize / 2;
    case FilterKind::Custom: {
        // The anchor is at (cols / 2, rows / 2), the longer side of each axis.
        const auto &c = std::get<CustomSpec>(spec);
        return std::max(c.rows, c.cols) / 2;
    }
    }
    return 0;
}

int regionReach(const Region &region, int imageDepth)
{
    switch (region.method) {
    case RegionMethod::Gaussian:
        return automaticGaussianSize(region.strength, imageDepth) / 2 + region.feather;
    case RegionMethod::Box:
        return static_cast<int>(region.strength) / 2 + region.feather;
    case RegionMethod::Pixelate:
        // A pixel's cell (or, in the feather, its nearest cell) lies within
        // one cell of it.
        return static_cast<int>(region.strength) + region.feather;
    }
    return region.feather;
}

std::optional<cv::Rect> exactSourceRect(const Document &document, cv::Size imageSize,
                                        int imageDepth, const cv::Rect &visible)
{
    validate(document);
    if (usesGlobalStatistics(document.display))
        return std::nullopt;
    const cv::Rect whole(cv::Point(0, 0), imageSize);
    const cv::Rect target = visible & whole;
    if (target.empty())
        return std::nullopt;

    cv::Rect need = grown(target, kernelRadius(document.filter, imageDepth, document.bank));
    if (document.options.border == BorderMode::Wrap && (need & whole) != need)
        return std::nullopt;
    need &= whole;

    // Region k sees the result of regions 0..k-1; walking backwards, each
    // region that can change a needed pixel needs its own reach around them.
    for (auto region = document.regions.rbegin(); region != document.regions.rend(); ++region) {
        const cv::Rect inside = region->rect & whole;
        if (region->rect.width <= 0 || region->rect.height <= 0 || inside.empty())
            continue;
        if ((grown(inside, region->feather) & need).empty())
            continue;
        need = grown(need, regionReach(*region, imageDepth)) & whole;
    }
    return need;
}

Document cropDocument(const Document &document, const cv::Rect &crop)
{
    Document out = document;
    out.regions.clear();
    for (const Region &region : document.regions) {
        if (region.rect.width <= 0 || region.rect.height <= 0 || (region.rect & crop).empty())
            continue;
        Region moved = region;
        moved.rect -= crop.tl();
        out.regions.push_back(moved);
    }
    return out;
}

} // namespace ks
