// The document: everything that turns a source image into an output, and the
// one pipeline that the GUI and the command line share.
#pragma once

#include "display.h"
#include "filter.h"
#include "gabor_bank.h"
#include "region_blur.h"

#include <optional>
#include <string>
#include <vector>

namespace ks {

struct Document {
    FilterSpec filter = IdentitySpec{};
    FilterOptions options;
    DisplayMapping display;
    std::vector<Region> regions;
    /// A Gabor filter bank: when set and the filter is Gabor, the response is
    /// the bank's combined response (applyBank) instead of the single
    /// kernel's. Ignored for the other filters (and not written to presets
    /// with them).
    std::optional<BankSpec> bank;
    bool operator==(const Document &) const = default;
};

/// Checks the filter, the bank when it applies (validateBank(spec, bank)) and
/// every region; throws ParameterError.
void validate(const Document &document);

struct PipelineOutput {
    cv::Mat blurred; ///< source after the region blurs (the source itself if none)
    Response response;
    cv::Mat output; ///< response after the display mapping: outputDepth, or CV_32F for Raw
    std::vector<std::string> warnings; ///< from the region blur
};

/// source -> region blurs -> filter (applyBank for a Gabor filter with a
/// bank, applyFilter otherwise) -> display mapping -> output.
/// outputDepth: CV_8U or CV_16U (ignored for DisplayMode::Raw, which gives
/// CV_32F). toleranceFraction: the filter's accuracy (see applyFilter).
/// Throws ParameterError, std::invalid_argument, Cancelled.
PipelineOutput runPipeline(const cv::Mat &source, const Document &document, int outputDepth,
                           const RunControl &control = {},
                           double toleranceFraction = kEngineTolerance);

} // namespace ks
