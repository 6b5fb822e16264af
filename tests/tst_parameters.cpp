// Tests for core/parameters, core/filter_spec and core/border: the descriptor
// table, checking and setting of values, validation of whole specs, and the
// machine names of filters and border modes.

#include "core/border.h"
#include "core/errors.h"
#include "core/filter_spec.h"
#include "core/parameters.h"

#include <opencv2/core.hpp>

#include <QStringList>
#include <QTest>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

Q_DECLARE_METATYPE(ks::FilterKind)
Q_DECLARE_METATYPE(ks::FilterSpec)
Q_DECLARE_METATYPE(ks::ParamType)
Q_DECLARE_METATYPE(ks::BorderMode)

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// A number as a user would read it: "0.1", "100", "-1", "3.5", "nan", "inf".
std::string printed(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

bool containsNoCase(const std::string &haystack, const std::string &needle)
{
    return lowercase(haystack).find(lowercase(needle)) != std::string::npos;
}

/// The struct field behind a parameter key, read directly (not through
/// parameterValue); nullopt when the spec has no such field.
std::optional<double> fieldOf(const ks::FilterSpec &spec, std::string_view key)
{
    if (const auto *g = std::get_if<ks::GaborSpec>(&spec)) {
        if (key == "ksize")
            return g->ksize;
        if (key == "sigma")
            return g->sigma;
        if (key == "theta")
            return g->theta_deg;
        if (key == "lambda")
            return g->lambda;
        if (key == "gamma")
            return g->gamma;
        if (key == "psi")
            return g->psi_deg;
    } else if (const auto *ga = std::get_if<ks::GaussianSpec>(&spec)) {
        if (key == "ksize")
            return ga->ksize;
        if (key == "sigma")
            return ga->sigma;
    } else if (const auto *b = std::get_if<ks::BoxSpec>(&spec)) {
        if (key == "ksize")
            return b->ksize;
        if (key == "normalized")
            return b->normalized ? 1.0 : 0.0;
    } else if (const auto *d = std::get_if<ks::DerivativeSpec>(&spec)) {
        if (key == "order")
            return d->order;
        if (key == "angle")
            return d->angle_deg;
        if (key == "sigma")
            return d->sigma;
        if (key == "ksize")
            return d->ksize;
    } else if (const auto *c = std::get_if<ks::CustomSpec>(&spec)) {
        if (key == "normalize")
            return c->normalize ? 1.0 : 0.0;
    }
    return std::nullopt;
}

/// The ParameterError thrown by f, or nullopt if it returned normally.
template <class F> std::optional<ks::ParameterError> parameterErrorOf(F &&f)
{
    try {
        f();
    } catch (const ks::ParameterError &e) {
        return e;
    }
    return std::nullopt;
}

const char *kindTag(ks::FilterKind kind)
{
    switch (kind) {
    case ks::FilterKind::Identity:
        return "identity";
    case ks::FilterKind::Gabor:
        return "gabor";
    case ks::FilterKind::Gaussian:
        return "gaussian";
    case ks::FilterKind::Box:
        return "box";
    case ks::FilterKind::Derivative:
        return "derivative";
    case ks::FilterKind::Custom:
        return "custom";
    }
    return "?";
}

struct ExpectedRange {
    ks::FilterKind kind;
    const char *key;
    ks::ParamType type;
    double min;
    double max;
    bool zeroIsAuto;
    const char *unit; ///< nullptr: not specified
};

// The ranges the program promises (the table the GUI and command line use).
const ExpectedRange kExpectedRanges[] = {
    {ks::FilterKind::Gabor, "ksize", ks::ParamType::OddInteger, 1, 301, false, nullptr},
    {ks::FilterKind::Gabor, "sigma", ks::ParamType::Real, 0.1, 100, false, "px"},
    {ks::FilterKind::Gabor, "theta", ks::ParamType::Real, 0, 360, false, "deg"},
    {ks::FilterKind::Gabor, "lambda", ks::ParamType::Real, 2, 1000, false, "px"},
    {ks::FilterKind::Gabor, "gamma", ks::ParamType::Real, 0.01, 10, false, nullptr},
    {ks::FilterKind::Gabor, "psi", ks::ParamType::Real, -180, 180, false, "deg"},
    {ks::FilterKind::Gaussian, "ksize", ks::ParamType::OddInteger, 1, 1001, true, nullptr},
    {ks::FilterKind::Gaussian, "sigma", ks::ParamType::Real, 0.1, 100, false, "px"},
    {ks::FilterKind::Box, "ksize", ks::ParamType::OddInteger, 1, 1001, false, nullptr},
    {ks::FilterKind::Box, "normalized", ks::ParamType::Boolean, 0, 1, false, nullptr},
    {ks::FilterKind::Derivative, "order", ks::ParamType::Integer, 1, 2, false, nullptr},
    {ks::FilterKind::Derivative, "angle", ks::ParamType::Real, 0, 360, false, "deg"},
    {ks::FilterKind::Derivative, "sigma", ks::ParamType::Real, 0.1, 100, false, "px"},
    {ks::FilterKind::Derivative, "ksize", ks::ParamType::OddInteger, 3, 1001, false, nullptr},
    {ks::FilterKind::Custom, "normalize", ks::ParamType::Boolean, 0, 1, false, nullptr},
};

} // namespace

