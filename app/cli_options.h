// The options of the headless subcommands, turned into settings.
//
// The filter options (--ksize, --sigma, --theta, ...) are generated from the
// parameter descriptors (core/parameters.h) and the --region strengths from
// the region descriptors, so the command line, the sliders and presets share
// names, ranges and defaults. Precedence: defaults < --preset < options.
#pragma once

#include "core/document.h"
#include "core/kernel_io.h"

#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace ks {

enum class Subcommand { Apply, Kernel };

/// A command line that cannot be run as given (exit status 2). what() is one
/// line naming the option at fault.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Which slice of the sorted input list to process: input i (0-based) belongs
/// to shard i % count + 1.
struct Shard {
    int index = 1; ///< 1 to count
    int count = 1;
};

/// `kernelscope apply`.
struct ApplySettings {
    std::vector<std::filesystem::path> inputs;   ///< files and folders, as given (at least one)
    std::optional<std::filesystem::path> output; ///< -o: the one output file
    std::optional<std::filesystem::path> outDir; ///< --out-dir (exactly one of output, outDir)
    std::string format;   ///< --format: lower case, no dot; empty for the input's extension
    Document document;    ///< validated
    int depth = 0;        ///< CV_8U, CV_16U, or CV_32F exactly when the display is Raw
    int jpegQuality = 95; ///< 1..100
    unsigned jobs = 1;    ///< worker threads, at least 1
    Shard shard;
    bool overwrite = false;            ///< replace existing output files
    bool force = false;                ///< allow writing over an input image
    std::vector<std::string> warnings; ///< from the preset, ready to print
};

/// `kernelscope kernel`.
struct KernelSettings {
    FilterSpec filter; ///< validated
    /// A Gabor bank to write instead of the filter's one kernel (--bank, or
    /// the preset's): with one scale gaborBank's orientations (1 to 64),
    /// otherwise bankKernels (validated, the descriptors' ranges).
    std::optional<BankSpec> bank;
    KernelLayout layout = KernelLayout::Plain;
    NpyType npyType = NpyType::Float64;
    std::string output; ///< a .csv, .npy or .json path, or "-" for CSV on standard output
    std::vector<std::string> warnings; ///< from the preset, ready to print
};

/// What the arguments ask for before any parsing: --help or --version
/// anywhere before a "--" wins over everything else.
enum class InfoRequest { Help, Version };
std::optional<InfoRequest> infoRequest(std::span<const std::string> arguments);

/// Parse the arguments after the subcommand's name. Throw UsageError,
/// ParameterError, PresetError, KernelIoError or FileError (all exit status 2).
ApplySettings parseApplyArguments(std::span<const std::string> arguments);
KernelSettings parseKernelArguments(std::span<const std::string> arguments);

/// One --region value, "X,Y,W,H[:METHOD=S][:feather=F]"; index is the
/// region's place in the document's list (for messages). Throws UsageError
/// naming the option for anything it refuses, a strength or feather out of
/// its descriptor's range included.
Region parseRegion(const std::string &text, int index);

/// The --help text: every option with its range, unit, default and help.
std::string helpText(Subcommand command);

/// "kernelscope apply" or "kernelscope kernel", for messages.
std::string commandName(Subcommand command);

/// std::nullopt when images of this depth can be saved with this extension
/// ("png" or ".png", any case); otherwise why not, e.g. ".jpg cannot hold
/// 16-bit images".
std::optional<std::string> outputFormatProblem(const std::string &extension, int depth);

} // namespace ks
