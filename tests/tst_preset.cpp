// Tests for core/preset.h: the JSON round trip for every filter kind and
// mode, the written structure against hand-written JSON, one-line errors that
// name the JSON path for bad presets, warnings for unknown keys, defaults for
// missing members, and the file functions.

#include "core/atomic_file.h"
#include "core/document.h"
#include "core/errors.h"
#include "core/parameters.h"
#include "core/preset.h"
#include "test_fixtures.h"

#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

Q_DECLARE_METATYPE(ks::Document)

namespace {

using ks::test::region;
using ks::test::withFilter;

using ks::Document;
using ks::Region;
using ks::RegionMethod;

/// A valid preset header followed by the given members (without braces).
QByteArray preset(const char *members)
{
    QByteArray text = R"({"format": "kernelscope-preset", "version": 1)";
    if (*members)
        text += QByteArray(", ") + members;
    return text + "}";
}

std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

/// The message of the PresetError thrown by f, or nullopt when none was thrown.
template <class F> std::optional<std::string> presetErrorOf(F &&f)
{
    try {
        f();
    } catch (const ks::PresetError &e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

QStringList toQStringList(const std::vector<std::string> &lines)
{
    QStringList list;
    for (const std::string &line : lines)
        list << QString::fromStdString(line);
    return list;
}

std::string readText(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

class TestPreset : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void writtenStructure_data();
    void writtenStructure();
    void bankOnlyWithGabor_data();
    void bankOnlyWithGabor();
    void numberTypesFollowDescriptors_data();
    void numberTypesFollowDescriptors();
    void badPresets_data();
    void badPresets();
    void unknownKeysWarn_data();
    void unknownKeysWarn();
    void missingMembersTakeDefaults_data();
    void missingMembersTakeDefaults();
    void refusesToWriteInvalidDocuments_data();
    void refusesToWriteInvalidDocuments();

    void fileRoundTrip();
    void fileErrorsNameTheFile();
    void fileWarningsNameTheFile();
    void missingFile();
    void unwritableFolder();
};

// ---------------------------------------------------------------- round trip

void TestPreset::roundTrip_data()
{
    QTest::addColumn<Document>("document");

    QTest::newRow("default") << Document{};
    // Values that need every digit of a double to come back unchanged.
    QTest::newRow("gabor") << withFilter(
        ks::GaborSpec{15, 0.1 + 0.2, 100.0 / 3, 7.125, 0.7300000000000001, -89.99999999999999});
    QTest::newRow("gaussian auto size") << withFilter(ks::GaussianSpec{0, 1.7});
    QTest::newRow("gaussian") << withFilter(ks::GaussianSpec{9, 2.2});
    QTest::newRow("box summing") << withFilter(ks::BoxSpec{9, false});
    QTest::newRow("box averaging") << withFilter(ks::BoxSpec{1, true});
    QTest::newRow("derivative") << withFilter(ks::DerivativeSpec{2, 45.5, 1.25, 11});
    QTest::newRow("custom default") << withFilter(ks::CustomSpec{});
    QTest::newRow("custom 2x3 normalized")
        << withFilter(ks::CustomSpec{2, 3, {0.1, -2.5e-7, 3, 1e300, 0, -1e-300}, true});
    QTest::newRow("custom 1x1") << withFilter(ks::CustomSpec{1, 1, {-4}, false});
    QTest::newRow("custom 5x1") << withFilter(ks::CustomSpec{5, 1, {1, 2, 3, 2, 1}, true});

    for (ks::BorderMode border : ks::kAllBorderModes) {
        Document d = withFilter(ks::GaussianSpec{5, 1});
        d.options.border = border;
        QTest::newRow(("border " + std::string(ks::borderName(border))).c_str()) << d;
    }
    for (ks::ColorMode color : {ks::ColorMode::PerChannel, ks::ColorMode::Gray}) {
        Document d = withFilter(ks::DerivativeSpec{});
        d.options.color = color;
        QTest::newRow(color == ks::ColorMode::Gray ? "colour gray" : "colour per-channel") << d;
    }
    for (ks::DisplayMode mode : ks::kAllDisplayModes) {
        for (double gain : {0.0, 2.5, 1.0 / 3}) {
            Document d = withFilter(ks::GaborSpec{});
            d.display = {mode, gain};
            QTest::addRow("display %s gain %g", std::string(ks::displayName(mode)).c_str(), gain)
                << d;
        }
    }

    Document regions = withFilter(ks::BoxSpec{3, true});
    regions.regions = {region({10, 20, 100, 50}, RegionMethod::Gaussian, 3.7000000000000002, 4),
                       region({-10, -5, 30, 40}, RegionMethod::Pixelate, 12, 0),
                       region({5, 6, 7, 8}, RegionMethod::Box, 15, 1000),
                       region({0, 0, 0, 0}, RegionMethod::Gaussian, 0.1, 0)};
    QTest::newRow("regions of each method") << regions;

    Document everything = withFilter(ks::CustomSpec{2, 2, {1, 2, 3, 4}, true});
    everything.options = {ks::BorderMode::Wrap, ks::ColorMode::Gray};
    everything.display = {ks::DisplayMode::Abs, 4};
    everything.regions = {region({1, 2, 3, 4}, RegionMethod::Pixelate, 1000, 7)};
    QTest::newRow("everything changed") << everything;

    Document bank = withFilter(ks::GaborSpec{});
    bank.bank = ks::BankSpec{8, 1, 2, ks::BankCombine::Max};
    QTest::newRow("gabor bank") << bank;
    Document energy = withFilter(ks::GaborSpec{7, 1.5, 10, 3, 0.5, 30});
    energy.bank = ks::BankSpec{16, 4, 1.1 + 0.2, ks::BankCombine::Energy};
    energy.display = {ks::DisplayMode::Abs, 0.5};
    QTest::newRow("gabor bank energy") << energy;
    Document limits = withFilter(ks::GaborSpec{31, 25, 0, 250, 0.5, 0});
    limits.bank = ks::BankSpec{2, 3, 2, ks::BankCombine::Max}; // sigma 100, lambda 1000
    QTest::newRow("gabor bank at its limits") << limits;
}

void TestPreset::roundTrip()
{
    QFETCH(Document, document);
    const std::string text = ks::presetToJson(document);
    const ks::PresetLoad load = ks::presetFromJson(text);
    QVERIFY2(load.document == document, text.c_str());
    QCOMPARE(toQStringList(load.warnings), QStringList());
    // Writing the loaded document again gives the same text.
    QCOMPARE(ks::presetToJson(load.document), text);
}

// ---------------------------------------------------------------- structure

void TestPreset::writtenStructure_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<QByteArray>("expected");

    Document gabor = withFilter(ks::GaborSpec{21, 3.5, 45, 8, 0.5, 90});
    gabor.options = {ks::BorderMode::Replicate, ks::ColorMode::Gray};
    gabor.display = {ks::DisplayMode::Offset, 2.5};
    gabor.regions = {region({10, -5, 40, 30}, RegionMethod::Pixelate, 12, 3),
                     region({0, 1, 2, 3}, RegionMethod::Gaussian, 1.5, 0)};
    QTest::newRow("gabor") << gabor << QByteArray(R"({
        "format": "kernelscope-preset",
        "version": 1,
        "filter": {"type": "gabor", "ksize": 21, "sigma": 3.5, "theta": 45.0,
                   "lambda": 8.0, "gamma": 0.5, "psi": 90.0},
        "color": "gray",
        "border": "replicate",
        "display": {"mode": "offset", "gain": 2.5},
        "regions": [
            {"x": 10, "y": -5, "width": 40, "height": 30, "method": "pixelate",
             "cell": 12, "feather": 3},
            {"x": 0, "y": 1, "width": 2, "height": 3, "method": "gaussian",
             "sigma": 1.5, "feather": 0}
        ]
    })");

    Document bank = withFilter(ks::GaborSpec{});
    bank.bank = ks::BankSpec{6, 2, 1.5, ks::BankCombine::Energy};
    QTest::newRow("gabor bank") << bank << QByteArray(R"({
        "format": "kernelscope-preset", "version": 1,
        "filter": {"type": "gabor", "ksize": 31, "sigma": 4.0, "theta": 0.0,
                   "lambda": 10.0, "gamma": 0.5, "psi": 0.0},
        "bank": {"orientations": 6, "scales": 2, "ratio": 1.5, "combine": "energy"},
        "color": "per-channel", "border": "reflect101",
        "display": {"mode": "clamp", "gain": 0.0}, "regions": []
    })");