class TestParameters : public QObject {
    Q_OBJECT

private slots:
    void descriptorsAreWellFormed_data();
    void descriptorsAreWellFormed();
    void descriptorKeys_data();
    void descriptorKeys();
    void descriptorRanges_data();
    void descriptorRanges();
    void findParameter_data();
    void findParameter();

    void roundTrip_data();
    void roundTrip();
    void badValues_data();
    void badValues();
    void goodValues_data();
    void goodValues();
    void unknownKey_data();
    void unknownKey();

    void validateRejects_data();
    void validateRejects();
    void validateAccepts_data();
    void validateAccepts();

    void filterNames_data();
    void filterNames();
    void unknownFilterNames_data();
    void unknownFilterNames();
    void borderNames_data();
    void borderNames();
    void unknownBorderNames();
    void isSmoothing_data();
    void isSmoothing();
};

// ---------------------------------------------------------------- descriptors

void TestParameters::descriptorsAreWellFormed_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    for (const ks::FilterKind kind : ks::kAllFilterKinds) {
        QTest::newRow(kindTag(kind)) << kind;
    }
}

void TestParameters::descriptorsAreWellFormed()
{
    QFETCH(ks::FilterKind, kind);

    const ks::FilterSpec defaults = ks::defaultSpec(kind);
    QCOMPARE(int(ks::kindOf(defaults)), int(kind));

    std::set<std::string> keys;
    std::set<std::string> labels;
    for (const ks::ParamDescriptor &d : ks::parameterDescriptors(kind)) {
        const std::string where = std::string(kindTag(kind)) + "." + d.key;
        QVERIFY2(!d.key.empty(), where.c_str());
        QVERIFY2(!d.label.empty(), where.c_str());
        QVERIFY2(keys.insert(d.key).second, ("duplicate key " + where).c_str());
        QVERIFY2(labels.insert(d.label).second, ("duplicate label " + where).c_str());
        QVERIFY2(!d.help.empty() && d.help.back() == '.',
                 ("help must end with '.': " + where).c_str());
        QVERIFY2(d.help.find('\n') == std::string::npos,
                 ("help must be one line: " + where).c_str());
        QVERIFY2(d.min < d.max, where.c_str());
        QVERIFY2(d.step > 0, where.c_str());
        QVERIFY2(std::isfinite(d.min) && std::isfinite(d.max) && std::isfinite(d.step),
                 where.c_str());

        const bool autoDefault = d.zeroIsAuto && d.defaultValue == 0;
        QVERIFY2(autoDefault || (d.min <= d.defaultValue && d.defaultValue <= d.max),
                 ("default out of range: " + where).c_str());
        const auto complaint = ks::checkParameter(d, d.defaultValue);
        QVERIFY2(!complaint.has_value(), (where + ": " + complaint.value_or("")).c_str());

        // The descriptor's default is the default-constructed spec's field.
        QCOMPARE(ks::parameterValue(defaults, d.key), d.defaultValue);
        const auto field = fieldOf(defaults, d.key);
        QVERIFY2(field.has_value(), ("no struct field for " + where).c_str());
        QCOMPARE(*field, d.defaultValue);

        switch (d.type) {
        case ks::ParamType::OddInteger:
            QVERIFY2(std::trunc(d.defaultValue) == d.defaultValue, where.c_str());
            QVERIFY2(std::fmod(std::abs(d.defaultValue), 2.0) == 1.0 || autoDefault,
                     ("even default: " + where).c_str());
            QVERIFY2(std::fmod(std::abs(d.min), 2.0) == 1.0, ("even min: " + where).c_str());
            QVERIFY2(std::fmod(std::abs(d.max), 2.0) == 1.0, ("even max: " + where).c_str());
            break;
        case ks::ParamType::Integer:
            QVERIFY2(std::trunc(d.defaultValue) == d.defaultValue, where.c_str());
            QVERIFY2(std::trunc(d.min) == d.min && std::trunc(d.max) == d.max, where.c_str());
            break;
        case ks::ParamType::Boolean:
            QCOMPARE(d.min, 0.0);
            QCOMPARE(d.max, 1.0);
            QVERIFY2(d.defaultValue == 0 || d.defaultValue == 1, where.c_str());
            break;
        case ks::ParamType::Real:
            break;
        }
        if (d.zeroIsAuto) {
            QCOMPARE(int(d.type), int(ks::ParamType::OddInteger));
        }
    }
}

