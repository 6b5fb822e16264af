#include "preset.h"

#include "atomic_file.h"
#include "errors.h"
#include "parameters.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <span>
#include <utility>

namespace ks {

namespace {

// Ordered, so that a saved preset lists its members in a readable order and
// warnings about a loaded one come in the file's order.
using Json = nlohmann::ordered_json;

constexpr double kIntMin = std::numeric_limits<int>::min();
constexpr double kIntMax = std::numeric_limits<int>::max();

// Whole-number members that are not filter parameters, checked like them so
// their messages read the same ("width = -5 must be a whole number from 0 to
// 2147483647 px").
ParamDescriptor wholeNumber(std::string key, double min, double max, std::string unit)
{
    return {std::move(key), "", std::move(unit), min, max, 0, 1, ParamType::Integer, false, ""};
}

const ParamDescriptor kRegionX = wholeNumber("x", kIntMin, kIntMax, "px");
const ParamDescriptor kRegionY = wholeNumber("y", kIntMin, kIntMax, "px");
const ParamDescriptor kRegionWidth = wholeNumber("width", 0, kIntMax, "px");
const ParamDescriptor kRegionHeight = wholeNumber("height", 0, kIntMax, "px");
const ParamDescriptor kMatrixRows = wholeNumber("rows", 0, kIntMax, "");
const ParamDescriptor kMatrixCols = wholeNumber("cols", 0, kIntMax, "");

// ------------------------------------------------------------------ names

constexpr BankCombine kAllBankCombines[] = {BankCombine::Max, BankCombine::Energy};

// The colour modes have no machine names elsewhere yet; presets define them.
constexpr ColorMode kAllColorModes[] = {ColorMode::PerChannel, ColorMode::Gray};

std::string_view colorName(ColorMode mode)
{
    return mode == ColorMode::Gray ? "gray" : "per-channel";
}

std::optional<ColorMode> parseColorName(std::string_view name)
{
    for (ColorMode mode : kAllColorModes)
        if (colorName(mode) == name)
            return mode;
    return std::nullopt;
}

/// "a, b, c or d".
template <class Range, class NameOf> std::string alternatives(const Range &values, NameOf nameOf)
{
    std::string text;
    const std::size_t n = std::size(values);
    std::size_t i = 0;
    for (const auto &value : values) {
        if (i > 0)
            text += i + 1 == n ? " or " : ", ";
        text += nameOf(value);
        ++i;
    }
    return text;
}

/// Text taken from the file, made safe for a one-line message: control
/// characters escaped, long text shortened.
std::string printable(std::string_view text)
{
    constexpr std::size_t kLongest = 60;
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < kLongest; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > kLongest)
        out += "...";
    return out;
}

// ------------------------------------------------------------------ paths and errors

/// A JSON Pointer, e.g. "/regions/2/width"; "" is the whole document.
class Path {
public:
    Path operator/(std::string_view key) const
    {
        std::string token;
        for (char c : key) {
            if (c == '~')
                token += "~0";
            else if (c == '/')
                token += "~1";
            else
                token += c;
        }
        return Path(text_ + "/" + printable(token));
    }
    Path operator/(std::size_t index) const { return Path(text_ + "/" + std::to_string(index)); }
    const std::string &text() const { return text_; }

private:
    explicit Path(std::string text) : text_(std::move(text)) {}
    friend Path root();
    std::string text_;
};

Path root()
{
    return Path("");
}

[[noreturn]] void fail(const Path &path, const std::string &problem)
{
    throw PresetError(path.text() + ": " + problem);
}

std::string typeName(const Json &value)
{
    switch (value.type()) {
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::string:
        return "a string";
    case Json::value_t::boolean:
        return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
        return "a number";
    default:
        return "null";
    }
}

// ------------------------------------------------------------------ reading values

void requireObject(const Json &value, const Path &path)
{
    if (!value.is_object())
        fail(path, "expected an object, got " + typeName(value));
}

const Json *member(const Json &object, const char *key)
{
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const Json &requiredMember(const Json &object, const Path &path, const char *key)
{
    const Json *value = member(object, key);
    if (!value)
        fail(path / key, "missing");
    return *value;
}

std::string readString(const Json &value, const Path &path)
{
    if (!value.is_string())
        fail(path, "expected a string, got " + typeName(value));
    return value.get<std::string>();
}

double readNumber(const Json &value, const Path &path)
{
    if (!value.is_number())
        fail(path, "expected a number, got " + typeName(value));
    return value.get<double>();
}

/// A number checked against a descriptor (range, whole, odd).
double readChecked(const Json &value, const Path &path, const ParamDescriptor &descriptor)
{
    const double number = readNumber(value, path);
    if (auto problem = checkParameter(descriptor, number))
        fail(path, *problem);
    return number;
}

int readWhole(const Json &value, const Path &path, const ParamDescriptor &descriptor)
{
    return static_cast<int>(readChecked(value, path, descriptor));
}

/// A machine name from a fixed list, e.g. a border mode.
template <class Range, class NameOf, class Parse>
auto readName(const Json &value, const Path &path, std::string_view what, const Range &all,
              NameOf nameOf, Parse parse)
{
    const std::string name = readString(value, path);
    const auto parsed = parse(name);
    if (!parsed)
        fail(path, "unknown " + std::string(what) + " '" + printable(name) + "' (expected " +
                       alternatives(all, [&](const auto &v) { return std::string(nameOf(v)); }) +
                       ")");
    return *parsed;
}

struct Reader {
    std::vector<std::string> warnings;

    void unknownKey(const Path &path)
    {
        warnings.push_back(path.text() + ": unknown key, ignored");
    }
};

// ------------------------------------------------------------------ the parts of a preset

void readParameter(FilterSpec &spec, const ParamDescriptor &descriptor, const Json &value,
                   const Path &path)
{
    double number = 0;
    if (descriptor.type == ParamType::Boolean) {
        if (!value.is_boolean())
            fail(path, "expected true or false, got " + typeName(value));
        number = value.get<bool>() ? 1 : 0;
    } else {
        number = readNumber(value, path);
    }
    try {
        setParameter(spec, descriptor.key, number);
    } catch (const ParameterError &e) {
        fail(path, e.what());
    }
}

/// "values" (an array of rows), with "rows" and "cols" that must agree with it.
/// Without any of them the custom filter keeps its default matrix.
void readMatrix(CustomSpec &custom, const Json &filter, const Path &path)
{
    const Json *values = member(filter, "values");
    const Json *rows = member(filter, "rows");
    const Json *cols = member(filter, "cols");
    const Path valuesPath = path / "values";
    if (!values) {
        if (rows || cols)
            fail(valuesPath, "missing (rows and cols need the matrix itself)");
        return;
    }
    if (!values->is_array())
        fail(valuesPath, "expected an array of rows, got " + typeName(*values));
    std::vector<double> taps;
    std::size_t width = 0;
    for (std::size_t i = 0; i < values->size(); ++i) {
        const Json &row = (*values)[i];
        const Path rowPath = valuesPath / i;
        if (!row.is_array())
            fail(rowPath, "expected a row (an array of numbers), got " + typeName(row));
        if (i == 0)
            width = row.size();
        else if (row.size() != width)
            fail(rowPath, "ragged matrix: this row has " + std::to_string(row.size()) +
                              " values, the first has " + std::to_string(width));
        for (std::size_t j = 0; j < row.size(); ++j)
            taps.push_back(readNumber(row[j], rowPath / j));
    }
    // Sizes beyond int are refused by validate() as too large.
    const auto clampToInt = [](std::size_t n) {
        return static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(kIntMax)));
    };
    custom.rows = clampToInt(values->size());
    custom.cols = clampToInt(width);
    custom.values = std::move(taps);

