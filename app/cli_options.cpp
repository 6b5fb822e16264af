#include "cli_options.h"

#include "core/border.h"
#include "core/errors.h"
#include "core/filter.h"
#include "core/image_io.h"
#include "core/parameters.h"
#include "core/preset.h"

#include <opencv2/core/hal/interface.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

namespace ks {

namespace {

// ---------------------------------------------------------------------------
// The option table

enum class Section { Output, Filter, Bank, Display, Batch, Info };

/// An option that is not a filter parameter.
struct Option {
    std::string name;      ///< "--out-dir" or "-o"
    std::string valueName; ///< "DIR"; empty for an on/off switch
    bool forApply = false;
    bool forKernel = false;
    Section section = Section::Info;
    std::string help;
};

constexpr RegionMethod kRegionMethods[] = {RegionMethod::Gaussian, RegionMethod::Pixelate,
                                           RegionMethod::Box};

template <class Range, class NameOf> std::string joined(const Range &values, NameOf nameOf)
{
    std::string text;
    for (const auto &value : values) {
        if (!text.empty())
            text += '|';
        text += nameOf(value);
    }
    return text;
}

std::string filterChoices()
{
    return joined(kAllFilterKinds, filterName);
}

std::string borderChoices()
{
    return joined(kAllBorderModes, borderName);
}

std::string displayChoices()
{
    return joined(kAllDisplayModes, displayName);
}

std::string regionMethodChoices()
{
    return joined(kRegionMethods, regionMethodName);
}

constexpr BankCombine kBankCombines[] = {BankCombine::Max, BankCombine::Energy};

std::string combineChoices()
{
    return joined(kBankCombines, bankCombineName);
}

/// The bank descriptor behind an option: --bank N sets the orientations (the
/// name `kernel --bank` already had), --scales and --ratio their namesakes.
const ParamDescriptor *bankDescriptor(std::string_view option)
{
    const std::string_view key = option == "--bank" ? "orientations" : option.substr(2);
    for (const ParamDescriptor &d : bankParameterDescriptors())
        if (d.key == key)
            return &d;
    return nullptr;
}

unsigned defaultJobs()
{
    return std::max(1u, std::thread::hardware_concurrency());
}

const std::vector<Option> &fixedOptions()
{
    static const std::vector<Option> options = [] {
        constexpr bool yes = true;
        constexpr bool no = false;
        using enum Section;
        return std::vector<Option>{
            {"-o", "FILE", yes, no, Output,
             "Output image for a single INPUT; its extension sets the format."},
            {"--out-dir", "DIR", yes, no, Output,
             "Write each result to DIR/<input name>.<EXT>, creating DIR if needed."},
            {"--format", "EXT", yes, no, Output,
             "EXT of the files in --out-dir (png, jpg, tif, ...); default: each input's own."},
            {"--depth", "8|16|32f", yes, no, Output,
             "Bits per channel of the output; default 8, or 32f (float TIFF) with --display "
             "raw."},
            {"--quality", "Q", yes, no, Output, "JPEG and WebP quality, 1 to 100; default 95."},
            {"--overwrite", "", yes, no, Output, "Replace existing output files."},
            {"--force", "", yes, no, Output,
             "Allow writing over an input image (which also needs --overwrite)."},
            {"-o", "FILE", no, yes, Output,
             "Output file, .csv, .npy or .json; - writes CSV to standard output."},
            {"--layout", "plain|keras", no, yes, Output,
             "Shape in .npy and .json: plain (kh, kw) or (N, kh, kw); keras (kh, kw, 1, N). "
             "Default plain."},
            {"--float32", "", no, yes, Output, "Write .npy values as float32 (default float64)."},
            {"--preset", "FILE", yes, yes, Filter,
             "Start from this preset (JSON); the options here override it."},
            {"--filter", filterChoices(), yes, yes, Filter,
             "The filter; default " + std::string(filterName(FilterKind::Identity)) +
                 " (or the preset's)."},
            {"--kernel-file", "FILE", yes, yes, Filter,
             "Custom kernel from .csv, .txt, .npy or .json; implies --filter custom."},
            {"--border", borderChoices(), yes, no, Filter,
             "How the image is extended beyond its edges; default " +
                 std::string(borderName(FilterOptions{}.border)) + "."},
            {"--gray", "", yes, no, Filter,
             "Convert colour input to one grey channel before filtering."},
            {"--region", "X,Y,W,H[:METHOD=S][:feather=F]", yes, no, Filter,
             "Blur a rectangle before filtering; repeatable, see Regions below."},
            // The bank's options with an empty help take it from their
            // descriptor (bankDescriptor).
            {"--bank", "N", yes, no, Bank, ""},
            {"--bank", "N", no, yes, Bank,
             "Write N Gabor kernels, oriented theta + i * 180 / N degrees (i = 0..N-1); 1 to "
             "64, or 2 to 16 with more than one scale; default: the preset's bank, or one "
             "kernel."},
            {"--scales", "N", yes, yes, Bank, ""},
            {"--ratio", "X", yes, yes, Bank, ""},
            {"--combine", combineChoices(), yes, no, Bank,
             "How the responses combine: max, the largest response; energy, the largest "
             "sqrt(even^2 + odd^2) of psi 0 and psi 90 pairs (phase-invariant, the filter's psi "
             "ignored). Default " +
                 std::string(bankCombineName(BankSpec{}.combine)) + "."},
            {"--display", displayChoices(), yes, no, Display,
             "Mapping from the response to the output; default clamp for smoothing filters, "
             "offset otherwise (or the preset's)."},
            {"--gain", "G", yes, no, Display,
             "Factor for abs and offset, 0 or more; default 0, which fits the largest "
             "response."},
            {"--jobs", "N", yes, no, Batch,
             "Images processed in parallel, 1 to 1024; default " + std::to_string(defaultJobs()) +
                 " (the CPU threads)."},
            {"--shard", "K/N", yes, no, Batch,
             "Process only slice K of N of the inputs sorted by path: input i (from 0) belongs "
             "to slice i % N + 1."},
            {"--help", "", yes, yes, Info, "Show this help and exit."},
            {"--version", "", yes, yes, Info, "Show the version and exit."},
        };
    }();
    return options;
}

bool appliesTo(const Option &option, Subcommand command)
{
    return command == Subcommand::Apply ? option.forApply : option.forKernel;
}

/// A filter parameter as an option: "--" + key, for every key of every filter.
struct ParameterOption {
    std::string key;
    bool boolean = false; ///< an on/off switch rather than an option with a value
};

const std::vector<ParameterOption> &parameterOptions()
{
    static const std::vector<ParameterOption> options = [] {
        std::vector<ParameterOption> all;
        for (FilterKind kind : kAllFilterKinds)
            for (const ParamDescriptor &d : parameterDescriptors(kind))
                if (std::none_of(all.begin(), all.end(),
                                 [&](const ParameterOption &o) { return o.key == d.key; }))
                    all.push_back({d.key, d.type == ParamType::Boolean});
        return all;
    }();
    return options;
}

const ParameterOption *findParameterOption(std::string_view name)
{
    if (!name.starts_with("--"))
        return nullptr;
    name.remove_prefix(2);
    for (const ParameterOption &o : parameterOptions())
        if (o.key == name)
            return &o;
    return nullptr;
}

// ---------------------------------------------------------------------------
// Strict values

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string uppercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

/// The whole text as a number, or std::nullopt ("3x", "", " 3" are not numbers).
template <class Number> std::optional<Number> fullNumber(std::string_view text)
{
    Number value{};
    const char *end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || stop != end)
        return std::nullopt;
    return value;
}

double realValue(const std::string &option, const std::string &text)
{
    if (const auto value = fullNumber<double>(text))
        return *value;
    throw UsageError(option + ": '" + text + "' is not a number");
}

long long wholeValue(const std::string &option, const std::string &text, long long min,
                     long long max)
{
    const auto value = fullNumber<long long>(text);
    if (!value)
        throw UsageError(option + ": '" + text + "' is not a whole number");
    if (*value < min || *value > max)
        throw UsageError(option + " " + text + " is out of range: allowed " + std::to_string(min) +
                         " to " + std::to_string(max));
    return *value;
}

bool switchValue(const std::string &option, const std::string &text)
{
    if (text == "1" || text == "true")
        return true;
    if (text == "0" || text == "false")
        return false;
    throw UsageError(option + "=" + text + ": expected 0, 1, true or false");
}

std::string number(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

// ---------------------------------------------------------------------------
// Tokenizing

struct Given {
    std::string name;  ///< "--sigma"
    std::string value; ///< "2"; "1" or "0" for a switch
};

struct Arguments {
    std::vector<std::string> positionals;
    std::vector<Given> options;       ///< in command-line order, each name at most once
    std::vector<std::string> regions; ///< the values of every --region, in order

    const std::string *value(std::string_view name) const
    {
        for (const Given &given : options)
            if (given.name == name)
                return &given.value;
        return nullptr;
    }

    bool isOn(std::string_view name) const
    {
        const std::string *v = value(name);
        return v && *v == "1";
    }
};

/// Whether the option named takes a value; UsageError if the command has no such option.
bool takesValue(const std::string &name, Subcommand command)
{
    bool otherCommand = false;
    for (const Option &option : fixedOptions()) {
        if (option.name != name)
            continue;
        if (appliesTo(option, command))
            return !option.valueName.empty();
        otherCommand = true;
    }
    if (otherCommand)
        throw UsageError(name + " does not apply to '" + commandName(command) + "'");
    if (const ParameterOption *parameter = findParameterOption(name))
        return !parameter->boolean;
    throw UsageError("unknown option '" + name + "'; see '" + commandName(command) + " --help'");
}

Arguments tokenize(Subcommand command, std::span<const std::string> arguments)
{
    Arguments parsed;
    bool optionsEnded = false;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &argument = arguments[i];
        if (optionsEnded || argument == "-" || !argument.starts_with('-')) {
            parsed.positionals.push_back(argument);
            continue;
        }
        if (argument == "--") {
            optionsEnded = true;
            continue;
        }
        std::string name = argument;
        std::optional<std::string> attached; // --name=value
        if (const auto equals = argument.find('=');
            argument.starts_with("--") && equals != std::string::npos) {
            name = argument.substr(0, equals);
            attached = argument.substr(equals + 1);
        }
        std::string value;
        if (takesValue(name, command)) {
            if (attached)
                value = *attached;
            else if (i + 1 < arguments.size())
                value = arguments[++i];
            else
                throw UsageError(name + " needs a value");
        } else {
            value = !attached || switchValue(name, *attached) ? "1" : "0";
        }
        if (name == "--region") {
            parsed.regions.push_back(value);
            continue;
        }
        if (parsed.value(name))
            throw UsageError(name + " is given twice");
        parsed.options.push_back({name, value});
    }
    return parsed;
}

// ---------------------------------------------------------------------------
// From arguments to a document

/// The document to start from: the preset's, or the defaults.
struct Start {
    Document document;
    bool fromPreset = false;
    std::vector<std::string> warnings;
};

Start startingDocument(const Arguments &arguments)
{
    Start start;
    if (const std::string *path = arguments.value("--preset")) {
        PresetLoad load = loadPreset(*path);
        start.document = std::move(load.document);
        start.fromPreset = true;
        for (const std::string &warning : load.warnings)
            start.warnings.push_back("warning: " + warning); // names the file already
    }
    return start;
}

/// The preset's filter (or none) changed by --filter, --kernel-file and the
/// parameter options; validated.
FilterSpec buildFilter(const Arguments &arguments, FilterSpec spec)
{
    const std::string *chosen = arguments.value("--filter");
    const std::string *kernelFile = arguments.value("--kernel-file");
    if (chosen) {
        const std::optional<FilterKind> kind = parseFilterName(*chosen);
        if (!kind)
            throw UsageError("--filter " + *chosen + ": unknown filter; choose " + filterChoices());
        if (*kind != kindOf(spec))
            spec = defaultSpec(*kind);
    } else if (kernelFile && kindOf(spec) != FilterKind::Custom) {
        spec = CustomSpec{};
    }
    const FilterKind kind = kindOf(spec);
    const std::string filter(filterName(kind));
    if (kernelFile) {
        if (kind != FilterKind::Custom)
            throw UsageError("--kernel-file does not apply to the " + filter + " filter");
        CustomSpec loaded = loadCustomKernel(*kernelFile);
        loaded.normalize = std::get<CustomSpec>(spec).normalize;
        spec = std::move(loaded);
    }
    for (const Given &given : arguments.options) {
        if (!findParameterOption(given.name))
            continue;
        const std::string key = given.name.substr(2);
        if (!findParameter(kind, key))
            throw UsageError(given.name + " does not apply to the " + filter + " filter");
        setParameter(spec, key, realValue(given.name, given.value));
    }
    validate(spec);
    return spec;
}

} // namespace

