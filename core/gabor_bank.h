// Gabor filter banks: N orientations times M scales of one Gabor spec, their
// kernels (for export and thumbnails) and their combined response on an image.
#pragma once

#include "filter.h"
#include "filter_spec.h"
#include "parameters.h"
#include "run_control.h"

#include <opencv2/core/mat.hpp>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ks {

/// How the bank's responses are combined into one response per pixel and channel.
enum class BankCombine {
    Max,    ///< the largest response over the bank's kernels (each with the spec's psi)
    Energy, ///< the largest local energy sqrt(even^2 + odd^2) over the bank's (orientation,
            ///< scale) pairs, where even uses psi = 0 and odd psi = 90 (the spec's psi is
            ///< ignored): a phase-invariant, non-negative response
};

/// max, energy.
std::string_view bankCombineName(BankCombine combine);
std::optional<BankCombine> parseBankCombineName(std::string_view name);

struct BankSpec {
    int orientations = 8; ///< N in [2, 16]: theta + i * 180 / N degrees, i = 0..N-1
    int scales = 1;       ///< M in [1, 4]: sigma and lambda multiplied by ratio^s, s = 0..M-1
    double ratio = 2.0;   ///< in [1.1, 4]
    BankCombine combine = BankCombine::Max;
    bool operator==(const BankSpec &) const = default;
};

/// "orientations" (Integer [2, 16]), "scales" (Integer [1, 4]) and "ratio"
/// (Real [1.1, 4]), defaults from BankSpec{}: drives the bank panel, the
/// command line (apply --bank N, --scales M, --ratio R) and presets.
std::span<const ParamDescriptor> bankParameterDescriptors();

/// Throws ParameterError naming the key ("orientations", "scales", "ratio")
/// when a value is out of range.
void validateBank(const BankSpec &bank);

/// validate(spec), validateBank(bank), and every member of the bank must be a
/// valid Gabor spec too: when the largest scale's sigma or lambda (times
/// ratio^(scales - 1)) leaves its descriptor's range, throws ParameterError
/// with key "scales" ("scales = 3 with ratio 4 takes the Gabor out of range
/// at scale 3: sigma = 640 is out of range: allowed 0.1 to 100 px").
void validateBank(const GaborSpec &spec, const BankSpec &bank);

/// The side of every kernel of the bank: the smallest odd size >= spec.ksize *
/// ratio^(scales - 1) (a product within a relative 1e-9 of a whole number
/// counts as that number), at most the Gabor ksize descriptor's maximum. All
/// kernels share it, so the bank exports as one (kh, kw, 1, N*M) array and
/// the largest scale's envelope is not cut off. Equals spec.ksize when
/// scales == 1. Does not validate.
int bankKernelSize(const GaborSpec &spec, const BankSpec &bank);

/// Orientation `index` of `orientations` at scale factor `scale`: theta_deg +
/// index * 180 / orientations taken modulo 360, sigma and lambda times scale,
/// the rest as in spec. Not validated. The one formula behind bankSpecs and
/// gaborBank (kernel_io.h, which allows 1 to 64 orientations).
GaborSpec bankMember(const GaborSpec &spec, int orientations, int index, double scale);

/// The N*M member specs, scale-major: index s * N + i is orientation i
/// (theta_deg + i * 180 / N, taken modulo 360) at scale s (sigma and lambda
/// times ratio^s), with ksize = bankKernelSize and gamma, psi as in spec.
/// With scales == 1 these are exactly gaborBank(spec, N)'s kernels' specs.
/// Throws ParameterError for an invalid spec or bank (validateBank(spec, bank)).
std::vector<GaborSpec> bankSpecs(const GaborSpec &spec, const BankSpec &bank);

/// makeKernel of each of bankSpecs (CV_64FC1, all bankKernelSize square).
std::vector<cv::Mat> bankKernels(const GaborSpec &spec, const BankSpec &bank);

/// The combined response of the bank (see BankCombine) on image, with the
/// same contract as applyFilter (depths, channels, alpha, options, tolerance,
/// cancellation). Runs applyFilter once per member (twice for Energy) and
/// keeps one running maximum, so memory stays at about three responses
/// whatever the bank's size. Energy runs its members at tolerance / sqrt(2),
/// so sqrt(e^2 + o^2) stays within the tolerance. Progress runs from 0 to 1
/// over all member filters; the stop token is checked between them too.
Response applyBank(const cv::Mat &image, const GaborSpec &spec, const BankSpec &bank,
                   const FilterOptions &options = {}, const RunControl &control = {},
                   double toleranceFraction = kEngineTolerance);

} // namespace ks