    const auto checkSize = [&](const Json *given, const ParamDescriptor &descriptor, int actual,
                               const char *what) {
        if (!given)
            return;
        const Path sizePath = path / descriptor.key;
        const int size = readWhole(*given, sizePath, descriptor);
        if (size != actual)
            fail(sizePath, descriptor.key + " = " + std::to_string(size) + " does not match " +
                               valuesPath.text() + ", which has " + std::to_string(actual) + " " +
                               what);
    };
    checkSize(rows, kMatrixRows, custom.rows, "rows");
    if (custom.rows > 0) // an empty matrix has no column count to compare with
        checkSize(cols, kMatrixCols, custom.cols, "columns");
}

FilterSpec readFilter(const Json &filter, const Path &path, Reader &reader)
{
    requireObject(filter, path);
    const Path typePath = path / "type";
    const FilterKind kind = readName(requiredMember(filter, path, "type"), typePath, "filter",
                                     kAllFilterKinds, filterName, parseFilterName);
    FilterSpec spec = defaultSpec(kind);
    const bool custom = kind == FilterKind::Custom;
    for (const auto &[key, value] : filter.items()) {
        if (key == "type" || (custom && (key == "rows" || key == "cols" || key == "values")))
            continue;
        if (const ParamDescriptor *descriptor = findParameter(kind, key))
            readParameter(spec, *descriptor, value, path / key);
        else
            reader.unknownKey(path / key);
    }
    if (custom)
        readMatrix(std::get<CustomSpec>(spec), filter, path);
    try {
        validate(spec);
    } catch (const ParameterError &e) {
        // A bad matrix was read from "values": the default one is valid.
        fail(path / (e.key() == "matrix" ? "values" : e.key()), e.what());
    }
    return spec;
}