Region parseRegion(const std::string &text, int index)
{
    const std::string option = "--region " + text;
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const std::size_t colon = text.find(':', start);
        parts.push_back(text.substr(start, colon - start));
        if (colon == std::string::npos)
            break;
        start = colon + 1;
    }

    std::vector<int> rect;
    for (std::size_t start = 0;;) {
        const std::size_t comma = parts[0].find(',', start);
        const auto value = fullNumber<int>(std::string_view(parts[0]).substr(start, comma - start));
        if (!value)
            break;
        rect.push_back(*value);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    if (rect.size() != 4 || std::count(parts[0].begin(), parts[0].end(), ',') != 3)
        throw UsageError(option + ": expected X,Y,W,H (whole numbers of pixels), then "
                                  "optionally :METHOD=STRENGTH and :feather=F");
    if (rect[2] < 1 || rect[3] < 1)
        throw UsageError(option + ": the width and height must be at least 1");
    constexpr long long kLargest = std::numeric_limits<int>::max();
    if (static_cast<long long>(rect[0]) + rect[2] > kLargest ||
        static_cast<long long>(rect[1]) + rect[3] > kLargest)
        throw UsageError(option + ": the rectangle reaches beyond the largest coordinate " +
                         std::to_string(kLargest));

    Region region;
    region.rect = cv::Rect(rect[0], rect[1], rect[2], rect[3]);
    region.strength = regionParameterDescriptors(region.method)[0].defaultValue;
    bool methodGiven = false;
    std::optional<double> feather;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::size_t equals = parts[i].find('=');
        const std::string name = parts[i].substr(0, equals);
        const std::optional<std::string> value =
            equals == std::string::npos ? std::nullopt
                                        : std::optional<std::string>(parts[i].substr(equals + 1));
        if (name == "feather") {
            if (feather || !value)
                throw UsageError(option + ": give feather=F once");
            feather = realValue(option, *value);
        } else if (const std::optional<RegionMethod> method = parseRegionMethodName(name)) {
            if (methodGiven)
                throw UsageError(option + ": give one blur method");
            methodGiven = true;
            region.method = *method;
            region.strength = value ? realValue(option, *value)
                                    : regionParameterDescriptors(*method)[0].defaultValue;
        } else {
            throw UsageError(option + ": unknown blur method '" + name + "'; choose " +
                             regionMethodChoices() + ", or feather");
        }
    }
    const std::string where = option + ": region " + std::to_string(index + 1) + ": ";
    if (feather) {
        for (const ParamDescriptor &d : regionParameterDescriptors(region.method))
            if (d.key == "feather")
                if (const auto problem = checkParameter(d, *feather))
                    throw UsageError(where + *problem);
        region.feather = static_cast<int>(*feather);
    }
    try {
        validateRegion(region, index);
    } catch (const ParameterError &e) {
        throw UsageError(option + ": " + e.what());
    }
    return region;
}