    Document custom = withFilter(ks::CustomSpec{2, 3, {1, 2, 3, 4, 5, -6.25}, true});
    custom.regions = {region({1, 2, 3, 4}, RegionMethod::Box, 7, 2)};
    QTest::newRow("custom") << custom << QByteArray(R"({
        "format": "kernelscope-preset",
        "version": 1,
        "filter": {"type": "custom", "rows": 2, "cols": 3,
                   "values": [[1.0, 2.0, 3.0], [4.0, 5.0, -6.25]], "normalize": true},
        "color": "per-channel",
        "border": "reflect101",
        "display": {"mode": "clamp", "gain": 0.0},
        "regions": [{"x": 1, "y": 2, "width": 3, "height": 4, "method": "box",
                     "ksize": 7, "feather": 2}]
    })");

    QTest::newRow("default") << Document{} << QByteArray(R"({
        "format": "kernelscope-preset", "version": 1, "filter": {"type": "none"},
        "color": "per-channel", "border": "reflect101",
        "display": {"mode": "clamp", "gain": 0.0}, "regions": []
    })");

    Document box = withFilter(ks::BoxSpec{7, false});
    box.options.border = ks::BorderMode::Constant;
    box.display.mode = ks::DisplayMode::Raw;
    QTest::newRow("box") << box << QByteArray(R"({
        "format": "kernelscope-preset", "version": 1,
        "filter": {"type": "box", "ksize": 7, "normalized": false},
        "color": "per-channel", "border": "constant",
        "display": {"mode": "raw", "gain": 0.0}, "regions": []
    })");
}