/// "bank": orientations, scales and ratio checked against their descriptors,
/// "combine" by name; a member left out keeps BankSpec's default.
BankSpec readBank(const Json &object, const Path &path, Reader &reader)
{
    requireObject(object, path);
    BankSpec bank;
    const auto descriptors = bankParameterDescriptors();
    for (const auto &[key, value] : object.items()) {
        const Path at = path / key;
        if (key == "combine") {
            bank.combine = readName(value, at, "bank combination", kAllBankCombines,
                                    bankCombineName, parseBankCombineName);
            continue;
        }
        const auto d =
            std::find_if(descriptors.begin(), descriptors.end(),
                         [&name = key](const ParamDescriptor &p) { return p.key == name; });
        if (d == descriptors.end())
            reader.unknownKey(at);
        else if (d->key == "orientations")
            bank.orientations = readWhole(value, at, *d);
        else if (d->key == "scales")
            bank.scales = readWhole(value, at, *d);
        else
            bank.ratio = readChecked(value, at, *d);
    }
    return bank;
}

std::optional<std::string> gainProblem(double gain)
{
    if (std::isfinite(gain) && gain >= 0)
        return std::nullopt;
    char text[64];
    std::snprintf(text, sizeof text, "%.10g", gain);
    return "gain = " + std::string(text) + " must be a finite number >= 0 (0 = automatic)";
}

DisplayMapping readDisplay(const Json &display, const Path &path, Reader &reader)
{
    requireObject(display, path);
    DisplayMapping mapping;
    for (const auto &[key, value] : display.items()) {
        const Path at = path / key;
        if (key == "mode") {
            mapping.mode = readName(value, at, "display mode", kAllDisplayModes, displayName,
                                    parseDisplayName);
        } else if (key == "gain") {
            mapping.gain = readNumber(value, at);
            if (auto problem = gainProblem(mapping.gain))
                fail(at, *problem);
        } else {
            reader.unknownKey(at);
        }
    }
    return mapping;
}

constexpr RegionMethod kAllRegionMethods[] = {RegionMethod::Gaussian, RegionMethod::Pixelate,
                                              RegionMethod::Box};