namespace {

DisplayMapping buildDisplay(const Arguments &arguments, const Start &start,
                            const FilterSpec &filter)
{
    DisplayMapping display =
        start.fromPreset ? start.document.display : DisplayMapping{defaultDisplayMode(filter), 0};
    if (const std::string *name = arguments.value("--display")) {
        const std::optional<DisplayMode> mode = parseDisplayName(*name);
        if (!mode)
            throw UsageError("--display " + *name + ": unknown display mapping; choose " +
                             displayChoices());
        display.mode = *mode;
    }
    if (const std::string *text = arguments.value("--gain")) {
        const double gain = realValue("--gain", *text);
        if (!std::isfinite(gain) || gain < 0)
            throw UsageError("--gain " + *text + " is out of range: allowed 0 or more");
        if (display.mode != DisplayMode::Abs && display.mode != DisplayMode::Offset)
            throw UsageError("--gain does not apply to --display " +
                             std::string(displayName(display.mode)) + " (only abs and offset)");
        display.gain = gain;
    }
    return display;
}

/// A bank option's value checked against its descriptor; the message names
/// the option when it differs from the descriptor's key (--bank N: orientations).
double bankValue(const std::string &option, const std::string &text)
{
    const ParamDescriptor &descriptor = *bankDescriptor(option);
    const double value = realValue(option, text);
    if (auto problem = checkParameter(descriptor, value)) {
        if (option == "--" + descriptor.key)
            throw ParameterError(descriptor.key, *problem);
        throw UsageError(option + " " + text + ": " + *problem);
    }
    return value;
}

/// The preset's bank (kept only while the filter is Gabor) changed by --bank,
/// --scales, --ratio and --combine; validated with the filter. kernel's
/// --bank takes 1 to 64 orientations (gaborBank) as long as the bank has one
/// scale.
std::optional<BankSpec> buildBank(const Arguments &arguments, Subcommand command,
                                  std::optional<BankSpec> bank, const FilterSpec &filter)
{
    const std::string names[] = {"--bank", "--scales", "--ratio", "--combine"};
    const auto *gabor = std::get_if<GaborSpec>(&filter);
    for (const std::string &name : names)
        if (arguments.value(name) && !gabor)
            throw UsageError(name + " does not apply to the " +
                             std::string(filterName(kindOf(filter))) + " filter (only gabor)");
    if (!gabor)
        return std::nullopt;

    const std::string *orientations = arguments.value("--bank");
    if (orientations) {
        if (!bank)
            bank = BankSpec{};
        bank->orientations = command == Subcommand::Kernel
                                 ? static_cast<int>(wholeValue("--bank", *orientations, 1, 64))
                                 : static_cast<int>(bankValue("--bank", *orientations));
    }
    for (const std::string &name : names) {
        const std::string *text = arguments.value(name);
        if (!text || name == "--bank")
            continue;
        if (!bank)
            throw UsageError(name + " needs --bank N (or a preset with a bank)");
        if (name == "--scales") {
            bank->scales = static_cast<int>(bankValue(name, *text));
        } else if (name == "--ratio") {
            bank->ratio = bankValue(name, *text);
        } else {
            const std::optional<BankCombine> combine = parseBankCombineName(*text);
            if (!combine)
                throw UsageError("--combine " + *text + ": unknown combination; choose " +
                                 combineChoices());
            bank->combine = *combine;
        }
    }
    if (!bank || (command == Subcommand::Kernel && bank->scales == 1))
        return bank; // gaborBank checks its own range
    try {
        validateBank(*gabor, *bank);
    } catch (const ParameterError &e) {
        // Only an orientation count from kernel --bank can be out of range here.
        if (e.key() == "orientations" && orientations)
            throw UsageError("--bank " + *orientations + ": " + e.what() +
                             " when the bank has more than one scale");
        throw;
    }
    return bank;
}

int buildDepth(const Arguments &arguments, DisplayMode mode)
{
    const bool raw = mode == DisplayMode::Raw;
    const std::string *text = arguments.value("--depth");
    if (!text)
        return raw ? CV_32F : CV_8U;
    int depth = 0;
    if (*text == "8")
        depth = CV_8U;
    else if (*text == "16")
        depth = CV_16U;
    else if (*text == "32f")
        depth = CV_32F;
    else
        throw UsageError("--depth " + *text + ": choose 8, 16 or 32f");
    if (raw && depth != CV_32F)
        throw UsageError("--display raw gives 32-bit float output: use --depth 32f or leave "
                         "--depth out");
    if (!raw && depth == CV_32F)
        throw UsageError("--depth 32f needs --display raw");
    return depth;
}

Shard parseShard(const std::string &text)
{
    const std::string option = "--shard " + text;
    const std::size_t slash = text.find('/');
    const auto index = fullNumber<int>(std::string_view(text).substr(0, slash));
    const auto count = slash == std::string::npos
                           ? std::nullopt
                           : fullNumber<int>(std::string_view(text).substr(slash + 1));
    if (!index || !count)
        throw UsageError(option + ": expected K/N, e.g. 2/4");
    if (*count < 1)
        throw UsageError(option + ": N must be at least 1");
    if (*index < 1 || *index > *count)
        throw UsageError(option + ": K must be from 1 to N (" + std::to_string(*count) + ")");
    return {*index, *count};
}

std::string withoutDot(const std::string &extension)
{
    return extension.starts_with('.') ? extension.substr(1) : extension;
}

// ---------------------------------------------------------------------------
// Help

constexpr std::size_t kHelpColumn = 24;
constexpr std::size_t kHelpWidth = 80;

/// The words of text in lines of at most width characters (a longer word
/// gets a line of its own).
std::vector<std::string> wrapped(const std::string &text, std::size_t width)
{
    std::vector<std::string> lines;
    std::string line;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t space = std::min(text.find(' ', start), text.size());
        const std::string word = text.substr(start, space - start);
        start = space + 1;
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            lines.push_back(line);
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty())
        lines.push_back(line);
    return lines;
}