void TestPreset::writtenStructure()
{
    QFETCH(Document, document);
    QFETCH(QByteArray, expected);
    const std::string text = ks::presetToJson(document);
    // ordered_json: the order of members is part of the comparison too.
    const auto actual = nlohmann::ordered_json::parse(text);
    const auto wanted = nlohmann::ordered_json::parse(view(expected));
    QVERIFY2(actual == wanted, (text + "\nexpected\n" + wanted.dump(2)).c_str());
    // Numbers keep their JSON kind: == alone treats 45 and 45.0 as equal.
    QCOMPARE(actual.flatten().dump(), wanted.flatten().dump());
    QVERIFY(text.ends_with("}\n"));
}

// A bank is written only beside a Gabor filter, and a preset without one
// loads without one.
void TestPreset::bankOnlyWithGabor_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<bool>("written");
    const ks::BankSpec bank{4, 2, 3, ks::BankCombine::Max};
    for (ks::FilterKind kind : ks::kAllFilterKinds) {
        Document d = withFilter(ks::defaultSpec(kind));
        d.bank = bank;
        if (kind == ks::FilterKind::Gabor)
            d.filter = ks::GaborSpec{31, 2, 0, 10, 0.5, 0};
        QTest::addRow("%s with a bank", std::string(ks::filterName(kind)).c_str())
            << d << (kind == ks::FilterKind::Gabor);
    }
    QTest::newRow("gabor without a bank") << withFilter(ks::GaborSpec{}) << false;
}

void TestPreset::bankOnlyWithGabor()
{
    QFETCH(Document, document);
    QFETCH(bool, written);
    const std::string text = ks::presetToJson(document);
    const auto json = nlohmann::json::parse(text);
    QCOMPARE(json.contains("bank"), written);
    const ks::PresetLoad load = ks::presetFromJson(text);
    QCOMPARE(load.document.bank.has_value(), written);
    if (written)
        QVERIFY(*load.document.bank == *document.bank);
    Document expected = document;
    if (!written)
        expected.bank.reset();
    QVERIFY(load.document == expected);
    QVERIFY(load.warnings.empty());
}

void TestPreset::numberTypesFollowDescriptors_data()
{
    QTest::addColumn<Document>("document");
    for (ks::FilterKind kind : ks::kAllFilterKinds)
        QTest::newRow(std::string(ks::filterName(kind)).c_str())
            << withFilter(ks::defaultSpec(kind));
}

void TestPreset::numberTypesFollowDescriptors()
{
    QFETCH(Document, document);
    const ks::FilterKind kind = ks::kindOf(document.filter);
    const auto filter = nlohmann::json::parse(ks::presetToJson(document)).at("filter");
    QCOMPARE(filter.at("type").get<std::string>(), std::string(ks::filterName(kind)));
    std::size_t expectedMembers = 1 + ks::parameterDescriptors(kind).size();
    if (kind == ks::FilterKind::Custom)
        expectedMembers += 3; // rows, cols, values
    QCOMPARE(filter.size(), expectedMembers);
    for (const ks::ParamDescriptor &d : ks::parameterDescriptors(kind)) {
        const auto &value = filter.at(d.key);
        const double expected = ks::parameterValue(document.filter, d.key);
        switch (d.type) {
        case ks::ParamType::Boolean:
            QVERIFY2(value.is_boolean(), d.key.c_str());
            QCOMPARE(value.get<bool>(), expected != 0);
            break;
        case ks::ParamType::Integer:
        case ks::ParamType::OddInteger:
            QVERIFY2(value.is_number_integer(), d.key.c_str());
            QCOMPARE(value.get<long long>(), static_cast<long long>(expected));
            break;
        case ks::ParamType::Real:
            QVERIFY2(value.is_number_float(), d.key.c_str());
            QCOMPARE(value.get<double>(), expected);
            break;
        }
    }
}

// ---------------------------------------------------------------- bad presets