/// The key and problem of a rectangle whose far edge lies beyond int.
std::optional<std::pair<std::string, std::string>> rectProblem(const cv::Rect &rect)
{
    const auto edge = [](const char *start, int origin, const char *size,
                         int extent) -> std::optional<std::pair<std::string, std::string>> {
        const std::int64_t end = std::int64_t{origin} + extent;
        if (end <= std::int64_t{std::numeric_limits<int>::max()})
            return std::nullopt;
        return std::pair<std::string, std::string>{
            size, std::string(start) + " + " + size + " = " + std::to_string(end) +
                      " is beyond the largest coordinate " +
                      std::to_string(std::numeric_limits<int>::max())};
    };
    if (auto problem = edge("x", rect.x, "width", rect.width))
        return problem;
    return edge("y", rect.y, "height", rect.height);
}

Region readRegion(const Json &object, const Path &path, Reader &reader)
{
    requireObject(object, path);
    Region region;
    if (const Json *method = member(object, "method"))
        region.method = readName(*method, path / "method", "region method", kAllRegionMethods,
                                 regionMethodName, parseRegionMethodName);
    const auto descriptors = regionParameterDescriptors(region.method);
    region.strength = descriptors[0].defaultValue;
    region.feather = static_cast<int>(descriptors[1].defaultValue);
    for (const auto &[key, value] : object.items()) {
        const Path at = path / key;
        if (key == "x")
            region.rect.x = readWhole(value, at, kRegionX);
        else if (key == "y")
            region.rect.y = readWhole(value, at, kRegionY);
        else if (key == "width")
            region.rect.width = readWhole(value, at, kRegionWidth);
        else if (key == "height")
            region.rect.height = readWhole(value, at, kRegionHeight);
        else if (key == descriptors[0].key)
            region.strength = readChecked(value, at, descriptors[0]);
        else if (key == descriptors[1].key)
            region.feather = readWhole(value, at, descriptors[1]);
        else if (key != "method")
            reader.unknownKey(at);
    }
    for (const char *required : {"x", "y", "width", "height"})
        requiredMember(object, path, required);
    if (auto problem = rectProblem(region.rect))
        fail(path / problem->first, problem->second);
    return region;
}

std::vector<Region> readRegions(const Json &regions, const Path &path, Reader &reader)
{
    if (!regions.is_array())
        fail(path, "expected an array, got " + typeName(regions));
    std::vector<Region> list;
    for (std::size_t i = 0; i < regions.size(); ++i)
        list.push_back(readRegion(regions[i], path / i, reader));
    return list;
}

void readHeader(const Json &preset)
{
    const Path formatPath = root() / "format";
    const Json *format = member(preset, "format");
    if (!format)
        fail(formatPath, "missing: this is not a Kernelscope preset (expected \"" +
                             std::string(kPresetFormat) + "\")");
    const std::string name = readString(*format, formatPath);
    if (name != kPresetFormat)
        fail(formatPath, "'" + printable(name) + "' is not a Kernelscope preset (expected \"" +
                             std::string(kPresetFormat) + "\")");

    const Path versionPath = root() / "version";
    const std::string supported =
        "this Kernelscope reads version " + std::to_string(kPresetVersion);
    const Json *version = member(preset, "version");
    if (!version)
        fail(versionPath, "missing (" + supported + ")");
    if (readNumber(*version, versionPath) != kPresetVersion)
        fail(versionPath, "version " + version->dump() + " is not supported: " + supported);
}

// ------------------------------------------------------------------ writing

/// The number a descriptor's type calls for: true/false, an integer or a double.
Json numberFor(const ParamDescriptor &descriptor, double value)
{
    switch (descriptor.type) {
    case ParamType::Boolean:
        return value != 0;
    case ParamType::Integer:
    case ParamType::OddInteger:
        return static_cast<std::int64_t>(value);
    case ParamType::Real:
        break;
    }
    return value;
}

