#include "kernel_io.h"

#include "atomic_file.h"
#include "errors.h"
#include "gabor_bank.h"
#include "kernels.h"
#include "parameters.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

namespace ks {

namespace {

// ordered_json keeps the members in the order written, so exported files
// read format, version, filter, layout, shape, values from the top.
using Json = nlohmann::ordered_json;

constexpr std::string_view kKernelFormat = "kernelscope-kernel";
constexpr int kKernelVersion = 1;
constexpr int kMaxBank = 64;
// A kernel file nests 6 levels at most (a Keras layout's values inside the
// document); deeper JSON is refused.
constexpr int kMaxJsonDepth = 32;

// A kernel file is a few hundred kilobytes at most (301 x 301 values); the
// cap keeps a wrongly chosen file from being read into memory whole.
constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

constexpr std::string_view kNpyMagic = "\x93NUMPY";
constexpr std::size_t kNpyAlign = 64;

enum class Format { TextFile, NpyFile, JsonFile };

[[noreturn]] void fail(const std::string &name, const std::string &reason)
{
    throw KernelIoError(name + ": " + reason);
}

/// The format named by the extension, case-insensitively. Reading also
/// takes .txt as text (numpy.savetxt's habit).
std::optional<Format> formatOf(const std::filesystem::path &path, bool reading)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".csv" || (reading && ext == ".txt"))
        return Format::TextFile;
    if (ext == ".npy")
        return Format::NpyFile;
    if (ext == ".json")
        return Format::JsonFile;
    return std::nullopt;
}

/// The text of a number as it came from a file, safe for a one-line message.
std::string shown(std::string_view token)
{
    constexpr std::size_t kMaxShown = 24;
    std::string text;
    for (char c : token.substr(0, kMaxShown))
        text += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    if (token.size() > kMaxShown)
        text += "...";
    return "'" + text + "'";
}

std::string formatDouble(double value)
{
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::string sizeText(int rows, int cols)
{
    return std::to_string(rows) + " x " + std::to_string(cols);
}

std::string sizeLimitText()
{
    return "a custom kernel has at most " + std::to_string(kMaxCustomSize) + " rows and " +
           std::to_string(kMaxCustomSize) + " columns";
}

/// "302 columns: a custom kernel has at most 301 rows and 301 columns"
std::string tooLarge(std::string_view what, const std::string &count)
{
    return count + " " + std::string(what) + ": " + sizeLimitText();
}

std::string tooLarge(std::string_view what, std::size_t count)
{
    return tooLarge(what, std::to_string(count));
}

constexpr std::string_view kImportExtensions = "use .csv, .txt, .npy or .json";

std::string tooManyBytes(std::uintmax_t size)
{
    return "the file has " + std::to_string(size) + " bytes, too many for a kernel file (at most " +
           std::to_string(kMaxFileBytes) + ")";
}

/// Why the extension of path names no kernel format; accepted lists the
/// extensions ("use .csv, .npy or .json").
std::string unknownFormat(const std::filesystem::path &path, std::string_view accepted)
{
    const std::string ext = path.extension().string();
    if (ext.empty())
        return "no file extension to tell the kernel format (" + std::string(accepted) + ")";
    return "unknown kernel format '" + ext + "' (" + std::string(accepted) + ")";
}

/// rows x cols values read from a file, row-major, not yet checked for
/// finiteness.
struct Matrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<double> values;
};

/// The common last step of every import: size limits, finite taps.
CustomSpec toCustomSpec(Matrix m, const std::string &name)
{
    if (m.rows == 0 || m.cols == 0)
        fail(name, "empty: the file holds no kernel values");
    if (m.rows > static_cast<std::size_t>(kMaxCustomSize))
        fail(name, tooLarge("rows", m.rows));
    if (m.cols > static_cast<std::size_t>(kMaxCustomSize))
        fail(name, tooLarge("columns", m.cols));
    for (std::size_t i = 0; i < m.values.size(); ++i)
        if (!std::isfinite(m.values[i]))
            fail(name, "row " + std::to_string(i / m.cols + 1) + ", column " +
                           std::to_string(i % m.cols + 1) + ": " + formatDouble(m.values[i]) +
                           " is not a finite number");
    CustomSpec spec;
    spec.rows = static_cast<int>(m.rows);
    spec.cols = static_cast<int>(m.cols);
    spec.values = std::move(m.values);
    spec.normalize = false;
    return spec;
}

// ---------------------------------------------------------------- writing

/// Kernels laid out as one C-order array of the given shape.
struct Tensor {
    std::vector<std::size_t> shape;
    std::vector<double> data;
};

