// Exporting kernels (and Gabor banks) as CSV, NumPy .npy and JSON, and
// importing custom kernels from the same formats.
#pragma once

#include "filter_spec.h"

#include <opencv2/core/mat.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace ks {

/// A kernel file that cannot be read or written as asked; one line naming
/// the file and the reason ("weights.csv: row 3 has 4 values, row 1 has 5").
class KernelIoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class KernelLayout {
    Plain, ///< one kernel: (kh, kw); a bank of n: (n, kh, kw)
    Keras, ///< (kh, kw, 1, n): a Keras Conv2D weight / tf.nn.conv2d filter (both correlate, no flip)
};

enum class NpyType { Float64, Float32 };

/// N Gabor kernels with orientations theta + i * 180 / n degrees (i = 0..n-1,
/// taken modulo 360), the other parameters as in spec. n from 1 to 64.
std::vector<cv::Mat> gaborBank(const GaborSpec &spec, int n);

/// Writes kernels (CV_64FC1, all the same size) in the format of the
/// extension (.csv, .npy, .json), atomically. CSV: one kernel row per line,
/// values with full double precision (17 significant digits), banks as
/// blocks separated by an empty line (layout does not apply). NPY: version
/// 1.0, little-endian '<f8' or '<f4', C order, shape by layout. JSON:
/// {"format": "kernelscope-kernel", "version": 1, "filter": {...parameters},
/// "layout": "plain"|"keras", "shape": [...], "values": nested arrays}.
/// Throws KernelIoError (unknown extension, mismatched sizes) or FileError.
void saveKernels(const std::filesystem::path &path, const std::vector<cv::Mat> &kernels,
                 const FilterSpec &spec, KernelLayout layout = KernelLayout::Plain,
                 NpyType npyType = NpyType::Float64);

/// The CSV text saveKernels writes (for `kernelscope kernel -o -`).
std::string kernelsToCsv(const std::vector<cv::Mat> &kernels);

/// Reads a custom kernel from .csv (commas or whitespace between values, one
/// row per line, '#' comments), .npy (2-D, or 4-D (kh, kw, 1, 1); float64,
/// float32 or integer; C order) or .json (this program's kernel format or a
/// bare 2-D array). Throws KernelIoError naming the file and the problem:
/// ragged rows, non-numbers, NaN or infinities, empty, more than
/// kMaxCustomSize rows or columns, unsupported npy header. normalize is false.
CustomSpec loadCustomKernel(const std::filesystem::path &path);

/// Parses CSV / whitespace-separated text (the custom-kernel editor's paste).
/// name is used in messages.
CustomSpec parseKernelText(const std::string &text, const std::string &name);

} // namespace ks