Json filterJson(const FilterSpec &spec)
{
    const FilterKind kind = kindOf(spec);
    Json filter = Json::object();
    filter["type"] = std::string(filterName(kind));
    if (const auto *custom = std::get_if<CustomSpec>(&spec)) {
        filter["rows"] = custom->rows;
        filter["cols"] = custom->cols;
        Json rows = Json::array();
        const auto cols = static_cast<std::size_t>(custom->cols);
        for (std::size_t r = 0; r < static_cast<std::size_t>(custom->rows); ++r) {
            const auto first = custom->values.begin() + static_cast<std::ptrdiff_t>(r * cols);
            rows.push_back(
                Json(std::vector<double>(first, first + static_cast<std::ptrdiff_t>(cols))));
        }
        filter["values"] = std::move(rows);
    }
    for (const ParamDescriptor &descriptor : parameterDescriptors(kind))
        filter[descriptor.key] = numberFor(descriptor, parameterValue(spec, descriptor.key));
    return filter;
}

Json bankJson(const BankSpec &bank)
{
    Json object = Json::object();
    object["orientations"] = bank.orientations;
    object["scales"] = bank.scales;
    object["ratio"] = bank.ratio;
    object["combine"] = std::string(bankCombineName(bank.combine));
    return object;
}

Json regionJson(const Region &region)
{
    const auto descriptors = regionParameterDescriptors(region.method);
    Json object = Json::object();
    object["x"] = region.rect.x;
    object["y"] = region.rect.y;
    object["width"] = region.rect.width;
    object["height"] = region.rect.height;
    object["method"] = std::string(regionMethodName(region.method));
    object[descriptors[0].key] = numberFor(descriptors[0], region.strength);
    object[descriptors[1].key] = numberFor(descriptors[1], region.feather);
    return object;
}

/// Refuses what presetFromJson would refuse, so that a saved preset loads.
void checkWritable(const Document &document)
{
    validate(document);
    if (auto problem = gainProblem(document.display.gain))
        throw ParameterError("gain", *problem);
    for (std::size_t i = 0; i < document.regions.size(); ++i) {
        const Region &region = document.regions[i];
        const std::string name = "region " + std::to_string(i + 1) + ": ";
        const std::pair<const ParamDescriptor *, int> sizes[] = {
            {&kRegionWidth, region.rect.width}, {&kRegionHeight, region.rect.height}};
        for (const auto &[descriptor, value] : sizes)
            if (auto problem = checkParameter(*descriptor, value))
                throw ParameterError(descriptor->key, name + *problem);
        if (auto problem = rectProblem(region.rect))
            throw ParameterError(problem->first, name + problem->second);
    }
}

/// Like Json::dump(2), but an array of plain values (a matrix row) stays on
/// one line, so a kernel reads as a grid.
void print(const Json &value, int indent, std::string &out)
{
    const auto structured = [](const Json &v) { return v.is_structured(); };
    const bool flat = value.is_array() && std::none_of(value.begin(), value.end(), structured);
    if (!value.is_structured() || value.empty() || flat) {
        if (flat && !value.empty()) {
            out += '[';
            for (std::size_t i = 0; i < value.size(); ++i)
                out += (i ? ", " : "") + value[i].dump();
            out += ']';
        } else {
            out += value.dump();
        }
        return;
    }
    const std::string inner(static_cast<std::size_t>(indent + 2), ' ');
    out += value.is_object() ? "{\n" : "[\n";
    bool first = true;
    const auto separator = [&] {
        out += first ? "" : ",\n";
        first = false;
        out += inner;
    };
    if (value.is_object()) {
        for (const auto &[key, item] : value.items()) {
            separator();
            out += Json(key).dump() + ": ";
            print(item, indent + 2, out);
        }
    } else {
        for (const Json &item : value) {
            separator();
            print(item, indent + 2, out);
        }
    }
    out +=
        '\n' + std::string(static_cast<std::size_t>(indent), ' ') + (value.is_object() ? '}' : ']');
}

} // namespace