void TestPreset::badPresets_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path"); ///< the message starts with "path: " (empty: no path)
    QTest::addColumn<QString>("problem");

    // Not a preset at all.
    QTest::newRow("syntax error")
        << QByteArray("{\"format\": \"kernelscope-preset\",\n \"version\": 1,\n    ]\n}") << ""
        << "not valid JSON at line 3, column 5: syntax error";
    QTest::newRow("empty text") << QByteArray() << ""
                                << "not valid JSON at line 1, column 1: syntax error while parsing "
                                   "value - unexpected end of input";
    QTest::newRow("trailing text") << preset("") + " extra"
                                   << ""
                                   << "not valid JSON at line 1, column";
    QTest::newRow("number overflow") << preset(R"("display": {"gain": 1e400})") << ""
                                     << "not valid JSON: number overflow parsing '1e400'";
    QTest::newRow("array at top") << QByteArray("[1, 2]") << ""
                                  << "expected a JSON object, got an array";

    // Header.
    QTest::newRow("missing format") << QByteArray(R"({"version": 1})") << "/format"
                                    << "missing: this is not a Kernelscope preset";
    QTest::newRow("wrong format") << QByteArray(R"({"format": "kernelscope-kernel", "version": 1})")
                                  << "/format"
                                  << "'kernelscope-kernel' is not a Kernelscope preset (expected "
                                     "\"kernelscope-preset\")";
    QTest::newRow("format not a string")
        << QByteArray(R"({"format": 1, "version": 1})") << "/format"
        << "expected a string, got a number";
    QTest::newRow("missing version")
        << QByteArray(R"({"format": "kernelscope-preset"})") << "/version"
        << "missing (this Kernelscope reads version 1)";
    QTest::newRow("version 2") << QByteArray(R"({"format": "kernelscope-preset", "version": 2})")
                               << "/version"
                               << "version 2 is not supported: this Kernelscope reads version 1";
    QTest::newRow("version string")
        << QByteArray(R"({"format": "kernelscope-preset", "version": "1"})") << "/version"
        << "expected a number, got a string";

    // Filter.
    QTest::newRow("filter not an object") << preset(R"("filter": "gabor")") << "/filter"
                                          << "expected an object, got a string";
    QTest::newRow("filter without type") << preset(R"("filter": {"sigma": 2})") << "/filter/type"
                                         << "missing";
    QTest::newRow("unknown filter")
        << preset(R"("filter": {"type": "sobel"})") << "/filter/type"
        << "unknown filter 'sobel' (expected none, gabor, gaussian, box, derivative or custom)";
    QTest::newRow("sigma a string")
        << preset(R"("filter": {"type": "gaussian", "sigma": "2"})") << "/filter/sigma"
        << "expected a number, got a string";
    QTest::newRow("sigma null") << preset(R"("filter": {"type": "gabor", "sigma": null})")
                                << "/filter/sigma"
                                << "expected a number, got null";
    QTest::newRow("sigma negative")
        << preset(R"("filter": {"type": "gaussian", "sigma": -1})") << "/filter/sigma"
        << "sigma = -1 is out of range: allowed 0.1 to 100 px";
    QTest::newRow("ksize not whole")
        << preset(R"("filter": {"type": "box", "ksize": 3.5})") << "/filter/ksize"
        << "ksize = 3.5 must be an odd whole number from 1 to 1001";
    QTest::newRow("ksize even") << preset(R"("filter": {"type": "gabor", "ksize": 4})")
                                << "/filter/ksize"
                                << "ksize = 4 must be an odd whole number from 1 to 301";
    QTest::newRow("order 3") << preset(R"("filter": {"type": "derivative", "order": 3})")
                             << "/filter/order"
                             << "order = 3 must be a whole number from 1 to 2";
    QTest::newRow("boolean as number")
        << preset(R"("filter": {"type": "box", "normalized": 1})") << "/filter/normalized"
        << "expected true or false, got a number";
    QTest::newRow("number as boolean")
        << preset(R"("filter": {"type": "gabor", "theta": true})") << "/filter/theta"
        << "expected a number, got a boolean";

    // Custom matrix.
    QTest::newRow("ragged matrix")
        << preset(R"("filter": {"type": "custom", "values": [[1, 2, 3], [4, 5], [6, 7, 8]]})")
        << "/filter/values/1"
        << "ragged matrix: this row has 2 values, the first has 3";
    QTest::newRow("tap a string")
        << preset(R"("filter": {"type": "custom", "values": [[1, "2"], [3, 4]]})")
        << "/filter/values/0/1"
        << "expected a number, got a string";
    QTest::newRow("values an object")
        << preset(R"("filter": {"type": "custom", "values": {"0": [1]}})") << "/filter/values"
        << "expected an array of rows, got an object";
    QTest::newRow("flat values") << preset(R"("filter": {"type": "custom", "values": [1, 2, 3]})")
                                 << "/filter/values/0"
                                 << "expected a row (an array of numbers), got a number";
    QTest::newRow("rows disagree")
        << preset(R"("filter": {"type": "custom", "rows": 3, "values": [[1, 2], [3, 4]]})")
        << "/filter/rows"
        << "rows = 3 does not match /filter/values, which has 2 rows";
    QTest::newRow("cols disagree")
        << preset(R"("filter": {"type": "custom", "cols": 3, "values": [[1, 2], [3, 4]]})")
        << "/filter/cols"
        << "cols = 3 does not match /filter/values, which has 2 columns";
    QTest::newRow("rows not whole")
        << preset(R"("filter": {"type": "custom", "rows": 2.5, "values": [[1]]})") << "/filter/rows"
        << "rows = 2.5 must be a whole number";
    QTest::newRow("empty matrix") << preset(R"("filter": {"type": "custom", "values": []})")
                                  << "/filter/values"
                                  << "matrix is 0 x 0: allowed 1 to 301 rows and columns";
    {
        QByteArray wide = R"("filter": {"type": "custom", "values": [[)";
        for (int i = 0; i < 302; ++i)
            wide += i ? ", 1" : "1";
        wide += "]]}";
        QTest::newRow("matrix too large") << preset(wide.constData()) << "/filter/values"
                                          << "matrix is 1 x 302: allowed 1 to 301 rows and columns";
    }
    QTest::newRow("size without values")
        << preset(R"("filter": {"type": "custom", "rows": 2, "cols": 2})") << "/filter/values"
        << "missing (rows and cols need the matrix itself)";
    QTest::newRow("normalize zero sum")
        << preset(R"("filter": {"type": "custom", "values": [[1, -1]], "normalize": true})")
        << "/filter/normalize"
        << "the taps sum to 0";

    // Options and display.
    QTest::newRow("unknown colour mode")
        << preset(R"("color": "grey")") << "/color"
        << "unknown colour mode 'grey' (expected per-channel or gray)";
    QTest::newRow("unknown border")
        << preset(R"("border": "mirror")") << "/border"
        << "unknown border mode 'mirror' (expected reflect101, reflect, replicate, constant or "
           "wrap)";
    QTest::newRow("border a number") << preset(R"("border": 4)") << "/border"
                                     << "expected a string, got a number";
    QTest::newRow("display an array") << preset(R"("display": ["abs", 2])") << "/display"
                                      << "expected an object, got an array";
    QTest::newRow("unknown display mode")
        << preset(R"("display": {"mode": "log"})") << "/display/mode"
        << "unknown display mode 'log' (expected clamp, abs, offset, normalize or raw)";
    QTest::newRow("negative gain")
        << preset(R"("display": {"mode": "abs", "gain": -1})") << "/display/gain"
        << "gain = -1 must be a finite number >= 0 (0 = automatic)";

    // Regions.
    const char *const rect = R"("x": 1, "y": 2, "width": 3, "height": 4)";
    const auto oneRegion = [&](const char *extra) {
        return preset(("\"regions\": [{" + std::string(rect) + extra + "}]").c_str());
    };
    QTest::newRow("regions an object") << preset(R"("regions": {"x": 1})") << "/regions"
                                       << "expected an array, got an object";
    QTest::newRow("region a number") << preset(R"("regions": [7])") << "/regions/0"
                                     << "expected an object, got a number";
    QTest::newRow("negative width")
        << preset(R"("regions": [{"x": 0, "y": 0, "width": 5, "height": 5},
                                 {"x": 0, "y": 0, "width": 5, "height": 5},
                                 {"x": 0, "y": 0, "width": -5, "height": 5}])")
        << "/regions/2/width"
        << "width = -5 must be a whole number from 0 to 2147483647 px";
    QTest::newRow("missing height")
        << preset(R"("regions": [{"x": 0, "y": 0, "width": 5}])") << "/regions/0/height"
        << "missing";
    QTest::newRow("x not whole") << preset(R"("regions": [{"x": 1.5, "y": 0, "width": 5,
                                                           "height": 5}])")
                                 << "/regions/0/x"
                                 << "x = 1.5 must be a whole number from "
                                    "-2147483648 to 2147483647 px";
    QTest::newRow("x beyond int") << preset(R"("regions": [{"x": 1e10, "y": 0, "width": 5,
                                                            "height": 5}])")
                                  << "/regions/0/x"
                                  << "must be a whole number from -2147483648";
    QTest::newRow("right edge beyond int")
        << preset(R"("regions": [{"x": 2147483600, "y": 0, "width": 100, "height": 5}])")
        << "/regions/0/width"
        << "x + width = 2147483700 is beyond the largest coordinate 2147483647";
    QTest::newRow("y a string") << preset(R"("regions": [{"x": 0, "y": "0", "width": 5,
                                                          "height": 5}])")
                                << "/regions/0/y"
                                << "expected a number, got a string";
    QTest::newRow("unknown method")
        << oneRegion(R"(, "method": "mosaic")") << "/regions/0/method"
        << "unknown region method 'mosaic' (expected gaussian, pixelate or box)";
    QTest::newRow("region sigma 0")
        << oneRegion(R"(, "method": "gaussian", "sigma": 0)") << "/regions/0/sigma"
        << "sigma = 0 is out of range: allowed 0.1 to 200 px";
    QTest::newRow("cell not whole")
        << oneRegion(R"(, "method": "pixelate", "cell": 2.5)") << "/regions/0/cell"
        << "cell = 2.5 must be a whole number from 1 to 1000 px";
    QTest::newRow("box ksize even")
        << oneRegion(R"(, "method": "box", "ksize": 4)") << "/regions/0/ksize"
        << "ksize = 4 must be an odd whole number from 1 to 1001 px";
    QTest::newRow("negative feather") << oneRegion(R"(, "feather": -1)") << "/regions/0/feather"
                                      << "feather = -1 must be a whole number from 0 to 1000 px";

    // The bank: ranges from its descriptors, each named by its pointer.
    const auto bank = [](const char *members) {
        return preset((std::string(R"("filter": {"type": "gabor"}, "bank": )") + members).c_str());
    };
    QTest::newRow("bank not an object") << bank("[8, 2]") << "/bank"
                                        << "expected an object, got an array";
    QTest::newRow("orientations 1") << bank(R"({"orientations": 1})") << "/bank/orientations"
                                    << "orientations = 1 must be a whole number from 2 to 16";
    QTest::newRow("orientations 17") << bank(R"({"orientations": 17})") << "/bank/orientations"
                                     << "orientations = 17 must be a whole number from 2 to 16";
    QTest::newRow("orientations 4.5") << bank(R"({"orientations": 4.5})") << "/bank/orientations"
                                      << "orientations = 4.5 must be a whole number";
    QTest::newRow("orientations a string")
        << bank(R"({"orientations": "8"})") << "/bank/orientations"
        << "expected a number, got a string";
    QTest::newRow("scales 0") << bank(R"({"scales": 0})") << "/bank/scales"
                              << "scales = 0 must be a whole number from 1 to 4";
    QTest::newRow("scales 5") << bank(R"({"scales": 5})") << "/bank/scales"
                              << "scales = 5 must be a whole number from 1 to 4";
    QTest::newRow("ratio 1") << bank(R"({"ratio": 1})") << "/bank/ratio"
                             << "ratio = 1 is out of range: allowed 1.1 to 4";
    QTest::newRow("ratio 4.5") << bank(R"({"ratio": 4.5})") << "/bank/ratio"
                               << "ratio = 4.5 is out of range: allowed 1.1 to 4";
    QTest::newRow("ratio null") << bank(R"({"ratio": null})") << "/bank/ratio"
                                << "expected a number, got null";
    QTest::newRow("unknown combine") << bank(R"({"combine": "sum"})") << "/bank/combine"
                                     << "unknown bank combination 'sum' (expected max or energy)";
    QTest::newRow("combine a number") << bank(R"({"combine": 1})") << "/bank/combine"
                                      << "expected a string, got a number";
    // sigma 30 * 2^2 = 120 at the third scale; the bank may come before the filter.
    QTest::newRow("largest scale beyond sigma")
        << preset(R"("bank": {"scales": 3}, "filter": {"type": "gabor", "sigma": 30})")
        << "/bank/scales"
        << "scales = 3 with ratio 2 takes the Gabor out of range at scale 3: sigma = 120 is out "
           "of range: allowed 0.1 to 100 px";

    // Names taken from the file stay on one line.
    QTest::newRow("control characters in a name") << preset(R"("border": "a\nb")") << "/border"
                                                  << "unknown border mode 'a\\u000ab'";
}