/// Checks that kernels is a non-empty list of finite CV_64FC1 matrices of one
/// size; context starts each message ("cannot write 'a.npy'").
void checkKernels(const std::vector<cv::Mat> &kernels, const std::string &context)
{
    if (kernels.empty())
        throw KernelIoError(context + ": there are no kernels to write");
    const cv::Size size = kernels.front().size();
    for (std::size_t n = 0; n < kernels.size(); ++n) {
        const cv::Mat &k = kernels[n];
        const std::string which = "kernel " + std::to_string(n + 1);
        if (k.type() != CV_64FC1 || k.dims != 2 || k.empty())
            throw KernelIoError(context + ": " + which +
                                " is not a non-empty single-channel double matrix");
        if (k.size() != size)
            throw KernelIoError(context + ": " + which + " is " + sizeText(k.rows, k.cols) +
                                ", kernel 1 is " + sizeText(size.height, size.width) +
                                " (all kernels must have the same size)");
        for (int i = 0; i < k.rows; ++i)
            for (int j = 0; j < k.cols; ++j)
                if (!std::isfinite(k.at<double>(i, j)))
                    throw KernelIoError(context + ": " + which + " has the non-finite value " +
                                        formatDouble(k.at<double>(i, j)) + " at row " +
                                        std::to_string(i + 1) + ", column " +
                                        std::to_string(j + 1));
    }
}

Tensor layOut(const std::vector<cv::Mat> &kernels, KernelLayout layout)
{
    const std::size_t n = kernels.size();
    const auto kh = static_cast<std::size_t>(kernels.front().rows);
    const auto kw = static_cast<std::size_t>(kernels.front().cols);
    Tensor t;
    t.data.reserve(n * kh * kw);
    if (layout == KernelLayout::Keras) {
        t.shape = {kh, kw, 1, n};
        for (std::size_t i = 0; i < kh; ++i)
            for (std::size_t j = 0; j < kw; ++j)
                for (const cv::Mat &k : kernels)
                    t.data.push_back(k.at<double>(static_cast<int>(i), static_cast<int>(j)));
    } else {
        t.shape = n == 1 ? std::vector<std::size_t>{kh, kw} : std::vector<std::size_t>{n, kh, kw};
        for (const cv::Mat &k : kernels)
            for (int i = 0; i < k.rows; ++i)
                for (int j = 0; j < k.cols; ++j)
                    t.data.push_back(k.at<double>(i, j));
    }
    return t;
}

std::string csvText(const std::vector<cv::Mat> &kernels)
{
    std::string text;
    for (std::size_t n = 0; n < kernels.size(); ++n) {
        if (n > 0)
            text += '\n';
        const cv::Mat &k = kernels[n];
        for (int i = 0; i < k.rows; ++i) {
            for (int j = 0; j < k.cols; ++j) {
                if (j > 0)
                    text += ',';
                text += formatDouble(k.at<double>(i, j));
            }
            text += '\n';
        }
    }
    return text;
}

