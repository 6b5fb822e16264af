// Documents for previews: the same document at a smaller scale (the quick
// stage), and the crop of the source that determines the exact output over a
// visible rectangle (the visible-region-first stage).
#pragma once

#include "document.h"

#include <opencv2/core/types.hpp>

#include <optional>
#include <string>

namespace ks {

struct ScaledDocument {
    Document document; ///< always passes validate()
    /// Why the scaled document is not exactly the original at this scale,
    /// for the status bar: "preview: kernel too small at this zoom, shown at
    /// 3 px; lambda clamped to 2 px". Empty when nothing had to be adjusted.
    std::string note;
};

/// The document that, applied to the source resized by `factor` (pixels of
/// the small image per source pixel), looks like the exact result resized by
/// the same factor:
///
/// - Gabor sigma and lambda, Gaussian and Derivative sigma are multiplied by
///   factor; kernel sizes (Gabor, Gaussian, Box, Derivative) become the odd
///   size nearest to size * factor. A Gaussian ksize of 0 (automatic) stays 0.
///   A Gabor bank keeps its orientations, scales, ratio and combine: its
///   members derive from the scaled Gabor, so they scale with it (the bank's
///   kernel size follows from the scaled ksize by bankKernelSize).
/// - Values that would fall below their descriptor's minimum (sigma 0.1 px,
///   lambda 2 px) are clamped to it, and a kernel size of 3 or more that
///   would shrink below 3 is kept at 3: both are named in the note.
/// - Custom kernels are resampled like the image (area interpolation, taps
///   multiplied by the ratio of the areas so their sum is kept), each side to
///   the nearest size of the same parity (odd sides as kernel sizes above),
///   with a note; one whose resampled taps would be invalid is kept as it is.
/// - Regions: rectangles (covering the scaled area), Gaussian sigma, Box size
///   (odd), Pixelate cell (>= 1) and feather are scaled; clamps are noted.
/// - Abs and Offset mappings with a fixed gain get the gain multiplied by
///   L1(original kernel) / L1(scaled kernel), so the response of the scaled
///   filter on the scaled image keeps its brightness (a Gabor's response
///   grows with the area of its envelope, a derivative's falls with sigma).
///   With a bank the ratio is the Gabor spec's own: every member scales alike.
///
/// factor must be in (0, 1]; factor 1 returns the document unchanged.
/// Throws std::invalid_argument for another factor and ParameterError when
/// the document itself is invalid.
ScaledDocument scaleDocument(const Document &document, double factor);

/// True when the display mapping depends on statistics of the whole
/// response (Abs or Offset with automatic gain, Normalize): the output over
/// part of the image then cannot be computed from a crop.
bool usesGlobalStatistics(const DisplayMapping &mapping);

/// Half the width of the filter's kernel, in pixels, for an image of this
/// depth (a Gaussian with ksize 0 takes OpenCV's automatic size for it):
/// output pixel p depends on the region-blurred image within this distance.
/// A Gabor spec with a bank (Document::bank) reaches bankKernelSize / 2,
/// more than its own ksize / 2 when it has several scales; the bank is
/// ignored for other filters. Throws ParameterError for an invalid spec or
/// bank.
int kernelRadius(const FilterSpec &spec, int imageDepth,
                 const std::optional<BankSpec> &bank = std::nullopt);

/// How far a region's blur reaches beyond the pixel it changes: its blur
/// radius (or cell size for Pixelate) plus its feather, in pixels.
int regionReach(const Region &region, int imageDepth);

/// The rectangle of the source, `crop`, such that running the pipeline on
/// source(crop) with cropDocument(document, crop) computes every output pixel
/// over `visible` from the same source pixels, with the same borders, as the
/// whole source does: visible grown by the kernel radius (the bank's when
/// the document has one, see kernelRadius), then by the reach
/// of each region blur that can change a pixel of what is needed so far (last
/// region first), clipped to the image. The output over visible is then the
/// full run's wherever the engine's arithmetic for a pixel does not depend on
/// the pixel's place in the image. Where it does (the separable paths' row
/// tails, FFT block sizes, running sums over float images), the responses
/// agree to within the engine's rounding (last float bits), and a display
/// value can differ by one level only if it lies that close to a rounding
/// boundary.
///
/// std::nullopt when no crop gives the exact output: the display mapping uses
/// global statistics (usesGlobalStatistics), or the border is Wrap and the
/// grown rectangle leaves the image (the wrap would then come from the crop's
/// far side instead of the image's). visible is clipped to the image first;
/// an empty intersection gives std::nullopt too. Throws ParameterError for an
/// invalid document.
std::optional<cv::Rect> exactSourceRect(const Document &document, cv::Size imageSize,
                                        int imageDepth, const cv::Rect &visible);

/// The document to run on source(crop): the regions moved into the crop's
/// coordinates, those that do not meet the crop dropped (they change no
/// pixel of it and would only add "outside the image" warnings).
Document cropDocument(const Document &document, const cv::Rect &crop);

} // namespace ks