void TestPreset::badPresets()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(QString, problem);
    const auto message = presetErrorOf([&] { ks::presetFromJson(view(json)); });
    QVERIFY2(message, "no PresetError");
    const QString text = QString::fromStdString(*message);
    if (!path.isEmpty())
        QVERIFY2(text.startsWith(path + ": "), qPrintable(text));
    else
        QVERIFY2(!text.startsWith("/"), qPrintable(text));
    QVERIFY2(text.contains(problem), qPrintable(text));
    QVERIFY2(!text.contains('\n'), qPrintable(text));
}

// ---------------------------------------------------------------- unknown keys

void TestPreset::unknownKeysWarn_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("warnings");
    QTest::addColumn<Document>("document");

    QTest::newRow("top level") << preset(R"("colour": "gray", "border": "wrap")")
                               << QStringList{"/colour: unknown key, ignored"} << [] {
                                      Document d;
                                      d.options.border = ks::BorderMode::Wrap;
                                      return d;
                                  }();
    QTest::newRow("in filter") << preset(R"("filter": {"type": "gaussian", "colour": "gray",
                                                        "sigma": 3})")
                               << QStringList{"/filter/colour: unknown key, ignored"}
                               << withFilter(ks::GaussianSpec{0, 3});
    QTest::newRow("parameter of another filter")
        << preset(R"("filter": {"type": "gaussian", "theta": 30, "ksize": 5, "rows": 3})")
        << QStringList{"/filter/theta: unknown key, ignored", "/filter/rows: unknown key, ignored"}
        << withFilter(ks::GaussianSpec{5, 2});
    QTest::newRow("in display") << preset(R"("display": {"scale": 2, "mode": "abs"})")
                                << QStringList{"/display/scale: unknown key, ignored"} << [] {
                                       Document d;
                                       d.display.mode = ks::DisplayMode::Abs;
                                       return d;
                                   }();
    QTest::newRow("strength key of another method")
        << preset(R"("regions": [{"x": 1, "y": 2, "width": 3, "height": 4},
                                 {"x": 1, "y": 2, "width": 3, "height": 4,
                                  "method": "pixelate", "sigma": 3, "label": "face"}])")
        << QStringList{"/regions/1/sigma: unknown key, ignored",
                       "/regions/1/label: unknown key, ignored"}
        << [] {
               Document d;
               d.regions = {region({1, 2, 3, 4}, RegionMethod::Gaussian, 8, 0),
                            region({1, 2, 3, 4}, RegionMethod::Pixelate, 16, 0)};
               return d;
           }();
    QTest::newRow("in file order")
        << preset(R"("zeta": 1, "filter": {"type": "none", "sigma": 2}, "alpha": {"x": 1})")
        << QStringList{"/zeta: unknown key, ignored", "/filter/sigma: unknown key, ignored",
                       "/alpha: unknown key, ignored"}
        << Document{};
    QTest::newRow("pointer escapes")
        << preset(R"("filter": {"type": "none", "a/b~c": 1})")
        << QStringList{"/filter/a~1b~0c: unknown key, ignored"} << Document{};
    QTest::newRow("in bank")
        << preset(R"("filter": {"type": "gabor"}, "bank": {"orientation": 4, "scales": 2})")
        << QStringList{"/bank/orientation: unknown key, ignored"} << [] {
               Document d = withFilter(ks::GaborSpec{});
               d.bank = ks::BankSpec{8, 2, 2, ks::BankCombine::Max};
               return d;
           }();
    // A bank has no effect beside another filter: it is dropped with a
    // warning, whatever it holds.
    QTest::newRow("bank beside a box")
        << preset(R"("bank": {"orientations": 4, "colour": 1}, "filter": {"type": "box"})")
        << QStringList{"/bank/colour: unknown key, ignored",
                       "/bank: ignored: a bank applies to the gabor filter only, not box"}
        << withFilter(ks::BoxSpec{});
    QTest::newRow("bank without a filter")
        << preset(R"("bank": {})")
        << QStringList{"/bank: ignored: a bank applies to the gabor filter only, not none"}
        << Document{};
}