/// "  left  text" with every paragraph of text wrapped and starting at
/// kHelpColumn; left gets a line of its own when it is too wide.
void addEntry(std::string &out, const std::string &left, const std::vector<std::string> &paragraphs)
{
    std::string line = "  " + left;
    if (line.size() + 2 > kHelpColumn) {
        out += line + '\n';
        line.clear();
    }
    for (const std::string &paragraph : paragraphs) {
        for (const std::string &text : wrapped(paragraph, kHelpWidth - kHelpColumn)) {
            line.resize(kHelpColumn, ' ');
            out += line + text + '\n';
            line.clear();
        }
    }
}

/// "0.1 to 100 px", "odd number, 1 to 301 px, or 0 for automatic", "0 or 1".
std::string rangeText(const ParamDescriptor &d)
{
    const std::string unit = d.unit.empty() ? "" : " " + d.unit;
    switch (d.type) {
    case ParamType::Real:
        return number(d.min) + " to " + number(d.max) + unit;
    case ParamType::Integer:
        return "whole number, " + number(d.min) + " to " + number(d.max) + unit;
    case ParamType::OddInteger:
        return "odd number, " + number(std::max(1.0, d.min)) + " to " + number(d.max) + unit +
               (d.zeroIsAuto ? ", or 0 for automatic" : "");
    case ParamType::Boolean:
        return "0 or 1";
    }
    return {};
}