void TestParameters::descriptorKeys_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    QTest::addColumn<QStringList>("keys");

    QTest::newRow("identity") << ks::FilterKind::Identity << QStringList{};
    QTest::newRow("gabor") << ks::FilterKind::Gabor
                           << QStringList{"ksize", "sigma", "theta", "lambda", "gamma", "psi"};
    QTest::newRow("gaussian") << ks::FilterKind::Gaussian << QStringList{"ksize", "sigma"};
    QTest::newRow("box") << ks::FilterKind::Box << QStringList{"ksize", "normalized"};
    QTest::newRow("derivative") << ks::FilterKind::Derivative
                                << QStringList{"order", "angle", "sigma", "ksize"};
    QTest::newRow("custom") << ks::FilterKind::Custom << QStringList{"normalize"};
}

void TestParameters::descriptorKeys()
{
    QFETCH(ks::FilterKind, kind);
    QFETCH(QStringList, keys);

    QStringList actual;
    for (const ks::ParamDescriptor &d : ks::parameterDescriptors(kind)) {
        actual << QString::fromStdString(d.key);
    }
    QCOMPARE(actual, keys);
}

void TestParameters::descriptorRanges_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<ks::ParamType>("type");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<bool>("zeroIsAuto");
    QTest::addColumn<QString>("unit");

    for (const ExpectedRange &r : kExpectedRanges) {
        QTest::addRow("%s.%s", kindTag(r.kind), r.key)
            << r.kind << QString(r.key) << r.type << r.min << r.max << r.zeroIsAuto
            << (r.unit ? QString(r.unit) : QString());
    }
}

void TestParameters::descriptorRanges()
{
    QFETCH(ks::FilterKind, kind);
    QFETCH(QString, key);
    QFETCH(ks::ParamType, type);
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(bool, zeroIsAuto);
    QFETCH(QString, unit);

    const ks::ParamDescriptor *d = ks::findParameter(kind, key.toStdString());
    QVERIFY(d != nullptr);
    QCOMPARE(QString::fromStdString(d->key), key);
    QCOMPARE(int(d->type), int(type));
    QCOMPARE(d->min, min);
    QCOMPARE(d->max, max);
    QCOMPARE(d->zeroIsAuto, zeroIsAuto);
    if (!unit.isNull()) {
        QCOMPARE(QString::fromStdString(d->unit), unit);
    }
}

void TestParameters::findParameter_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    for (const ks::FilterKind kind : ks::kAllFilterKinds) {
        QTest::newRow(kindTag(kind)) << kind;
    }
}

void TestParameters::findParameter()
{
    QFETCH(ks::FilterKind, kind);

    for (const ks::ParamDescriptor &d : ks::parameterDescriptors(kind)) {
        const ks::ParamDescriptor *found = ks::findParameter(kind, d.key);
        QVERIFY(found != nullptr);
        QCOMPARE(found->key, d.key);
        QCOMPARE(found->min, d.min);
        QCOMPARE(found->max, d.max);
        QCOMPARE(found->defaultValue, d.defaultValue);
    }
    QVERIFY(ks::findParameter(kind, "bogus") == nullptr);
    QVERIFY(ks::findParameter(kind, "") == nullptr);
    QVERIFY(ks::findParameter(kind, "theta_deg") == nullptr);
}

// ---------------------------------------------------------------- set / get

void TestParameters::roundTrip_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("value");

    const auto row = [](ks::FilterKind kind, const char *key, double value) {
        QTest::addRow("%s.%s = %g", kindTag(kind), key, value) << kind << QString(key) << value;
    };
    row(ks::FilterKind::Gabor, "ksize", 15);
    row(ks::FilterKind::Gabor, "ksize", 1);
    row(ks::FilterKind::Gabor, "ksize", 301);
    row(ks::FilterKind::Gabor, "sigma", 2.5);
    row(ks::FilterKind::Gabor, "sigma", 0.1);
    row(ks::FilterKind::Gabor, "theta", 137.5);
    row(ks::FilterKind::Gabor, "theta", 360);
    row(ks::FilterKind::Gabor, "lambda", 7);
    row(ks::FilterKind::Gabor, "lambda", 2);
    row(ks::FilterKind::Gabor, "gamma", 1.5);
    row(ks::FilterKind::Gabor, "gamma", 0.01);
    row(ks::FilterKind::Gabor, "psi", -45);
    row(ks::FilterKind::Gabor, "psi", -180);
    row(ks::FilterKind::Gabor, "psi", 180);
    row(ks::FilterKind::Gaussian, "ksize", 9);
    row(ks::FilterKind::Gaussian, "ksize", 1001);
    row(ks::FilterKind::Gaussian, "sigma", 1.25);
    row(ks::FilterKind::Gaussian, "sigma", 100);
    row(ks::FilterKind::Box, "ksize", 7);
    row(ks::FilterKind::Box, "ksize", 1);
    row(ks::FilterKind::Box, "normalized", 0);
    row(ks::FilterKind::Derivative, "order", 2);
    row(ks::FilterKind::Derivative, "angle", 225);
    row(ks::FilterKind::Derivative, "angle", 0.5);
    row(ks::FilterKind::Derivative, "sigma", 3.5);
    row(ks::FilterKind::Derivative, "ksize", 21);
    row(ks::FilterKind::Derivative, "ksize", 3);
    row(ks::FilterKind::Custom, "normalize", 1);
}