void TestPreset::unknownKeysWarn()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, warnings);
    QFETCH(Document, document);
    const ks::PresetLoad load = ks::presetFromJson(view(json));
    QCOMPARE(toQStringList(load.warnings), warnings);
    QVERIFY(load.document == document);
}

// ---------------------------------------------------------------- defaults

void TestPreset::missingMembersTakeDefaults_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<Document>("document");

    QTest::newRow("header only") << preset("") << Document{};
    for (ks::FilterKind kind : ks::kAllFilterKinds) {
        const std::string members =
            R"("filter": {"type": ")" + std::string(ks::filterName(kind)) + "\"}";
        QTest::newRow(("bare " + std::string(ks::filterName(kind))).c_str())
            << preset(members.c_str()) << withFilter(ks::defaultSpec(kind));
    }
    QTest::newRow("some gabor parameters")
        << preset(R"("filter": {"type": "gabor", "sigma": 6, "psi": 90})") << [] {
               ks::GaborSpec gabor;
               gabor.sigma = 6;
               gabor.psi_deg = 90;
               return withFilter(gabor);
           }();
    QTest::newRow("custom matrix without sizes")
        << preset(R"("filter": {"type": "custom", "values": [[1, 2], [3, 4], [5, 6]]})")
        << withFilter(ks::CustomSpec{3, 2, {1, 2, 3, 4, 5, 6}, false});
    QTest::newRow("display gain only") << preset(R"("display": {"gain": 2})") << [] {
        Document d;
        d.display.gain = 2;
        return d;
    }();
    for (RegionMethod method :
         {RegionMethod::Gaussian, RegionMethod::Pixelate, RegionMethod::Box}) {
        const std::string name(ks::regionMethodName(method));
        const std::string members =
            R"("regions": [{"x": 1, "y": 2, "width": 3, "height": 4, "method": ")" + name + "\"}]";
        Document d;
        d.regions = {region({1, 2, 3, 4}, method,
                            ks::regionParameterDescriptors(method)[0].defaultValue, 0)};
        QTest::newRow(("region " + name).c_str()) << preset(members.c_str()) << d;
    }
    QTest::newRow("region without method")
        << preset(R"("regions": [{"x": 1, "y": 2, "width": 3, "height": 4}])") << [] {
               Document d;
               d.regions = {region({1, 2, 3, 4}, RegionMethod::Gaussian, 8, 0)};
               return d;
           }();
    // Whole numbers written as reals are accepted; huge taps are fine.
    QTest::newRow("whole reals") << QByteArray(R"({"format": "kernelscope-preset",
        "version": 1.0, "filter": {"type": "box", "ksize": 31.0},
        "regions": [{"x": -1.0, "y": 2.0, "width": 3.0, "height": 4.0, "feather": 2.0}]})")
                                 <<
        [] {
            Document d = withFilter(ks::BoxSpec{31, true});
            d.regions = {region({-1, 2, 3, 4}, RegionMethod::Gaussian, 8, 2)};
            return d;
        }();
    QTest::newRow("huge taps")
        << preset(R"("filter": {"type": "custom", "values": [[1e300, -1e300, 1e-300]]})")
        << withFilter(ks::CustomSpec{1, 3, {1e300, -1e300, 1e-300}, false});
    QTest::newRow("empty bank") << preset(R"("filter": {"type": "gabor"}, "bank": {})") << [] {
        Document d = withFilter(ks::GaborSpec{});
        d.bank = ks::BankSpec{};
        return d;
    }();
    QTest::newRow("bank with whole reals")
        << preset(R"("filter": {"type": "gabor"}, "bank": {"scales": 2.0, "orientations": 4.0,
                                                           "ratio": 3})")
        << [] {
               Document d = withFilter(ks::GaborSpec{});
               d.bank = ks::BankSpec{4, 2, 3, ks::BankCombine::Max};
               return d;
           }();
    QTest::newRow("byte order mark")
        << QByteArray("\xEF\xBB\xBF") + preset(R"("color": "gray")") << [] {
               Document d;
               d.options.color = ks::ColorMode::Gray;
               return d;
           }();
}