/// Python's repr of a tuple of ints: "(3, 3)", "(5,)".
std::string pythonTuple(const std::vector<std::size_t> &shape)
{
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

template <class T> void appendLittleEndian(std::vector<std::byte> &out, T value)
{
    auto bytes = std::bit_cast<std::array<std::byte, sizeof(T)>>(value);
    if constexpr (std::endian::native == std::endian::big)
        std::reverse(bytes.begin(), bytes.end());
    out.insert(out.end(), bytes.begin(), bytes.end());
}

void appendText(std::vector<std::byte> &out, std::string_view text)
{
    for (char c : text)
        out.push_back(static_cast<std::byte>(c));
}

std::vector<std::byte> npyBytes(const Tensor &t, NpyType type, const std::string &context)
{
    const std::string descr = type == NpyType::Float64 ? "<f8" : "<f4";
    std::string header = "{'descr': '" + descr +
                         "', 'fortran_order': False, 'shape': " + pythonTuple(t.shape) + ", }";
    const std::size_t unpadded = kNpyMagic.size() + 4 + header.size() + 1;
    header.append((kNpyAlign - unpadded % kNpyAlign) % kNpyAlign, ' ');
    header += '\n';

    std::vector<std::byte> out;
    out.reserve(kNpyMagic.size() + 4 + header.size() + t.data.size() * sizeof(double));
    appendText(out, kNpyMagic);
    out.push_back(std::byte{1}); // format version 1.0
    out.push_back(std::byte{0});
    appendLittleEndian(out, static_cast<std::uint16_t>(header.size()));
    appendText(out, header);
    for (double v : t.data) {
        if (type == NpyType::Float64) {
            appendLittleEndian(out, v);
        } else {
            const auto f = static_cast<float>(v);
            if (!std::isfinite(f))
                throw KernelIoError(context + ": the value " + formatDouble(v) +
                                    " does not fit in float32 (save as float64)");
            appendLittleEndian(out, f);
        }
    }
    return out;
}

/// The filter's parameters under their descriptor keys, numbers typed as
/// the descriptors say (booleans as true/false, whole numbers as integers).
Json filterJson(const FilterSpec &spec)
{
    const FilterKind kind = kindOf(spec);
    Json filter = Json::object();
    filter["type"] = std::string(filterName(kind));
    for (const ParamDescriptor &d : parameterDescriptors(kind)) {
        const double value = parameterValue(spec, d.key);
        switch (d.type) {
        case ParamType::Boolean:
            filter[d.key] = value != 0;
            break;
        case ParamType::Integer:
        case ParamType::OddInteger:
            filter[d.key] = static_cast<long long>(value);
            break;
        case ParamType::Real:
            filter[d.key] = value;
            break;
        }
    }
    if (const auto *custom = std::get_if<CustomSpec>(&spec)) {
        filter["rows"] = custom->rows;
        filter["cols"] = custom->cols;
    }
    return filter;
}

Json nestedValues(const Tensor &t, std::size_t dim, std::size_t &next)
{
    Json array = Json::array();
    for (std::size_t i = 0; i < t.shape[dim]; ++i) {
        if (dim + 1 == t.shape.size())
            array.push_back(t.data[next++]);
        else
            array.push_back(nestedValues(t, dim + 1, next));
    }
    return array;
}

/// True for an array written on one line: numbers only (one kernel row), or
/// a single such element ("[[0.1, 0.2]]", the in-channel level of Keras).
bool fitsOnOneLine(const Json &j)
{
    if (!j.is_array())
        return !j.is_object();
    if (j.size() == 1)
        return fitsOnOneLine(j.front());
    return std::none_of(j.begin(), j.end(),
                        [](const Json &e) { return e.is_array() || e.is_object(); });
}

/// JSON with objects and nested arrays spread over lines, indented by two,
/// and the innermost arrays (kernel rows) on one line each.
void writeJson(std::string &out, const Json &j, int indent)
{
    const std::string inner(static_cast<std::size_t>(indent + 2), ' ');
    const std::string outer(static_cast<std::size_t>(indent), ' ');
    if (j.is_object() && !j.empty()) {
        out += "{\n";
        bool first = true;
        for (const auto &[key, value] : j.items()) {
            out += (first ? "" : ",\n") + inner + Json(key).dump() + ": ";
            writeJson(out, value, indent + 2);
            first = false;
        }
        out += "\n" + outer + "}";
    } else if (j.is_array() && !fitsOnOneLine(j)) {
        out += "[\n";
        for (std::size_t i = 0; i < j.size(); ++i) {
            out += (i > 0 ? ",\n" : "") + inner;
            writeJson(out, j[i], indent + 2);
        }
        out += "\n" + outer + "]";
    } else if (j.is_array()) {
        out += "[";
        for (std::size_t i = 0; i < j.size(); ++i) {
            out += i > 0 ? ", " : "";
            writeJson(out, j[i], indent);
        }
        out += "]";
    } else {
        out += j.dump();
    }
}

std::string jsonText(const Tensor &t, const FilterSpec &spec, KernelLayout layout)
{
    Json doc = Json::object();
    doc["format"] = std::string(kKernelFormat);
    doc["version"] = kKernelVersion;
    doc["filter"] = filterJson(spec);
    doc["layout"] = layout == KernelLayout::Keras ? "keras" : "plain";
    doc["shape"] = t.shape;
    std::size_t next = 0;
    doc["values"] = nestedValues(t, 0, next);
    std::string text;
    writeJson(text, doc, 0);
    return text + "\n";
}

// ---------------------------------------------------------------- text

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && isBlank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isBlank(s.back()))
        s.remove_suffix(1);
    return s;
}

/// "row 2", with the line number added when comments or blank lines make
/// the two differ.
std::string rowText(std::size_t row, std::size_t line)
{
    std::string text = "row " + std::to_string(row);
    if (line != row)
        text += " (line " + std::to_string(line) + ")";
    return text;
}

/// A number of a text kernel; where() names its place, for messages.
template <class Where>
double parseNumber(std::string_view token, const std::string &name, const Where &where)
{
    std::string_view digits = token;
    if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-' && digits[1] != '+')
        digits.remove_prefix(1); // from_chars takes no plus sign
    double value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range)
        fail(name, where() + ": " + shown(token) + " is out of the range of double precision");
    if (ec != std::errc{} || end != digits.data() + digits.size())
        fail(name, where() + ": " + shown(token) + " is not a number");
    if (!std::isfinite(value))
        fail(name, where() + ": " + shown(token) + " is not a finite number");
    return value;
}

/// The values of one line: separated by commas and/or whitespace, where a
/// separator is any whitespace with at most one comma in it.
std::vector<double> parseRow(std::string_view line, std::size_t row, std::size_t lineNumber,
                             const std::string &name)
{
    std::vector<double> values;
    std::size_t pos = 0;
    while (true) {
        const std::size_t start = pos;
        while (pos < line.size() && line[pos] != ',' && !isBlank(line[pos]))
            ++pos;
        const auto where = [&] {
            return rowText(row, lineNumber) + ", column " + std::to_string(values.size() + 1);
        };
        if (pos == start)
            fail(name, where() + " is empty (two commas in a row, or a comma at an end)");
        if (values.size() == static_cast<std::size_t>(kMaxCustomSize))
            fail(name, rowText(row, lineNumber) + " has more than " +
                           std::to_string(kMaxCustomSize) + " columns: " + sizeLimitText());
        values.push_back(parseNumber(line.substr(start, pos - start), name, where));
        while (pos < line.size() && isBlank(line[pos]))
            ++pos;
        if (pos == line.size())
            return values;
        if (line[pos] == ',') {
            ++pos;
            while (pos < line.size() && isBlank(line[pos]))
                ++pos;
        }
    }
}