std::string valueName(const ParamDescriptor &d)
{
    switch (d.type) {
    case ParamType::Real:
        return " X";
    case ParamType::Integer:
    case ParamType::OddInteger:
        return " N";
    case ParamType::Boolean:
        return "[=0|1]";
    }
    return {};
}

void addDescriptor(std::string &out, const std::string &left, const ParamDescriptor &d)
{
    addEntry(out, left, {rangeText(d) + "; default " + number(d.defaultValue), d.help});
}

void addSection(std::string &out, Subcommand command, Section section, const std::string &title)
{
    out += '\n' + title + ":\n";
    for (const Option &option : fixedOptions()) {
        if (option.section != section || !appliesTo(option, command))
            continue;
        const std::string left =
            option.name + (option.valueName.empty() ? "" : " " + option.valueName);
        if (const ParamDescriptor *d = bankDescriptor(option.name); d && option.help.empty())
            addDescriptor(out, left, *d);
        else
            addEntry(out, left, {option.help});
    }
}

void addFilterParameters(std::string &out)
{
    for (FilterKind kind : kAllFilterKinds) {
        const auto descriptors = parameterDescriptors(kind);
        if (descriptors.empty())
            continue;
        out += '\n' + std::string(filterLabel(kind)) + " filter (--filter " +
               std::string(filterName(kind)) + "):\n";
        for (const ParamDescriptor &d : descriptors)
            addDescriptor(out, "--" + d.key + valueName(d), d);
    }
}