void TestPreset::missingMembersTakeDefaults()
{
    QFETCH(QByteArray, json);
    QFETCH(Document, document);
    const ks::PresetLoad load = ks::presetFromJson(view(json));
    QVERIFY2(load.document == document, ks::presetToJson(load.document).c_str());
    QCOMPARE(toQStringList(load.warnings), QStringList());
}

// ---------------------------------------------------------------- writing invalid documents

void TestPreset::refusesToWriteInvalidDocuments_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<QString>("key");

    QTest::newRow("sigma") << withFilter(ks::GaussianSpec{0, -1}) << "sigma";
    QTest::newRow("matrix") << withFilter(ks::CustomSpec{2, 2, {1, 2, 3}, false}) << "matrix";
    Document gain;
    gain.display = {ks::DisplayMode::Abs, -2};
    QTest::newRow("gain") << gain << "gain";
    Document width;
    width.regions = {region({0, 0, -3, 4}, RegionMethod::Gaussian, 8, 0)};
    QTest::newRow("region width") << width << "width";
    Document strength;
    strength.regions = {region({0, 0, 3, 4}, RegionMethod::Pixelate, 0.5, 0)};
    QTest::newRow("region cell") << strength << "cell";
    Document bank = withFilter(ks::GaborSpec{});
    bank.bank = ks::BankSpec{1, 1, 2, ks::BankCombine::Max};
    QTest::newRow("bank orientations") << bank << "orientations";
    Document scales = withFilter(ks::GaborSpec{31, 60, 0, 10, 0.5, 0});
    scales.bank = ks::BankSpec{8, 2, 2, ks::BankCombine::Max};
    QTest::newRow("bank beyond sigma") << scales << "scales";
}