void TestParameters::roundTrip()
{
    QFETCH(ks::FilterKind, kind);
    QFETCH(QString, key);
    QFETCH(double, value);

    const std::string k = key.toStdString();
    const ks::FilterSpec defaults = ks::defaultSpec(kind);
    QVERIFY2(fieldOf(defaults, k) != value, "test value must differ from the default");

    ks::FilterSpec spec = defaults;
    ks::setParameter(spec, k, value);
    QCOMPARE(int(ks::kindOf(spec)), int(kind));
    QCOMPARE(ks::parameterValue(spec, k), value);
    QVERIFY(fieldOf(spec, k) == value);
    QVERIFY(!(spec == defaults));

    // Only that field changed.
    for (const ks::ParamDescriptor &d : ks::parameterDescriptors(kind)) {
        if (d.key != k) {
            QVERIFY(fieldOf(spec, d.key) == fieldOf(defaults, d.key));
            QCOMPARE(ks::parameterValue(spec, d.key), d.defaultValue);
        }
    }
    QVERIFY(!ks::checkParameter(*ks::findParameter(kind, k), value).has_value());
    ks::validate(spec);

    // And back to the default.
    ks::setParameter(spec, k, *fieldOf(defaults, k));
    QVERIFY(spec == defaults);
}

void TestParameters::badValues_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("value");

    const auto row = [](ks::FilterKind kind, const char *key, double value, const char *why) {
        QTest::addRow("%s.%s = %g (%s)", kindTag(kind), key, value, why)
            << kind << QString(key) << value;
    };
    const auto nonFinite = [&row](ks::FilterKind kind, const char *key) {
        row(kind, key, kNaN, "NaN");
        row(kind, key, kInf, "+inf");
        row(kind, key, -kInf, "-inf");
    };

    using K = ks::FilterKind;
    row(K::Gabor, "ksize", -1, "below min");
    row(K::Gabor, "ksize", 0, "below min, not auto");
    row(K::Gabor, "ksize", 303, "above max");
    row(K::Gabor, "ksize", 4, "even");
    row(K::Gabor, "ksize", 302, "even above max");
    row(K::Gabor, "ksize", 3.5, "not an integer");
    nonFinite(K::Gabor, "ksize");
    row(K::Gabor, "sigma", 0, "zero");
    row(K::Gabor, "sigma", -1, "negative");
    row(K::Gabor, "sigma", 0.05, "below min");
    row(K::Gabor, "sigma", 150, "above max");
    nonFinite(K::Gabor, "sigma");
    row(K::Gabor, "theta", -10, "below min");
    row(K::Gabor, "theta", 400, "above max");
    nonFinite(K::Gabor, "theta");
    row(K::Gabor, "lambda", 0, "zero");
    row(K::Gabor, "lambda", -5, "negative");
    row(K::Gabor, "lambda", 1.5, "below min");
    row(K::Gabor, "lambda", 1500.5, "above max");
    nonFinite(K::Gabor, "lambda");
    row(K::Gabor, "gamma", 0, "zero");
    row(K::Gabor, "gamma", -0.5, "negative");
    row(K::Gabor, "gamma", 0.005, "below min");
    row(K::Gabor, "gamma", 20, "above max");
    nonFinite(K::Gabor, "gamma");
    row(K::Gabor, "psi", -200, "below min");
    row(K::Gabor, "psi", 190, "above max");
    nonFinite(K::Gabor, "psi");

    row(K::Gaussian, "ksize", 2, "even");
    row(K::Gaussian, "ksize", -1, "negative");
    row(K::Gaussian, "ksize", 1003, "above max");
    row(K::Gaussian, "ksize", 3.5, "not an integer");
    row(K::Gaussian, "ksize", 0.5, "not an integer near auto");
    nonFinite(K::Gaussian, "ksize");
    row(K::Gaussian, "sigma", 0, "zero");
    row(K::Gaussian, "sigma", -2, "negative");
    row(K::Gaussian, "sigma", 0.05, "below min");
    row(K::Gaussian, "sigma", 101, "above max");
    nonFinite(K::Gaussian, "sigma");

    row(K::Box, "ksize", 0, "zero");
    row(K::Box, "ksize", 2, "even");
    row(K::Box, "ksize", -3, "negative");
    row(K::Box, "ksize", 1003, "above max");
    row(K::Box, "ksize", 3.5, "not an integer");
    nonFinite(K::Box, "ksize");
    row(K::Box, "normalized", 0.5, "not boolean");
    row(K::Box, "normalized", 2, "above max");
    row(K::Box, "normalized", -1, "below min");
    nonFinite(K::Box, "normalized");

    row(K::Derivative, "order", 0, "below min");
    row(K::Derivative, "order", 3, "above max");
    row(K::Derivative, "order", 1.5, "not an integer");
    nonFinite(K::Derivative, "order");
    row(K::Derivative, "angle", -1, "below min");
    row(K::Derivative, "angle", 361, "above max");
    nonFinite(K::Derivative, "angle");
    row(K::Derivative, "sigma", 0, "zero");
    row(K::Derivative, "sigma", -1, "negative");
    row(K::Derivative, "sigma", 0.05, "below min");
    row(K::Derivative, "sigma", 101, "above max");
    nonFinite(K::Derivative, "sigma");
    row(K::Derivative, "ksize", 1, "below min");
    row(K::Derivative, "ksize", 2, "even below min");
    row(K::Derivative, "ksize", 4, "even");
    row(K::Derivative, "ksize", 1003, "above max");
    row(K::Derivative, "ksize", 3.5, "not an integer");
    nonFinite(K::Derivative, "ksize");

    row(K::Custom, "normalize", 0.5, "not boolean");
    row(K::Custom, "normalize", 2, "above max");
    row(K::Custom, "normalize", -1, "below min");
    nonFinite(K::Custom, "normalize");
}