void addRegions(std::string &out)
{
    out += "\nRegions (--region X,Y,W,H[:METHOD=S][:feather=F]):\n";
    addEntry(out, "X,Y,W,H",
             {"Rectangle in image pixels, whole numbers, W and H at least 1; it may reach "
              "beyond the image. Regions are blurred in order, after the preset's.",
              "METHOD is " + regionMethodChoices() + "; default " +
                  std::string(regionMethodName(Region{}.method)) + " with its default strength."});
    // Every method has the same feather parameter: list it once, last.
    std::optional<ParamDescriptor> feather;
    for (RegionMethod method : kRegionMethods) {
        for (const ParamDescriptor &d : regionParameterDescriptors(method)) {
            if (d.key == "feather")
                feather = d;
            else
                addDescriptor(out, std::string(regionMethodName(method)) + "=" + uppercase(d.key),
                              d);
        }
    }
    if (feather)
        addDescriptor(out, feather->key + "=" + uppercase(feather->key), *feather);
}

} // namespace

// ---------------------------------------------------------------------------

std::string commandName(Subcommand command)
{
    return command == Subcommand::Apply ? "kernelscope apply" : "kernelscope kernel";
}

std::optional<std::string> outputFormatProblem(const std::string &extension, int depth)
{
    const std::string name = withoutDot(extension);
    if (name.empty())
        return "no file extension to choose the image format";
    if (formatSupportsDepth(name, depth))
        return std::nullopt;
    const int depths[] = {CV_8U, CV_16U, CV_32F};
    if (std::none_of(std::begin(depths), std::end(depths),
                     [&](int d) { return formatSupportsDepth(name, d); }))
        return "cannot write ." + name + " images";
    return "." + name + " cannot hold " + depthName(depth) + " images";
}

