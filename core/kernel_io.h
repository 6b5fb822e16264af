// Exporting kernels (and Gabor banks) as CSV, NumPy .npy and JSON, and
// importing custom kernels from the same formats.
#pragma once

#include "filter_spec.h"

#include <opencv2/core/mat.hpp>

#include <cstddef>
#include <filesystem>
#include <span>
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
    Keras, ///< (kh, kw, 1, n): a Keras Conv2D weight / tf.nn.conv2d filter (both correlate, no
           ///< flip)
};

enum class NpyType { Float64, Float32 };

/// N Gabor kernels with orientations theta + i * 180 / n degrees (i = 0..n-1,
/// taken modulo 360), the other parameters as in spec: kernel i equals
/// makeKernel of spec with that theta (bankMember(spec, n, i, 1), gabor_bank.h;
/// for 2 <= n <= 16 these are bankKernels with one scale). Throws
/// ParameterError with key "bank" unless 1 <= n <= 64, and for an invalid
/// spec.
std::vector<cv::Mat> gaborBank(const GaborSpec &spec, int n);

/// Writes kernels (CV_64FC1, all the same size, finite) in the format of the
/// extension (.csv, .npy, .json; case-insensitive), atomically.
///  - CSV: one kernel row per line, values separated by ',', each the
///    shortest text that reads back to the same double (std::to_chars, at
///    most 17 significant digits); a bank is blocks separated by one empty
///    line. The layout does not apply.
///  - NPY: format version 1.0, C order, '<f8' (or '<f4' for NpyType::Float32,
///    refused when a value overflows float32), shape by layout. The header is
///    "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }" padded
///    with spaces and ended by '\n' so that data starts at a multiple of 64
///    bytes (a 3 x 3 kernel: 10-byte preamble, header length 118, data at 128).
///  - JSON: {"format": "kernelscope-kernel", "version": 1, "filter": {"type":
///    filterName, descriptor key: value, ...; custom adds "rows", "cols"},
///    "layout": "plain"|"keras", "shape": [...], "values": nested arrays of
///    that shape}, each innermost array on one line.
/// spec only labels the JSON file; it is not checked against the kernels.
/// Throws KernelIoError (unknown extension, no kernels, mismatched sizes,
/// non-finite values) or FileError (writeFileAtomically).
void saveKernels(const std::filesystem::path &path, const std::vector<cv::Mat> &kernels,
                 const FilterSpec &spec, KernelLayout layout = KernelLayout::Plain,
                 NpyType npyType = NpyType::Float64);

/// The CSV text saveKernels writes (for `kernelscope kernel -o -`); throws
/// KernelIoError for kernels saveKernels would refuse.
std::string kernelsToCsv(const std::vector<cv::Mat> &kernels);

/// Reads a custom kernel (normalize false) by extension:
///  - .csv or .txt: one row per line, values separated by commas and/or
///    whitespace, '#' starts a comment to the end of the line, blank lines
///    allowed before and after the rows (an empty line between rows is a
///    bank and refused).
///  - .npy: versions 1.0 to 3.0; '<f8', '<f4', signed and unsigned integers
///    of 1 to 8 bytes, either byte order; C or Fortran order; shape (kh, kw),
///    (1, kh, kw) or (kh, kw, 1, 1). The data must be exactly as long as the
///    header says.
///  - .json: this program's kernel format holding one kernel (banks are
///    refused), or a bare 2-D array of numbers.
/// Throws KernelIoError, one line "<path>: <reason>" (ragged rows,
/// non-numbers, NaN or infinities, empty, more than kMaxCustomSize rows or
/// columns, unsupported or truncated .npy), or FileError when the file
/// cannot be read.
CustomSpec loadCustomKernel(const std::filesystem::path &path);

/// Like loadCustomKernel, from the bytes of a file already in memory: the
/// extension of name chooses the format, and name starts the KernelIoError
/// messages. Never throws FileError.
CustomSpec parseCustomKernel(std::span<const std::byte> bytes, const std::filesystem::path &name);

/// Parses CSV / whitespace-separated text (the custom-kernel editor's paste)
/// by the rules of a .csv file; name starts the KernelIoError messages.
CustomSpec parseKernelText(const std::string &text, const std::string &name);

} // namespace ks