Matrix parseText(std::string_view text, const std::string &name)
{
    constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
    if (text.starts_with(kUtf8Bom))
        text.remove_prefix(kUtf8Bom.size());

    Matrix m;
    std::size_t lineNumber = 0;
    std::size_t firstRowLine = 0;
    std::size_t blankAfterData = 0; // line number of a blank line after the first row
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find_first_of("\r\n", pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + (text.substr(end).starts_with("\r\n") ? 2 : 1);
        ++lineNumber;

        if (trimmed(line).empty()) {
            if (m.rows > 0 && blankAfterData == 0)
                blankAfterData = lineNumber;
            continue;
        }
        line = trimmed(line.substr(0, line.find('#')));
        if (line.empty()) // a comment line
            continue;
        if (blankAfterData != 0)
            fail(name, "line " + std::to_string(blankAfterData) +
                           " is empty but more values follow: only one kernel can be "
                           "imported (blocks separated by empty lines are a bank)");
        if (m.rows == static_cast<std::size_t>(kMaxCustomSize))
            fail(name, "more than " + std::to_string(kMaxCustomSize) + " rows: " + sizeLimitText());
        const std::vector<double> row = parseRow(line, m.rows + 1, lineNumber, name);
        if (m.rows == 0) {
            m.cols = row.size();
            firstRowLine = lineNumber;
        } else if (row.size() != m.cols) {
            fail(name, rowText(m.rows + 1, lineNumber) + " has " + std::to_string(row.size()) +
                           " values, " + rowText(1, firstRowLine) + " has " +
                           std::to_string(m.cols));
        }
        m.values.insert(m.values.end(), row.begin(), row.end());
        ++m.rows;
    }
    if (m.rows == 0)
        fail(name, lineNumber == 0 ? "empty: the file holds no kernel values"
                                   : "empty: no kernel values, only comments and blank lines");
    return m;
}

// ---------------------------------------------------------------- npy

/// A value of the Python literal in an .npy header. Only what headers hold:
/// strings, booleans, None, integers, tuples / lists and dicts.
struct PyValue {
    enum class Kind { String, Bool, None, Int, Tuple, List, Dict } kind = Kind::None;
    std::string text;           ///< String; Int: its digits
    bool flag = false;          ///< Bool
    std::uint64_t number = 0;   ///< Int, saturated; negative values are refused
    std::vector<PyValue> items; ///< Tuple, List; Dict: key, value, key, value...
};

class PyLiteralParser {
public:
    explicit PyLiteralParser(std::string_view text) : text_(text) {}

    /// The whole text as one dict; std::nullopt with error() set otherwise.
    std::optional<PyValue> parseDict()
    {
        std::optional<PyValue> value = parseValue(0);
        if (!value)
            return std::nullopt;
        skipSpace();
        if (value->kind != PyValue::Kind::Dict)
            return failed("it is not a dictionary");
        if (pos_ != text_.size())
            return failed("unexpected text after the dictionary");
        return value;
    }

    const std::string &error() const { return error_; }

private:
    static constexpr int kMaxDepth = 8;

    std::optional<PyValue> failed(std::string message)
    {
        error_ = std::move(message);
        return std::nullopt;
    }

    void skipSpace()
    {
        while (pos_ < text_.size() && (isBlank(text_[pos_]) || text_[pos_] == '\n'))
            ++pos_;
    }

    bool peek(char c)
    {
        skipSpace();
        return pos_ < text_.size() && text_[pos_] == c;
    }

    bool consume(char c)
    {
        skipSpace();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    std::optional<PyValue> parseValue(int depth)
    {
        if (depth > kMaxDepth)
            return failed("nested too deeply");
        skipSpace();
        if (pos_ == text_.size())
            return failed("it ends too early");
        const char c = text_[pos_];
        if (c == '\'' || c == '"')
            return parseString(c);
        if (c == '(' || c == '[')
            return parseSequence(c == '(' ? ')' : ']', depth);
        if (c == '{')
            return parseDictBody(depth);
        if (std::isdigit(static_cast<unsigned char>(c)))
            return parseInt();
        if (std::isalpha(static_cast<unsigned char>(c)))
            return parseName();
        return failed(std::string("unexpected character ") + shown(std::string_view(&c, 1)));
    }

    std::optional<PyValue> parseString(char quote)
    {
        PyValue v;
        v.kind = PyValue::Kind::String;
        for (++pos_; pos_ < text_.size(); ++pos_) {
            if (text_[pos_] == quote) {
                ++pos_;
                return v;
            }
            if (text_[pos_] == '\\' && pos_ + 1 < text_.size())
                ++pos_;
            v.text += text_[pos_];
        }
        return failed("a string is not closed");
    }

    std::optional<PyValue> parseInt()
    {
        PyValue v;
        v.kind = PyValue::Kind::Int;
        constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
        for (; pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]));
             ++pos_) {
            const auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
            v.number = v.number > (kMax - digit) / 10 ? kMax : v.number * 10 + digit;
            v.text += text_[pos_];
        }
        if (pos_ < text_.size() && (text_[pos_] == 'L' || text_[pos_] == 'l'))
            ++pos_; // Python 2 long, as in headers written by old NumPy versions
        return v;
    }

    std::optional<PyValue> parseName()
    {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        const std::string_view word = text_.substr(start, pos_ - start);
        PyValue v;
        if (word == "True" || word == "False") {
            v.kind = PyValue::Kind::Bool;
            v.flag = word == "True";
            return v;
        }
        if (word == "None")
            return v;
        return failed("unexpected word " + shown(word));
    }

    std::optional<PyValue> parseSequence(char close, int depth)
    {
        PyValue v;
        v.kind = close == ')' ? PyValue::Kind::Tuple : PyValue::Kind::List;
        ++pos_;
        while (!consume(close)) {
            std::optional<PyValue> item = parseValue(depth + 1);
            if (!item)
                return std::nullopt;
            v.items.push_back(std::move(*item));
            if (!consume(',') && !peek(close))
                return failed(std::string("expected ',' or '") + close + "'");
        }
        return v;
    }

    std::optional<PyValue> parseDictBody(int depth)
    {
        PyValue v;
        v.kind = PyValue::Kind::Dict;
        ++pos_;
        while (!consume('}')) {
            std::optional<PyValue> key = parseValue(depth + 1);
            if (!key)
                return std::nullopt;
            if (!consume(':'))
                return failed("expected ':' after a key");
            std::optional<PyValue> value = parseValue(depth + 1);
            if (!value)
                return std::nullopt;
            v.items.push_back(std::move(*key));
            v.items.push_back(std::move(*value));
            if (!consume(',') && !peek('}'))
                return failed("expected ',' or '}'");
        }
        return v;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::string error_;
};

