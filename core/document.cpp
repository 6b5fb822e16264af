#include "document.h"

#include "errors.h"
#include "parameters.h"

#include <cmath>
#include <stdexcept>

namespace ks {

void validate(const Document &document)
{
    validate(document.filter);
    if (const auto *gabor = std::get_if<GaborSpec>(&document.filter); gabor && document.bank)
        validateBank(*gabor, *document.bank);
    const double gain = document.display.gain;
    if (!std::isfinite(gain) || gain < 0)
        throw ParameterError("gain", "gain = " + std::to_string(gain) +
                                         " must be a finite number >= 0 (0 = automatic)");
    for (std::size_t i = 0; i < document.regions.size(); ++i)
        validateRegion(document.regions[i], static_cast<int>(i));
}

PipelineOutput runPipeline(const cv::Mat &source, const Document &document, int outputDepth,
                           const RunControl &control, double toleranceFraction)
{
    validate(document);
    if (document.display.mode != DisplayMode::Raw && outputDepth != CV_8U && outputDepth != CV_16U)
        throw std::invalid_argument("output depth must be 8-bit or 16-bit unless the display "
                                    "mapping is raw");
    PipelineOutput out;
    // Region blurs take a small share of the time; the filter the rest.
    const bool haveRegions = !document.regions.empty();
    const double regionShare = haveRegions ? 0.2 : 0.0;
    if (haveRegions) {
        RunControl part{control.stop, nullptr};
        if (control.progress)
            part.progress = [&control, regionShare](double f) { control.report(f * regionShare); };
        RegionBlurResult blurred = applyRegionBlurs(source, document.regions, part);
        out.blurred = std::move(blurred.image);
        out.warnings = std::move(blurred.warnings);
    } else {
        out.blurred = source;
    }
    RunControl part{control.stop, nullptr};
    if (control.progress)
        part.progress = [&control, regionShare](double f) {
            control.report(regionShare + f * (1 - regionShare));
        };
    if (const auto *gabor = std::get_if<GaborSpec>(&document.filter); gabor && document.bank)
        out.response = applyBank(out.blurred, *gabor, *document.bank, document.options, part,
                                 toleranceFraction);
    else
        out.response =
            applyFilter(out.blurred, document.filter, document.options, part, toleranceFraction);
    control.checkpoint();
    out.output = mapForDisplay(out.response, document.display, outputDepth);
    return out;
}

} // namespace ks