std::optional<InfoRequest> infoRequest(std::span<const std::string> arguments)
{
    for (const std::string &argument : arguments) {
        if (argument == "--")
            break;
        if (argument == "--help" || argument == "-h")
            return InfoRequest::Help;
        if (argument == "--version")
            return InfoRequest::Version;
    }
    return std::nullopt;
}

ApplySettings parseApplyArguments(std::span<const std::string> arguments)
{
    const Arguments parsed = tokenize(Subcommand::Apply, arguments);
    ApplySettings settings;
    for (const std::string &input : parsed.positionals)
        settings.inputs.emplace_back(input);
    if (settings.inputs.empty())
        throw UsageError("apply needs an INPUT image or folder; see 'kernelscope apply --help'");

    Start start = startingDocument(parsed);
    settings.warnings = std::move(start.warnings);
    Document &document = settings.document;
    document = start.document;
    document.filter = buildFilter(parsed, start.document.filter);
    if (const std::string *name = parsed.value("--border")) {
        const std::optional<BorderMode> border = parseBorderName(*name);
        if (!border)
            throw UsageError("--border " + *name + ": unknown border mode; choose " +
                             borderChoices());
        document.options.border = *border;
    }
    if (parsed.value("--gray"))
        document.options.color = parsed.isOn("--gray") ? ColorMode::Gray : ColorMode::PerChannel;
    for (const std::string &text : parsed.regions)
        document.regions.push_back(parseRegion(text, static_cast<int>(document.regions.size())));
    document.bank = buildBank(parsed, Subcommand::Apply, start.document.bank, document.filter);
    document.display = buildDisplay(parsed, start, document.filter);
    validate(document);
    settings.depth = buildDepth(parsed, document.display.mode);

    const std::string *output = parsed.value("-o");
    const std::string *outDir = parsed.value("--out-dir");
    const std::string *format = parsed.value("--format");
    if (!output && !outDir)
        throw UsageError("apply needs -o FILE or --out-dir DIR");
    if (output && outDir)
        throw UsageError("-o and --out-dir cannot be used together");
    if (format && !outDir)
        throw UsageError("--format needs --out-dir (with -o the extension sets the format)");
    if (output) {
        settings.output = *output;
        if (const auto problem =
                outputFormatProblem(settings.output->extension().string(), settings.depth))
            throw UsageError("-o " + *output + ": " + *problem);
    }
    if (outDir)
        settings.outDir = *outDir;
    if (format) {
        settings.format = lowercase(withoutDot(*format));
        if (settings.format.empty() || settings.format.find('/') != std::string::npos)
            throw UsageError("--format '" + *format + "': expected an extension such as png");
        if (const auto problem = outputFormatProblem(settings.format, settings.depth))
            throw UsageError("--format " + *format + ": " + *problem);
    }

    if (const std::string *text = parsed.value("--quality"))
        settings.jpegQuality = static_cast<int>(wholeValue("--quality", *text, 1, 100));
    settings.jobs = defaultJobs();
    if (const std::string *text = parsed.value("--jobs"))
        settings.jobs = static_cast<unsigned>(wholeValue("--jobs", *text, 1, 1024));
    if (const std::string *text = parsed.value("--shard"))
        settings.shard = parseShard(*text);
    settings.overwrite = parsed.isOn("--overwrite");
    settings.force = parsed.isOn("--force");
    return settings;
}