void TestParameters::badValues()
{
    QFETCH(ks::FilterKind, kind);
    QFETCH(QString, key);
    QFETCH(double, value);

    const std::string k = key.toStdString();
    const ks::ParamDescriptor *d = ks::findParameter(kind, k);
    QVERIFY(d != nullptr);

    const std::string valueText = std::isnan(value) ? "nan" : printed(value);
    const auto checkMessage = [&](const std::string &message) {
        QVERIFY2(message.find('\n') == std::string::npos, ("not one line: " + message).c_str());
        QVERIFY2(message.find(k) != std::string::npos, ("no key: " + message).c_str());
        QVERIFY2(containsNoCase(message, valueText),
                 ("no value " + valueText + ": " + message).c_str());
        QVERIFY2(message.find(printed(d->min)) != std::string::npos,
                 ("no min " + printed(d->min) + ": " + message).c_str());
        QVERIFY2(message.find(printed(d->max)) != std::string::npos,
                 ("no max " + printed(d->max) + ": " + message).c_str());
    };

    // checkParameter complains...
    const std::optional<std::string> complaint = ks::checkParameter(*d, value);
    QVERIFY2(complaint.has_value(), "checkParameter accepted the value");
    checkMessage(*complaint);
    if (QTest::currentTestFailed()) {
        return;
    }

    // ...and setParameter throws and leaves the spec alone.
    const ks::FilterSpec original = ks::defaultSpec(kind);
    ks::FilterSpec spec = original;
    const auto error = parameterErrorOf([&] { ks::setParameter(spec, k, value); });
    QVERIFY2(error.has_value(), "setParameter accepted the value");
    QVERIFY(spec == original);
    QCOMPARE(QString::fromStdString(error->key()), key);
    checkMessage(error->what());
}

void TestParameters::goodValues_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("value");

    const auto row = [](ks::FilterKind kind, const char *key, double value) {
        QTest::addRow("%s.%s = %g", kindTag(kind), key, value) << kind << QString(key) << value;
    };
    // Both ends of every range.
    for (const ExpectedRange &r : kExpectedRanges) {
        row(r.kind, r.key, r.min);
        row(r.kind, r.key, r.max);
    }
    using K = ks::FilterKind;
    row(K::Gabor, "ksize", 31);
    row(K::Gabor, "sigma", 0.5);
    row(K::Gabor, "theta", 137.5);
    row(K::Gabor, "lambda", 2.5);
    row(K::Gabor, "gamma", 0.3);
    row(K::Gabor, "psi", -45.5);
    row(K::Gaussian, "ksize", 0);
    row(K::Gaussian, "ksize", 3);
    row(K::Gaussian, "sigma", 30);
    row(K::Box, "ksize", 31);
    row(K::Derivative, "angle", 225);
    row(K::Derivative, "ksize", 41);
}

void TestParameters::goodValues()
{
    QFETCH(ks::FilterKind, kind);
    QFETCH(QString, key);
    QFETCH(double, value);

    const std::string k = key.toStdString();
    const ks::ParamDescriptor *d = ks::findParameter(kind, k);
    QVERIFY(d != nullptr);
    const auto complaint = ks::checkParameter(*d, value);
    QVERIFY2(!complaint.has_value(), complaint.value_or("").c_str());

    ks::FilterSpec spec = ks::defaultSpec(kind);
    ks::setParameter(spec, k, value);
    QCOMPARE(ks::parameterValue(spec, k), value);
    QVERIFY(fieldOf(spec, k) == value);
    ks::validate(spec);
}