const PyValue *dictEntry(const PyValue &dict, std::string_view key)
{
    for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2)
        if (dict.items[i].kind == PyValue::Kind::String && dict.items[i].text == key)
            return &dict.items[i + 1];
    return nullptr;
}

struct Dtype {
    char kind = 'f'; ///< 'f' float, 'i' signed, 'u' unsigned integer
    std::size_t size = 8;
    bool bigEndian = false;
};

std::optional<Dtype> parseDescr(std::string_view descr)
{
    Dtype t;
    if (!descr.empty() && std::string_view("<>|=").find(descr.front()) != std::string_view::npos) {
        t.bigEndian = descr.front() == '>' ||
                      (descr.front() == '=' && std::endian::native == std::endian::big);
        descr.remove_prefix(1);
    }
    if (descr.size() != 2)
        return std::nullopt;
    t.kind = descr[0];
    t.size = static_cast<std::size_t>(descr[1] - '0');
    const bool ok = (t.kind == 'f' && (t.size == 4 || t.size == 8)) ||
                    ((t.kind == 'i' || t.kind == 'u') &&
                     (t.size == 1 || t.size == 2 || t.size == 4 || t.size == 8));
    return ok ? std::optional(t) : std::nullopt;
}

double npyElement(const std::byte *p, const Dtype &t)
{
    std::array<std::byte, 8> raw{};
    std::memcpy(raw.data(), p, t.size);
    const bool swap = t.bigEndian != (std::endian::native == std::endian::big);
    if (swap)
        std::reverse(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(t.size));
    std::uint64_t bits = 0; // the element's bits in the low bytes of a native integer
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&bits, raw.data(), t.size);
    } else {
        std::memcpy(reinterpret_cast<std::byte *>(&bits) + (8 - t.size), raw.data(), t.size);
    }
    switch (t.kind) {
    case 'f':
        return t.size == 8
                   ? std::bit_cast<double>(bits)
                   : static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
    case 'u':
        return static_cast<double>(bits);
    default: {
        // Sign-extend the low t.size bytes.
        const unsigned shift = 64 - 8 * static_cast<unsigned>(t.size);
        return static_cast<double>(static_cast<std::int64_t>(bits << shift) >>
                                   static_cast<int>(shift));
    }
    }
}

/// The shape as NumPy prints it, with the digits of the file (which may not
/// fit in 64 bits).
std::string shapeText(const std::vector<PyValue> &dims)
{
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i)
        text += (i > 0 ? ", " : "") + dims[i].text;
    return text + (dims.size() == 1 ? ",)" : ")");
}