KernelSettings parseKernelArguments(std::span<const std::string> arguments)
{
    const Arguments parsed = tokenize(Subcommand::Kernel, arguments);
    if (!parsed.positionals.empty())
        throw UsageError("unexpected argument '" + parsed.positionals.front() +
                         "': kernel takes no INPUT");
    KernelSettings settings;
    Start start = startingDocument(parsed);
    settings.warnings = std::move(start.warnings);
    settings.filter = buildFilter(parsed, start.document.filter);

    const std::string *output = parsed.value("-o");
    if (!output)
        throw UsageError("kernel needs -o FILE (.csv, .npy or .json), or -o - for CSV on "
                         "standard output");
    settings.output = *output;
    const std::string extension =
        *output == "-" ? "csv"
                       : lowercase(withoutDot(std::filesystem::path(*output).extension().string()));
    if (extension != "csv" && extension != "npy" && extension != "json")
        throw UsageError("-o " + *output +
                         ": the extension must be .csv, .npy or .json (or -o - for CSV on "
                         "standard output)");

    settings.bank = buildBank(parsed, Subcommand::Kernel, start.document.bank, settings.filter);
    if (const std::string *text = parsed.value("--layout")) {
        if (*text == "plain")
            settings.layout = KernelLayout::Plain;
        else if (*text == "keras")
            settings.layout = KernelLayout::Keras;
        else
            throw UsageError("--layout " + *text + ": choose plain or keras");
        if (extension == "csv")
            throw UsageError("--layout does not apply to CSV output (only .npy and .json)");
    }
    if (parsed.isOn("--float32")) {
        if (extension != "npy")
            throw UsageError("--float32 applies only to .npy output");
        settings.npyType = NpyType::Float32;
    }
    return settings;
}

std::string helpText(Subcommand command)
{
    std::string out;
    if (command == Subcommand::Apply) {
        out += "Usage: kernelscope apply INPUT... (-o FILE | --out-dir DIR [--format EXT])\n"
               "                         [OPTIONS]\n"
               "\n"
               "Runs each INPUT image through the pipeline (region blurs, filter, display\n"
               "mapping) and saves the result. A folder INPUT stands for the image files\n"
               "directly inside it. Options take a value as --name VALUE or --name=VALUE;\n"
               "switches are on as --name alone, or set with --name=0|1|true|false.\n"
               "Options override a --preset, which overrides the defaults.\n";
        addSection(out, command, Section::Output, "Output");
        addSection(out, command, Section::Filter, "Filter");
        addFilterParameters(out);
        addSection(out, command, Section::Bank, "Gabor bank (--filter gabor)");
        addRegions(out);
        addSection(out, command, Section::Display, "Display");
        addSection(out, command, Section::Batch, "Batch");
        addSection(out, command, Section::Info, "Information");
        out += "\nExit status: 0 all done, 1 some inputs failed, 2 usage or parameter error.\n";
    } else {
        out += "Usage: kernelscope kernel [OPTIONS] -o FILE.csv|FILE.npy|FILE.json|-\n"
               "\n"
               "Writes the correlation kernel of a filter, or a bank of Gabor kernels: N\n"
               "orientations times M scales, scale-major, all of the largest scale's size.\n"
               "Options take a value as --name VALUE or --name=VALUE; switches are on as\n"
               "--name alone, or set with --name=0|1|true|false. Options override the\n"
               "filter of a --preset, which overrides the defaults.\n";
        addSection(out, command, Section::Output, "Output");
        addSection(out, command, Section::Filter, "Filter");
        addFilterParameters(out);
        addSection(out, command, Section::Bank, "Gabor bank (--filter gabor)");
        addSection(out, command, Section::Info, "Information");
        out += "\nExit status: 0 done, 1 the file could not be written, 2 usage or parameter "
               "error.\n";
    }
    return out;
}

} // namespace ks