void TestParameters::unknownKey_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    QTest::addColumn<QString>("key");

    for (const ks::FilterKind kind : ks::kAllFilterKinds) {
        QTest::addRow("%s bogus", kindTag(kind)) << kind << QString("bogus");
    }
    QTest::newRow("identity sigma") << ks::FilterKind::Identity << QString("sigma");
    QTest::newRow("gabor theta_deg") << ks::FilterKind::Gabor << QString("theta_deg");
    QTest::newRow("gabor normalized") << ks::FilterKind::Gabor << QString("normalized");
    QTest::newRow("gaussian theta") << ks::FilterKind::Gaussian << QString("theta");
    QTest::newRow("box sigma") << ks::FilterKind::Box << QString("sigma");
    QTest::newRow("box normalize") << ks::FilterKind::Box << QString("normalize");
    QTest::newRow("derivative angle_deg") << ks::FilterKind::Derivative << QString("angle_deg");
    QTest::newRow("custom rows") << ks::FilterKind::Custom << QString("rows");
    QTest::newRow("custom matrix") << ks::FilterKind::Custom << QString("matrix");
    QTest::newRow("custom normalized") << ks::FilterKind::Custom << QString("normalized");
}

void TestParameters::unknownKey()
{
    QFETCH(ks::FilterKind, kind);
    QFETCH(QString, key);

    const std::string k = key.toStdString();
    const ks::FilterSpec original = ks::defaultSpec(kind);

    const auto getError = parameterErrorOf([&] { (void)ks::parameterValue(original, k); });
    QVERIFY2(getError.has_value(), "parameterValue accepted an unknown key");
    QCOMPARE(QString::fromStdString(getError->key()), key);
    QVERIFY2(std::string(getError->what()).find(k) != std::string::npos, getError->what());
    QVERIFY(std::string(getError->what()).find('\n') == std::string::npos);

    ks::FilterSpec spec = original;
    const auto setError = parameterErrorOf([&] { ks::setParameter(spec, k, 1.0); });
    QVERIFY2(setError.has_value(), "setParameter accepted an unknown key");
    QVERIFY(spec == original);
    QCOMPARE(QString::fromStdString(setError->key()), key);
    QVERIFY2(std::string(setError->what()).find(k) != std::string::npos, setError->what());
    QVERIFY(std::string(setError->what()).find('\n') == std::string::npos);

    QVERIFY(ks::findParameter(kind, k) == nullptr);
}

// ---------------------------------------------------------------- validate

void TestParameters::validateRejects_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<QString>("key");

    const auto row = [](const char *name, ks::FilterSpec spec, const char *key) {
        QTest::newRow(name) << spec << QString(key);
    };
    row("gabor ksize 4", ks::GaborSpec{.ksize = 4}, "ksize");
    row("gabor ksize 0", ks::GaborSpec{.ksize = 0}, "ksize");
    row("gabor ksize 303", ks::GaborSpec{.ksize = 303}, "ksize");
    row("gabor ksize -1", ks::GaborSpec{.ksize = -1}, "ksize");
    row("gabor sigma 0", ks::GaborSpec{.sigma = 0}, "sigma");
    row("gabor sigma NaN", ks::GaborSpec{.sigma = kNaN}, "sigma");
    row("gabor sigma 150", ks::GaborSpec{.sigma = 150}, "sigma");
    row("gabor theta 400", ks::GaborSpec{.theta_deg = 400}, "theta");
    row("gabor theta -1", ks::GaborSpec{.theta_deg = -1}, "theta");
    row("gabor lambda 1", ks::GaborSpec{.lambda = 1}, "lambda");
    row("gabor lambda inf", ks::GaborSpec{.lambda = kInf}, "lambda");
    row("gabor gamma 0", ks::GaborSpec{.gamma = 0}, "gamma");
    row("gabor gamma -1", ks::GaborSpec{.gamma = -1}, "gamma");
    row("gabor psi 200", ks::GaborSpec{.psi_deg = 200}, "psi");
    row("gabor psi -inf", ks::GaborSpec{.psi_deg = -kInf}, "psi");
    row("gaussian ksize 2", ks::GaussianSpec{.ksize = 2}, "ksize");
    row("gaussian ksize -1", ks::GaussianSpec{.ksize = -1}, "ksize");
    row("gaussian ksize 1003", ks::GaussianSpec{.ksize = 1003}, "ksize");
    row("gaussian sigma 0", ks::GaussianSpec{.sigma = 0}, "sigma");
    row("gaussian sigma 101", ks::GaussianSpec{.sigma = 101}, "sigma");
    row("gaussian sigma NaN", ks::GaussianSpec{.ksize = 5, .sigma = kNaN}, "sigma");
    row("box ksize 0", ks::BoxSpec{.ksize = 0}, "ksize");
    row("box ksize 4", ks::BoxSpec{.ksize = 4}, "ksize");
    row("box ksize 1003", ks::BoxSpec{.ksize = 1003}, "ksize");
    row("derivative order 0", ks::DerivativeSpec{.order = 0}, "order");
    row("derivative order 3", ks::DerivativeSpec{.order = 3}, "order");
    row("derivative angle 361", ks::DerivativeSpec{.angle_deg = 361}, "angle");
    row("derivative angle NaN", ks::DerivativeSpec{.angle_deg = kNaN}, "angle");
    row("derivative sigma 0", ks::DerivativeSpec{.sigma = 0}, "sigma");
    row("derivative ksize 1", ks::DerivativeSpec{.ksize = 1}, "ksize");
    row("derivative ksize 16", ks::DerivativeSpec{.ksize = 16}, "ksize");
    row("custom 0x0", ks::CustomSpec{.rows = 0, .cols = 0, .values = {}}, "matrix");
    row("custom 0x3", ks::CustomSpec{.rows = 0, .cols = 3, .values = {}}, "matrix");
    row("custom -1x3", ks::CustomSpec{.rows = -1, .cols = 3, .values = {1, 2, 3}}, "matrix");
    row("custom too few values", ks::CustomSpec{.rows = 2, .cols = 2, .values = {1, 2, 3}},
        "matrix");
    row("custom too many values", ks::CustomSpec{.rows = 1, .cols = 2, .values = {1, 2, 3}},
        "matrix");
    row("custom NaN", ks::CustomSpec{.rows = 1, .cols = 3, .values = {1, kNaN, 1}}, "matrix");
    row("custom inf", ks::CustomSpec{.rows = 1, .cols = 3, .values = {1, 1, kInf}}, "matrix");
    row("custom -inf", ks::CustomSpec{.rows = 3, .cols = 1, .values = {-kInf, 1, 1}}, "matrix");
    row("custom 302 rows",
        ks::CustomSpec{.rows = 302, .cols = 1, .values = std::vector<double>(302, 1.0)}, "matrix");
    row("custom 302 cols",
        ks::CustomSpec{.rows = 1, .cols = 302, .values = std::vector<double>(302, 1.0)}, "matrix");
    // A zero-sum kernel cannot be normalized; either key names the problem.
    row("custom zero sum normalized",
        ks::CustomSpec{.rows = 1, .cols = 3, .values = {1, 0, -1}, .normalize = true}, "");
    row("custom default sharpen laplacian normalized",
        ks::CustomSpec{.values = {0, 1, 0, 1, -4, 1, 0, 1, 0}, .normalize = true}, "");
}