Matrix parseNpy(std::span<const std::byte> bytes, const std::string &name)
{
    const auto byteAt = [&](std::size_t i) { return std::to_integer<unsigned>(bytes[i]); };
    const std::string_view start(reinterpret_cast<const char *>(bytes.data()),
                                 std::min(bytes.size(), std::size_t{16}));
    if (!start.starts_with(kNpyMagic))
        fail(name, "not a NumPy .npy file: the magic string \\x93NUMPY is missing at the start");
    if (bytes.size() < 10)
        fail(name, "truncated .npy header");
    const unsigned major = byteAt(6);
    const unsigned minor = byteAt(7);
    if (major < 1 || major > 3 || minor != 0)
        fail(name, "unsupported .npy format version " + std::to_string(major) + "." +
                       std::to_string(minor) + " (versions 1.0, 2.0 and 3.0 are read)");
    const std::size_t lengthBytes = major == 1 ? 2 : 4;
    const std::size_t headerStart = 8 + lengthBytes;
    if (bytes.size() < headerStart)
        fail(name, "truncated .npy header");
    std::size_t headerLength = 0;
    for (std::size_t i = 0; i < lengthBytes; ++i)
        headerLength |= static_cast<std::size_t>(byteAt(8 + i)) << (8 * i);
    if (headerLength > bytes.size() - headerStart)
        fail(name, "truncated .npy header: it should be " + std::to_string(headerLength) +
                       " bytes, the file has " + std::to_string(bytes.size() - headerStart) +
                       " after the magic string");
    const std::string_view header(reinterpret_cast<const char *>(bytes.data()) + headerStart,
                                  headerLength);

    PyLiteralParser parser(header);
    const std::optional<PyValue> dict = parser.parseDict();
    if (!dict)
        fail(name, "unreadable .npy header: " + parser.error());
    const PyValue *descr = dictEntry(*dict, "descr");
    const PyValue *fortran = dictEntry(*dict, "fortran_order");
    const PyValue *shape = dictEntry(*dict, "shape");
    if (!descr || !fortran || !shape)
        fail(name, "unreadable .npy header: it needs 'descr', 'fortran_order' and 'shape'");
    if (descr->kind != PyValue::Kind::String)
        fail(name, "unsupported data type: structured arrays cannot be imported");
    const std::optional<Dtype> type = parseDescr(descr->text);
    if (!type)
        fail(name, "unsupported data type " + shown(descr->text) +
                       " (use float64, float32 or an integer type)");
    if (fortran->kind != PyValue::Kind::Bool)
        fail(name, "unreadable .npy header: 'fortran_order' is not True or False");
    bool shapeOk = shape->kind == PyValue::Kind::Tuple;
    for (const PyValue &d : shape->items)
        shapeOk = shapeOk && d.kind == PyValue::Kind::Int;
    if (!shapeOk)
        fail(name, "unreadable .npy header: 'shape' is not a tuple of integers");

    // Which dimensions are the kernel's rows and columns; the others must be 1.
    const std::vector<PyValue> &dims = shape->items;
    const std::string shapeName = "shape " + shapeText(dims);
    std::size_t rowDim = 0;
    if (dims.size() == 3) {
        if (dims[0].number != 1)
            fail(name, shapeName + " holds " + dims[0].text +
                           " kernels: only a single kernel can be imported");
        rowDim = 1;
    } else if (dims.size() == 4) {
        if (dims[2].number != 1)
            fail(name, shapeName + " has " + dims[2].text +
                           " input channels: a kernel must be (kh, kw, 1, 1)");
        if (dims[3].number != 1)
            fail(name, shapeName + " holds " + dims[3].text +
                           " kernels: only a single kernel can be imported");
    } else if (dims.size() != 2) {
        fail(name, shapeName + " is " + std::to_string(dims.size()) +
                       "-D: a kernel is (kh, kw), (1, kh, kw) or (kh, kw, 1, 1)");
    }
    const PyValue &rowsDim = dims[rowDim];
    const PyValue &colsDim = dims[rowDim + 1];
    if (rowsDim.number == 0 || colsDim.number == 0)
        fail(name, "empty: " + shapeName + " holds no values");
    if (rowsDim.number > static_cast<std::uint64_t>(kMaxCustomSize))
        fail(name, shapeName + " has " + tooLarge("rows", rowsDim.text));
    if (colsDim.number > static_cast<std::uint64_t>(kMaxCustomSize))
        fail(name, shapeName + " has " + tooLarge("columns", colsDim.text));
    const auto rows = static_cast<std::size_t>(rowsDim.number);
    const auto cols = static_cast<std::size_t>(colsDim.number);

    const std::size_t count = rows * cols;
    const std::size_t needed = count * type->size;
    const std::size_t available = bytes.size() - headerStart - headerLength;
    const std::string dataName = shapeName + " of " + shown(descr->text) + " needs " +
                                 std::to_string(needed) + " bytes of data";
    if (available < needed)
        fail(name, "truncated: " + dataName + ", the file has " + std::to_string(available));
    if (available > needed)
        fail(name, std::to_string(available - needed) + " unexpected bytes after the data (" +
                       dataName + ")");

    Matrix m{rows, cols, std::vector<double>(count)};
    const std::byte *data = bytes.data() + headerStart + headerLength;
    for (std::size_t k = 0; k < count; ++k) {
        // Element k of the file is (k / cols, k % cols) in C order, and
        // (k % rows, k / rows) in Fortran order.
        const std::size_t target = fortran->flag ? (k % rows) * cols + k / rows : k;
        m.values[target] = npyElement(data + k * type->size, *type);
    }
    return m;
}

// ---------------------------------------------------------------- json

std::string jsonPath(const std::vector<std::size_t> &indices)
{
    std::string path = "/values";
    for (std::size_t i : indices)
        path += "/" + std::to_string(i);
    return path;
}