std::string presetToJson(const Document &document)
{
    checkWritable(document);
    Json preset = Json::object();
    preset["format"] = std::string(kPresetFormat);
    preset["version"] = kPresetVersion;
    preset["filter"] = filterJson(document.filter);
    if (kindOf(document.filter) == FilterKind::Gabor && document.bank)
        preset["bank"] = bankJson(*document.bank);
    preset["color"] = std::string(colorName(document.options.color));
    preset["border"] = std::string(borderName(document.options.border));
    preset["display"] = Json::object({{"mode", std::string(displayName(document.display.mode))},
                                      {"gain", document.display.gain}});
    Json regions = Json::array();
    for (const Region &region : document.regions)
        regions.push_back(regionJson(region));
    preset["regions"] = std::move(regions);
    std::string text;
    print(preset, 0, text);
    return text + '\n';
}

PresetLoad presetFromJson(std::string_view text)
{
    Json preset;
    try {
        preset = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error &e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
        const std::string what = e.what();
        const std::string marker = "parse error at ";
        const auto at = what.find(marker);
        throw PresetError("not valid JSON " +
                          (at == std::string::npos
                               ? "at byte " + std::to_string(e.byte) + ": " + what
                               : "at " + what.substr(at + marker.size())));
    } catch (const Json::exception &e) {
        // A number too large for a double: "[json.exception.out_of_range.406] number overflow ..."
        const std::string what = e.what();
        const auto end = what.find("] ");
        throw PresetError("not valid JSON: " +
                          (end == std::string::npos ? what : what.substr(end + 2)));
    }
    if (!preset.is_object())
        throw PresetError("not a Kernelscope preset: expected a JSON object, got " +
                          typeName(preset));
    readHeader(preset);

    Reader reader;
    PresetLoad load;
    Document &document = load.document;
    for (const auto &[key, value] : preset.items()) {
        const Path at = root() / key;
        if (key == "format" || key == "version")
            continue;
        if (key == "filter")
            document.filter = readFilter(value, at, reader);
        else if (key == "color")
            document.options.color =
                readName(value, at, "colour mode", kAllColorModes, colorName, parseColorName);
        else if (key == "border")
            document.options.border =
                readName(value, at, "border mode", kAllBorderModes, borderName, parseBorderName);
        else if (key == "display")
            document.display = readDisplay(value, at, reader);
        else if (key == "regions")
            document.regions = readRegions(value, at, reader);
        else if (key == "bank")
            document.bank = readBank(value, at, reader);
        else
            reader.unknownKey(at);
    }
    if (document.bank) {
        const Path at = root() / "bank";
        if (const auto *gabor = std::get_if<GaborSpec>(&document.filter)) {
            try {
                validateBank(*gabor, *document.bank);
            } catch (const ParameterError &e) {
                fail(at / e.key(), e.what());
            }
        } else {
            reader.warnings.push_back(at.text() + ": ignored: a bank applies to the " +
                                      std::string(filterName(FilterKind::Gabor)) +
                                      " filter only, not " +
                                      std::string(filterName(kindOf(document.filter))));
            document.bank.reset();
        }
    }
    load.warnings = std::move(reader.warnings);
    return load;
}

void savePreset(const std::filesystem::path &path, const Document &document)
{
    const std::string text = presetToJson(document);
    writeFileAtomically(path, std::as_bytes(std::span(text)));
}

PresetLoad loadPreset(const std::filesystem::path &path)
{
    const std::vector<std::byte> bytes = readFile(path);
    const std::string_view text(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    const std::string prefix = path.string() + ": ";
    try {
        PresetLoad load = presetFromJson(text);
        for (std::string &warning : load.warnings)
            warning.insert(0, prefix);
        return load;
    } catch (const PresetError &e) {
        throw PresetError(prefix + e.what());
    }
}

} // namespace ks