void TestParameters::validateRejects()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(QString, key);

    const auto error = parameterErrorOf([&] { ks::validate(spec); });
    QVERIFY2(error.has_value(), "validate accepted the spec");
    if (key.isEmpty()) {
        QVERIFY2(error->key() == "matrix" || error->key() == "normalize", error->key().c_str());
    } else {
        QCOMPARE(QString::fromStdString(error->key()), key);
    }
    const std::string message = error->what();
    QVERIFY2(message.find(error->key()) != std::string::npos, message.c_str());
    QVERIFY(message.find('\n') == std::string::npos);
}

void TestParameters::validateAccepts_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");

    for (const ks::FilterKind kind : ks::kAllFilterKinds) {
        QTest::addRow("default %s", kindTag(kind)) << ks::defaultSpec(kind);
    }
    QTest::newRow("gabor bounds low") << ks::FilterSpec{ks::GaborSpec{1, 0.1, 0, 2, 0.01, -180}};
    QTest::newRow("gabor bounds high")
        << ks::FilterSpec{ks::GaborSpec{301, 100, 360, 1000, 10, 180}};
    QTest::newRow("gaussian auto") << ks::FilterSpec{ks::GaussianSpec{0, 0.1}};
    QTest::newRow("gaussian 1001") << ks::FilterSpec{ks::GaussianSpec{1001, 100}};
    QTest::newRow("box 1001 raw") << ks::FilterSpec{ks::BoxSpec{1001, false}};
    QTest::newRow("derivative 3") << ks::FilterSpec{ks::DerivativeSpec{2, 360, 0.1, 3}};
    QTest::newRow("custom 2x4") << ks::FilterSpec{
        ks::CustomSpec{.rows = 2, .cols = 4, .values = {1, 2, 3, 4, 5, 6, 7, 8}}};
    QTest::newRow("custom zero sum, not normalized")
        << ks::FilterSpec{ks::CustomSpec{.rows = 1, .cols = 3, .values = {1, 0, -1}}};
    QTest::newRow("custom normalized") << ks::FilterSpec{
        ks::CustomSpec{.rows = 1, .cols = 3, .values = {1, 2, 1}, .normalize = true}};
    QTest::newRow("custom 301x1") << ks::FilterSpec{
        ks::CustomSpec{.rows = 301, .cols = 1, .values = std::vector<double>(301, 1.0)}};
}

void TestParameters::validateAccepts()
{
    QFETCH(ks::FilterSpec, spec);
    const auto error = parameterErrorOf([&] { ks::validate(spec); });
    QVERIFY2(!error.has_value(), error ? error->what() : "");
}

// ---------------------------------------------------------------- names