/// Appends the numbers of a nested array that must have exactly the shape
/// dims[depth...]; indices is the JSON path so far, for messages.
void flattenValues(const Json &j, const std::vector<std::size_t> &dims, std::size_t depth,
                   std::vector<std::size_t> &indices, std::vector<double> &out,
                   const std::string &name, const std::string &shapeName)
{
    if (!j.is_array())
        fail(name, jsonPath(indices) + " is not an array: the values are nested wrongly for " +
                       shapeName);
    if (j.size() != dims[depth])
        fail(name, jsonPath(indices) + " has " + std::to_string(j.size()) + " elements, " +
                       shapeName + " needs " + std::to_string(dims[depth]));
    for (std::size_t i = 0; i < j.size(); ++i) {
        indices.push_back(i);
        if (depth + 1 < dims.size()) {
            flattenValues(j[i], dims, depth + 1, indices, out, name, shapeName);
        } else {
            if (!j[i].is_number())
                fail(name, jsonPath(indices) + ": " + shown(j[i].dump()) +
                               " is not a number (values nested wrongly for " + shapeName + "?)");
            out.push_back(j[i].get<double>());
        }
        indices.pop_back();
    }
}

Matrix parseKernelJson(const Json &doc, const std::string &name)
{
    const auto member = [&](const char *key) -> const Json & {
        if (!doc.contains(key))
            fail(name, std::string("not a kernelscope kernel: '") + key + "' is missing");
        return doc[key];
    };
    const Json &format = member("format");
    if (!format.is_string() || format.get<std::string>() != kKernelFormat)
        fail(name, "not a kernelscope kernel: 'format' is " +
                       shown(format.is_string() ? format.get<std::string>() : format.dump()) +
                       ", expected '" + std::string(kKernelFormat) + "'");
    const Json &version = member("version");
    if (!version.is_number_integer() || version.get<long long>() < 1)
        fail(name, "not a kernelscope kernel: 'version' is " + shown(version.dump()));
    if (version.get<long long>() > kKernelVersion)
        fail(name, "kernel format version " + version.dump() +
                       " is newer than this program reads (version " +
                       std::to_string(kKernelVersion) + ")");
    const Json &layout = member("layout");
    if (layout != "plain" && layout != "keras")
        fail(name, "unknown layout " + shown(layout.dump()) + " (expected plain or keras)");
    const Json &shape = member("shape");
    std::vector<std::size_t> dims;
    std::string shapeName = "shape [";
    if (shape.is_array())
        for (const Json &d : shape) {
            if (!d.is_number_unsigned())
                fail(name, "'shape' must be an array of non-negative integers");
            dims.push_back(std::min<std::uint64_t>(d.get<std::uint64_t>(), 1u << 30));
            shapeName += (dims.size() > 1 ? ", " : "") + d.dump();
        }
    else
        fail(name, "'shape' must be an array of non-negative integers");
    shapeName += "]";

    std::size_t bank = 1;
    std::size_t rowDim = 0;
    if (layout == "plain" && dims.size() == 2) {
        rowDim = 0;
    } else if (layout == "plain" && dims.size() == 3) {
        bank = dims[0];
        rowDim = 1;
    } else if (layout == "keras" && dims.size() == 4) {
        if (dims[2] != 1)
            fail(name, shapeName + " has " + std::to_string(dims[2]) +
                           " input channels: a kernel must be (kh, kw, 1, 1)");
        bank = dims[3];
    } else {
        fail(name, shapeName + " does not fit the " + layout.get<std::string>() +
                       " layout: plain is [kh, kw] or [n, kh, kw], keras is [kh, kw, 1, n]");
    }
    if (bank > 1)
        fail(name, "a bank of " + std::to_string(bank) +
                       " kernels: only a single kernel can be imported (export one kernel)");
    Matrix m{dims[rowDim], dims[rowDim + 1], {}};
    if (bank == 0 || m.rows == 0 || m.cols == 0)
        fail(name, "empty: " + shapeName + " holds no values");
    if (m.rows > static_cast<std::size_t>(kMaxCustomSize))
        fail(name, shapeName + " has " + tooLarge("rows", m.rows));
    if (m.cols > static_cast<std::size_t>(kMaxCustomSize))
        fail(name, shapeName + " has " + tooLarge("columns", m.cols));
    std::vector<std::size_t> indices;
    m.values.reserve(m.rows * m.cols);
    flattenValues(member("values"), dims, 0, indices, m.values, name, shapeName);
    return m;
}

Matrix parseBareArray(const Json &doc, const std::string &name)
{
    Matrix m;
    if (doc.empty())
        fail(name, "empty: the array holds no rows");
    if (doc.size() > static_cast<std::size_t>(kMaxCustomSize))
        fail(name, tooLarge("rows", doc.size()));
    for (std::size_t i = 0; i < doc.size(); ++i) {
        const Json &row = doc[i];
        const std::string rowName = "row " + std::to_string(i + 1);
        if (!row.is_array())
            fail(name, rowName + " is " + shown(row.dump()) +
                           ", not an array: a bare kernel is a 2-D array (an array of rows)");
        if (i == 0)
            m.cols = row.size();
        if (row.size() > static_cast<std::size_t>(kMaxCustomSize))
            fail(name, rowName + " has " + tooLarge("columns", row.size()));
        if (row.size() != m.cols)
            fail(name, rowName + " has " + std::to_string(row.size()) + " values, row 1 has " +
                           std::to_string(m.cols));
        for (std::size_t j = 0; j < row.size(); ++j) {
            const std::string where = rowName + ", column " + std::to_string(j + 1);
            if (row[j].is_array())
                fail(name, where + " is an array: a bare kernel is a 2-D array, this one is "
                                   "nested deeper");
            if (!row[j].is_number())
                fail(name, where + ": " + shown(row[j].dump()) + " is not a number");
            m.values.push_back(row[j].get<double>());
        }
    }
    m.rows = doc.size();
    return m;
}