void TestPreset::refusesToWriteInvalidDocuments()
{
    QFETCH(Document, document);
    QFETCH(QString, key);
    try {
        ks::presetToJson(document);
        QFAIL("no ParameterError");
    } catch (const ks::ParameterError &e) {
        QCOMPARE(QString::fromStdString(e.key()), key);
    }
}

// ---------------------------------------------------------------- files

void TestPreset::fileRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path path =
        std::filesystem::path(dir.path().toStdString()) / "my preset.json";
    Document document = withFilter(ks::CustomSpec{1, 3, {1, 2, 1}, true});
    document.options = {ks::BorderMode::Reflect, ks::ColorMode::Gray};
    document.display = {ks::DisplayMode::Normalize, 0};
    document.regions = {region({3, 4, 5, 6}, RegionMethod::Box, 9, 2)};

    ks::savePreset(path, document);
    QCOMPARE(readText(path), ks::presetToJson(document));
    const ks::PresetLoad load = ks::loadPreset(path);
    QVERIFY(load.document == document);
    QCOMPARE(toQStringList(load.warnings), QStringList());

    // Saving again replaces the file.
    ks::savePreset(path, Document{});
    QVERIFY(ks::loadPreset(path).document == Document{});
    QCOMPARE(std::distance(std::filesystem::directory_iterator(path.parent_path()),
                           std::filesystem::directory_iterator()),
             1);
}

void TestPreset::fileErrorsNameTheFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path path = std::filesystem::path(dir.path().toStdString()) / "my.json";
    std::ofstream(path) << preset(R"("filter": {"type": "gaussian", "sigma": -1})").constData();
    const auto message = presetErrorOf([&] { ks::loadPreset(path); });
    QVERIFY2(message, "no PresetError");
    QCOMPARE(QString::fromStdString(*message),
             QString::fromStdString(path.string() +
                                    ": /filter/sigma: sigma = -1 is out of range: allowed 0.1 "
                                    "to 100 px"));
}

void TestPreset::fileWarningsNameTheFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path path = std::filesystem::path(dir.path().toStdString()) / "my.json";
    std::ofstream(path) << preset(R"("filter": {"type": "box", "colour": 1})").constData();
    const ks::PresetLoad load = ks::loadPreset(path);
    QVERIFY(load.document == withFilter(ks::BoxSpec{}));
    QCOMPARE(toQStringList(load.warnings), QStringList{QString::fromStdString(path.string()) +
                                                       ": /filter/colour: unknown key, ignored"});
}

void TestPreset::missingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path path =
        std::filesystem::path(dir.path().toStdString()) / "absent.json";
    try {
        ks::loadPreset(path);
        QFAIL("no FileError");
    } catch (const ks::FileError &e) {
        QVERIFY2(QString(e.what()).contains("absent.json"), e.what());
    }
}

void TestPreset::unwritableFolder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path folder =
        std::filesystem::path(dir.path().toStdString()) / "no such folder";
    try {
        ks::savePreset(folder / "p.json", Document{});
        QFAIL("no FileError");
    } catch (const ks::FileError &e) {
        QVERIFY2(QString(e.what()).contains("p.json"), e.what());
    }
    QVERIFY(!std::filesystem::exists(folder));
}

QTEST_APPLESS_MAIN(TestPreset)
#include "tst_preset.moc"