void TestParameters::filterNames_data()
{
    QTest::addColumn<ks::FilterKind>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("label");

    QTest::newRow("identity") << ks::FilterKind::Identity << "none"
                              << "None";
    QTest::newRow("gabor") << ks::FilterKind::Gabor << "gabor"
                           << "Gabor";
    QTest::newRow("gaussian") << ks::FilterKind::Gaussian << "gaussian"
                              << "Gaussian";
    QTest::newRow("box") << ks::FilterKind::Box << "box"
                         << "Box";
    QTest::newRow("derivative") << ks::FilterKind::Derivative << "derivative"
                                << "Derivative";
    QTest::newRow("custom") << ks::FilterKind::Custom << "custom"
                            << "Custom";
}

void TestParameters::filterNames()
{
    QFETCH(ks::FilterKind, kind);
    QFETCH(QString, name);
    QFETCH(QString, label);

    QCOMPARE(QString::fromUtf8(ks::filterName(kind)), name);
    QCOMPARE(QString::fromUtf8(ks::filterLabel(kind)), label);
    QVERIFY(ks::parseFilterName(name.toStdString()) == kind);
    QCOMPARE(int(ks::kindOf(ks::defaultSpec(kind))), int(kind));
    // The variant alternative matches the enum order.
    QCOMPARE(int(ks::defaultSpec(kind).index()), int(kind));
}

void TestParameters::unknownFilterNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << "";
    QTest::newRow("bogus") << "bogus";
    QTest::newRow("prefix") << "gabo";
    QTest::newRow("suffix") << "gaborx";
    QTest::newRow("reflect101") << "reflect101";
}

void TestParameters::unknownFilterNames()
{
    QFETCH(QString, name);
    QVERIFY(!ks::parseFilterName(name.toStdString()).has_value());
}

void TestParameters::borderNames_data()
{
    QTest::addColumn<ks::BorderMode>("mode");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("openCv");

    QTest::newRow("reflect101") << ks::BorderMode::Reflect101 << "reflect101"
                                << int(cv::BORDER_REFLECT_101);
    QTest::newRow("reflect") << ks::BorderMode::Reflect << "reflect" << int(cv::BORDER_REFLECT);
    QTest::newRow("replicate") << ks::BorderMode::Replicate << "replicate"
                               << int(cv::BORDER_REPLICATE);
    QTest::newRow("constant") << ks::BorderMode::Constant << "constant" << int(cv::BORDER_CONSTANT);
    QTest::newRow("wrap") << ks::BorderMode::Wrap << "wrap" << int(cv::BORDER_WRAP);
}

void TestParameters::borderNames()
{
    QFETCH(ks::BorderMode, mode);
    QFETCH(QString, name);
    QFETCH(int, openCv);

    QCOMPARE(QString::fromUtf8(ks::borderName(mode)), name);
    QVERIFY(ks::parseBorderName(name.toStdString()) == mode);
    QCOMPARE(ks::toOpenCvBorder(mode), openCv);
    QVERIFY(std::find(std::begin(ks::kAllBorderModes), std::end(ks::kAllBorderModes), mode) !=
            std::end(ks::kAllBorderModes));
}

void TestParameters::unknownBorderNames()
{
    for (const char *name : {"", "bogus", "reflect_101", "reflect-101", "gabor", "none"}) {
        QVERIFY2(!ks::parseBorderName(name).has_value(), name);
    }
}

void TestParameters::isSmoothing_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<bool>("smoothing");

    QTest::newRow("identity") << ks::FilterSpec{ks::IdentitySpec{}} << true;
    QTest::newRow("gaussian default") << ks::defaultSpec(ks::FilterKind::Gaussian) << true;
    QTest::newRow("gaussian 5") << ks::FilterSpec{ks::GaussianSpec{5, 1.0}} << true;
    QTest::newRow("box normalized") << ks::FilterSpec{ks::BoxSpec{5, true}} << true;
    QTest::newRow("box unnormalized") << ks::FilterSpec{ks::BoxSpec{5, false}} << false;
    QTest::newRow("gabor") << ks::defaultSpec(ks::FilterKind::Gabor) << false;
    QTest::newRow("derivative order 1") << ks::FilterSpec{ks::DerivativeSpec{}} << false;
    QTest::newRow("derivative order 2") << ks::FilterSpec{ks::DerivativeSpec{.order = 2}} << false;
    QTest::newRow("custom sharpen default") << ks::defaultSpec(ks::FilterKind::Custom) << false;
    QTest::newRow("custom binomial")
        << ks::FilterSpec{ks::CustomSpec{.rows = 1, .cols = 3, .values = {0.25, 0.5, 0.25}}}
        << true;
    QTest::newRow("custom sum 3") << ks::FilterSpec{ks::CustomSpec{
                                         .rows = 1, .cols = 3, .values = {1, 1, 1}}}
                                  << false;
    QTest::newRow("custom negative tap, sum 1")
        << ks::FilterSpec{ks::CustomSpec{.rows = 2, .cols = 2, .values = {0.5, 0.5, 0.5, -0.5}}}
        << false;
}

void TestParameters::isSmoothing()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(bool, smoothing);
    QCOMPARE(ks::isSmoothing(spec), smoothing);
}

QTEST_APPLESS_MAIN(TestParameters)
#include "tst_parameters.moc"