/// Thrown while parsing a JSON kernel nested deeper than kMaxJsonDepth.
struct NestedTooDeep {};

Matrix parseJson(std::string_view text, const std::string &name)
{
    Json doc;
    try {
        // Refused while parsing: Json::dump (in messages) recurses once per
        // level, so a file of a few hundred kilobytes of '[' would overflow
        // the stack.
        doc = Json::parse(text, [](int depth, Json::parse_event_t, const Json &) {
            if (depth > kMaxJsonDepth)
                throw NestedTooDeep{};
            return true;
        });
    } catch (const NestedTooDeep &) {
        fail(name, "not a kernel: the JSON is nested more than " + std::to_string(kMaxJsonDepth) +
                       " levels deep");
    } catch (const Json::parse_error &e) {
        const std::size_t at = std::min<std::size_t>(e.byte, text.size());
        const std::string_view before = text.substr(0, at > 0 ? at - 1 : 0);
        const auto line = std::count(before.begin(), before.end(), '\n') + 1;
        fail(name, "not valid JSON: syntax error on line " + std::to_string(line));
    } catch (const Json::out_of_range &) { // the only other parse failure: error 406
        fail(name, "a number is out of the range of double precision");
    }
    if (doc.is_object())
        return parseKernelJson(doc, name);
    if (doc.is_array())
        return parseBareArray(doc, name);
    fail(name, "not a kernel: expected a " + std::string(kKernelFormat) +
                   " object or a 2-D array of numbers, found " + shown(doc.dump()));
}

} // namespace

std::vector<cv::Mat> gaborBank(const GaborSpec &spec, int n)
{
    if (n < 1 || n > kMaxBank)
        throw ParameterError("bank", "bank = " + std::to_string(n) +
                                         " is out of range: allowed 1 to " +
                                         std::to_string(kMaxBank) + " kernels");
    validate(spec); // so a bad theta is reported as given, not as a rotated one
    std::vector<cv::Mat> bank;
    bank.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        bank.push_back(makeKernel(bankMember(spec, n, i, 1.0)));
    return bank;
}

void saveKernels(const std::filesystem::path &path, const std::vector<cv::Mat> &kernels,
                 const FilterSpec &spec, KernelLayout layout, NpyType npyType)
{
    const std::string context = "cannot write '" + path.string() + "'";
    const std::optional<Format> format = formatOf(path, false);
    if (!format)
        throw KernelIoError(context + ": " + unknownFormat(path, "use .csv, .npy or .json"));
    checkKernels(kernels, context);

    std::vector<std::byte> bytes;
    switch (*format) {
    case Format::TextFile:
        appendText(bytes, csvText(kernels));
        break;
    case Format::NpyFile:
        bytes = npyBytes(layOut(kernels, layout), npyType, context);
        break;
    case Format::JsonFile:
        appendText(bytes, jsonText(layOut(kernels, layout), spec, layout));
        break;
    }
    writeFileAtomically(path, bytes);
}

std::string kernelsToCsv(const std::vector<cv::Mat> &kernels)
{
    checkKernels(kernels, "cannot write CSV");
    return csvText(kernels);
}

CustomSpec loadCustomKernel(const std::filesystem::path &path)
{
    const std::string name = path.string();
    if (!formatOf(path, true))
        fail(name, unknownFormat(path, kImportExtensions));

    // Checked before reading, so that a wrongly chosen file is not read whole.
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxFileBytes)
        fail(name, tooManyBytes(size));
    return parseCustomKernel(readFile(path), path);
}

CustomSpec parseCustomKernel(std::span<const std::byte> bytes, const std::filesystem::path &name)
{
    const std::optional<Format> format = formatOf(name, true);
    if (!format)
        fail(name.string(), unknownFormat(name, kImportExtensions));
    if (bytes.size() > kMaxFileBytes)
        fail(name.string(), tooManyBytes(bytes.size()));
    const std::string_view text(reinterpret_cast<const char *>(bytes.data()), bytes.size());

    switch (*format) {
    case Format::TextFile:
        return toCustomSpec(parseText(text, name.string()), name.string());
    case Format::NpyFile:
        return toCustomSpec(parseNpy(bytes, name.string()), name.string());
    case Format::JsonFile:
        return toCustomSpec(parseJson(text, name.string()), name.string());
    }
    return {};
}

CustomSpec parseKernelText(const std::string &text, const std::string &name)
{
    return toCustomSpec(parseText(text, name), name);
}

} // namespace ks
