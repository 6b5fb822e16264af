// Tests for core/gabor_bank.h: the bank's descriptors and validation, its
// member specs and kernel size, its kernels (against cv::getGaborKernel) and
// its combined response (against a per-member loop written here: kernels from
// cv::getGaborKernel, correlation by cv::filter2D in double, or the naive
// reference for the wrap border that filter2D lacks), cancellation and
// progress.

#include "core/errors.h"
#include "core/gabor_bank.h"
#include "core/kernel_io.h"
#include "core/parameters.h"
#include "naive_reference.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stop_token>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(ks::BankSpec)
Q_DECLARE_METATYPE(ks::GaborSpec)
Q_DECLARE_METATYPE(ks::BorderMode)
Q_DECLARE_METATYPE(ks::BankCombine)
Q_DECLARE_METATYPE(ks::ColorMode)

namespace {

using ks::BankCombine;
using ks::BankSpec;
using ks::BorderMode;
using ks::GaborSpec;

constexpr double kDegree = std::numbers::pi / 180;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

BankSpec bankOf(int orientations, int scales, double ratio, BankCombine combine = BankCombine::Max)
{
    return BankSpec{orientations, scales, ratio, combine};
}

bool contains(const std::string &text, const QString &part)
{
    return QString::fromStdString(text).contains(part);
}

/// The bank's kernel side by its documented rule, written out here: the
/// smallest odd whole number >= ksize * ratio^(scales - 1), at most 301.
int expectedKernelSize(const GaborSpec &spec, const BankSpec &bank)
{
    const double target = spec.ksize * std::pow(bank.ratio, bank.scales - 1);
    int size = static_cast<int>(std::ceil(target - 1e-9 * target));
    if (size % 2 == 0)
        ++size;
    return std::min(size, 301);
}

/// OpenCV's Gabor kernel for orientation i of the bank at scale s (angles in radians).
cv::Mat openCvMember(const GaborSpec &spec, const BankSpec &bank, int s, int i, double psiDeg)
{
    const int ksize = expectedKernelSize(spec, bank);
    const double scale = std::pow(bank.ratio, s);
    const double theta = std::fmod(spec.theta_deg + i * 180.0 / bank.orientations, 360.0);
    return cv::getGaborKernel(cv::Size(ksize, ksize), spec.sigma * scale, theta * kDegree,
                              spec.lambda * scale, spec.gamma, psiDeg * kDegree, CV_64F);
}

cv::Mat randomImage(cv::Size size, int type, std::uint64_t seed)
{
    cv::Mat image(size, type);
    cv::RNG rng(seed);
    if (CV_MAT_DEPTH(type) == CV_8U)
        rng.fill(image, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(256));
    else
        rng.fill(image, cv::RNG::UNIFORM, cv::Scalar::all(0.0), cv::Scalar::all(1.0));
    return image;
}

/// The image's colour planes as the bank sees them, CV_64F: B, G, R (or grey)
/// as they are, or one luma plane 0.299 R + 0.587 G + 0.114 B in Gray mode.
cv::Mat colourPlanes(const cv::Mat &image, ks::ColorMode color)
{
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    if (planes.size() == 4)
        planes.pop_back();
    for (cv::Mat &plane : planes)
        plane.convertTo(plane, CV_64F);
    if (color == ks::ColorMode::Gray && planes.size() == 3)
        planes = {0.114 * planes[0] + 0.587 * planes[1] + 0.299 * planes[2]};
    cv::Mat merged;
    cv::merge(planes, merged);
    return merged;
}

cv::Mat correlate(const cv::Mat &planes, const cv::Mat &kernel, BorderMode border)
{
    if (border == BorderMode::Wrap) // cv::filter2D has no wrap border
        return ks::test::naiveCorrelationChannels(planes, kernel, border);
    int cvBorder = cv::BORDER_REFLECT_101;
    switch (border) {
    case BorderMode::Reflect101:
        cvBorder = cv::BORDER_REFLECT_101;
        break;
    case BorderMode::Reflect:
        cvBorder = cv::BORDER_REFLECT;
        break;
    case BorderMode::Replicate:
        cvBorder = cv::BORDER_REPLICATE;
        break;
    case BorderMode::Constant:
        cvBorder = cv::BORDER_CONSTANT;
        break;
    case BorderMode::Wrap:
        break;
    }
    cv::Mat out;
    cv::filter2D(planes, out, CV_64F, kernel, cv::Point(-1, -1), 0, cvBorder);
    return out;
}

/// The bank's combined response, member by member, in double.
cv::Mat referenceBank(const cv::Mat &image, const GaborSpec &spec, const BankSpec &bank,
                      const ks::FilterOptions &options)
{
    const cv::Mat planes = colourPlanes(image, options.color);
    cv::Mat combined;
    for (int s = 0; s < bank.scales; ++s) {
        for (int i = 0; i < bank.orientations; ++i) {
            cv::Mat response;
            if (bank.combine == BankCombine::Max) {
                response =
                    correlate(planes, openCvMember(spec, bank, s, i, spec.psi_deg), options.border);
            } else {
                const cv::Mat even =
                    correlate(planes, openCvMember(spec, bank, s, i, 0), options.border);
                const cv::Mat odd =
                    correlate(planes, openCvMember(spec, bank, s, i, 90), options.border);
                cv::sqrt(even.mul(even) + odd.mul(odd), response);
            }
            if (combined.empty())
                combined = response;
            else
                combined = cv::max(combined, response);
        }
    }
    return combined;
}

} // namespace

class TestGaborBank : public QObject {
    Q_OBJECT

private slots:
    void combineNames();
    void descriptorsMatchBankSpec_data();
    void descriptorsMatchBankSpec();
    void validateBankLimits_data();
    void validateBankLimits();
    void largestScaleMustBeAValidGabor_data();
    void largestScaleMustBeAValidGabor();
    void kernelSize_data();
    void kernelSize();
    void specsAreScaleMajor_data();
    void specsAreScaleMajor();
    void oneScaleIsGaborBank_data();
    void oneScaleIsGaborBank();
    void kernelsMatchOpenCv_data();
    void kernelsMatchOpenCv();
    void responseMatchesMemberLoop_data();
    void responseMatchesMemberLoop();
    void energyIsPhaseInvariant();
    void cancelledBeforeStart();
    void stopFromProgressIsPrompt();
    void progressIsMonotoneAndEndsAtOne_data();
    void progressIsMonotoneAndEndsAtOne();
};

// ---------------------------------------------------------------- names and descriptors

void TestGaborBank::combineNames()
{
    QCOMPARE(ks::bankCombineName(BankCombine::Max), std::string_view("max"));
    QCOMPARE(ks::bankCombineName(BankCombine::Energy), std::string_view("energy"));
    QCOMPARE(ks::parseBankCombineName("max"), std::optional<BankCombine>(BankCombine::Max));
    QCOMPARE(ks::parseBankCombineName("energy"), std::optional<BankCombine>(BankCombine::Energy));
    QCOMPARE(ks::parseBankCombineName("Max"), std::optional<BankCombine>());
    QCOMPARE(ks::parseBankCombineName(""), std::optional<BankCombine>());
    QCOMPARE(ks::parseBankCombineName("sum"), std::optional<BankCombine>());
}

void TestGaborBank::descriptorsMatchBankSpec_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("type");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<double>("defaultValue");
    QTest::addColumn<double>("step");
    const BankSpec defaults;
    QTest::newRow("orientations") << 0 << "orientations" << int(ks::ParamType::Integer) << 2.0
                                  << 16.0 << double(defaults.orientations) << 1.0;
    QTest::newRow("scales") << 1 << "scales" << int(ks::ParamType::Integer) << 1.0 << 4.0
                            << double(defaults.scales) << 1.0;
    QTest::newRow("ratio") << 2 << "ratio" << int(ks::ParamType::Real) << 1.1 << 4.0
                           << defaults.ratio << 0.01;
}

void TestGaborBank::descriptorsMatchBankSpec()
{
    QFETCH(int, index);
    QFETCH(QString, key);
    QFETCH(int, type);
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(double, defaultValue);
    QFETCH(double, step);
    const auto descriptors = ks::bankParameterDescriptors();
    QCOMPARE(descriptors.size(), std::size_t{3});
    const ks::ParamDescriptor &d = descriptors[static_cast<std::size_t>(index)];
    QCOMPARE(QString::fromStdString(d.key), key);
    QCOMPARE(int(d.type), type);
    QCOMPARE(d.min, min);
    QCOMPARE(d.max, max);
    QCOMPARE(d.defaultValue, defaultValue);
    QCOMPARE(d.step, step);
    QVERIFY(!d.label.empty());
    QVERIFY(d.unit.empty());
    QVERIFY(d.help.ends_with('.'));
    QVERIFY(d.help.find('\n') == std::string::npos);
    QVERIFY(!d.zeroIsAuto);
}

void TestGaborBank::validateBankLimits_data()
{
    QTest::addColumn<BankSpec>("bank");
    QTest::addColumn<QString>("key"); // empty: accepted
    QTest::addColumn<QString>("message");
    QTest::newRow("defaults") << BankSpec{} << ""
                              << "";
    QTest::newRow("orientations 2") << bankOf(2, 1, 2) << ""
                                    << "";
    QTest::newRow("orientations 16") << bankOf(16, 1, 2) << ""
                                     << "";
    QTest::newRow("orientations 1") << bankOf(1, 1, 2) << "orientations"
                                    << "orientations = 1 must be a whole number from 2 to 16";
    QTest::newRow("orientations 17") << bankOf(17, 1, 2) << "orientations"
                                     << "orientations = 17 must be a whole number from 2 to 16";
    QTest::newRow("scales 1") << bankOf(8, 1, 2) << ""
                              << "";
    QTest::newRow("scales 4") << bankOf(8, 4, 2) << ""
                              << "";
    QTest::newRow("scales 0") << bankOf(8, 0, 2) << "scales"
                              << "scales = 0 must be a whole number from 1 to 4";
    QTest::newRow("scales 5") << bankOf(8, 5, 2) << "scales"
                              << "scales = 5 must be a whole number from 1 to 4";
    QTest::newRow("ratio 1.1") << bankOf(8, 2, 1.1) << ""
                               << "";
    QTest::newRow("ratio 4") << bankOf(8, 2, 4) << ""
                             << "";
    QTest::newRow("ratio 1.09") << bankOf(8, 2, 1.09) << "ratio"
                                << "ratio = 1.09 is out of range: allowed 1.1 to 4";
    QTest::newRow("ratio 4.01") << bankOf(8, 2, 4.01) << "ratio"
                                << "ratio = 4.01 is out of range: allowed 1.1 to 4";
    QTest::newRow("ratio NaN") << bankOf(8, 2, kNaN) << "ratio"
                               << "ratio = nan is not a finite number: allowed 1.1 to 4";
    QTest::newRow("ratio inf") << bankOf(8, 2, kInf) << "ratio"
                               << "ratio = inf is not a finite number: allowed 1.1 to 4";
    // One scale ignores the ratio's value but still checks it.
    QTest::newRow("ratio 0, one scale") << bankOf(8, 1, 0) << "ratio"
                                        << "ratio = 0 is out of range: allowed 1.1 to 4";
}

void TestGaborBank::validateBankLimits()
{
    QFETCH(BankSpec, bank);
    QFETCH(QString, key);
    QFETCH(QString, message);
    for (const bool withSpec : {false, true}) {
        try {
            if (withSpec)
                ks::validateBank(GaborSpec{}, bank);
            else
                ks::validateBank(bank);
            QVERIFY2(key.isEmpty(), "accepted");
        } catch (const ks::ParameterError &e) {
            QCOMPARE(QString::fromStdString(e.key()), key);
            QCOMPARE(QString::fromUtf8(e.what()), message);
        }
        // bankSpecs checks the same way.
        if (!key.isEmpty())
            QVERIFY_THROWS_EXCEPTION(ks::ParameterError, ks::bankSpecs(GaborSpec{}, bank));
    }
}

void TestGaborBank::largestScaleMustBeAValidGabor_data()
{
    QTest::addColumn<GaborSpec>("spec");
    QTest::addColumn<BankSpec>("bank");
    QTest::addColumn<QString>("key"); // empty: accepted
    QTest::addColumn<QStringList>("parts");
    GaborSpec wide;
    wide.sigma = 25;
    // 25 * 2^2 = 100: the sigma descriptor's maximum, accepted.
    QTest::newRow("sigma at its maximum") << wide << bankOf(8, 3, 2) << "" << QStringList{};
    QTest::newRow("sigma beyond") << wide << bankOf(8, 4, 2) << "scales"
                                  << QStringList{
                                         "scales = 4 with ratio 2", "at scale 4",
                                         "sigma = 200 is out of range: allowed 0.1 to 100 px"};
    GaborSpec longWave;
    longWave.lambda = 250;
    QTest::newRow("lambda at its maximum") << longWave << bankOf(4, 2, 4) << "" << QStringList{};
    QTest::newRow("lambda beyond")
        << longWave << bankOf(4, 3, 4) << "scales"
        << QStringList{"scales = 3 with ratio 4", "lambda = 4000 is out of range"};
    GaborSpec bad;
    bad.sigma = -1;
    QTest::newRow("invalid spec") << bad << BankSpec{} << "sigma" << QStringList{"sigma = -1"};
    // ksize 301 with 4 scales: capped at 301, accepted.
    GaborSpec largest;
    largest.ksize = 301;
    QTest::newRow("largest ksize") << largest << bankOf(2, 4, 1.1) << "" << QStringList{};
}

void TestGaborBank::largestScaleMustBeAValidGabor()
{
    QFETCH(GaborSpec, spec);
    QFETCH(BankSpec, bank);
    QFETCH(QString, key);
    QFETCH(QStringList, parts);
    try {
        ks::validateBank(spec, bank);
        QVERIFY2(key.isEmpty(), "accepted");
        QCOMPARE(ks::bankSpecs(spec, bank).size(),
                 static_cast<std::size_t>(bank.orientations * bank.scales));
    } catch (const ks::ParameterError &e) {
        QCOMPARE(QString::fromStdString(e.key()), key);
        for (const QString &part : parts)
            QVERIFY2(contains(e.what(), part), e.what());
        QVERIFY_THROWS_EXCEPTION(ks::ParameterError, ks::bankSpecs(spec, bank));
    }
}

// ---------------------------------------------------------------- member specs and size

void TestGaborBank::kernelSize_data()
{
    QTest::addColumn<int>("ksize");
    QTest::addColumn<int>("scales");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<int>("expected");
    QTest::newRow("one scale") << 31 << 1 << 4.0 << 31;
    QTest::newRow("31 x 2 = 62 -> 63") << 31 << 2 << 2.0 << 63;
    QTest::newRow("31 x 4 = 124 -> 125") << 31 << 3 << 2.0 << 125;
    QTest::newRow("7 x 1.5 = 10.5 -> 11") << 7 << 2 << 1.5 << 11;
    QTest::newRow("7 x 2.25 = 15.75 -> 17") << 7 << 3 << 1.5 << 17;
    QTest::newRow("9 x 1.1 = 9.9 -> 11") << 9 << 2 << 1.1 << 11;
    QTest::newRow("3 x 3 = 9, odd already") << 3 << 2 << 3.0 << 9;
    // 1.4 is a little more than 7/5 in binary: 5 * 1.4 is 7.000000000000001.
    QTest::newRow("5 x 1.4 = 7") << 5 << 2 << 1.4 << 7;
    QTest::newRow("1 x 1.1^3 = 1.331 -> 3") << 1 << 4 << 1.1 << 3;
    QTest::newRow("151 x 2 = 302: capped") << 151 << 2 << 2.0 << 301;
    QTest::newRow("31 x 4^3 = 1984: capped") << 31 << 4 << 4.0 << 301;
    QTest::newRow("273 x 1.1 = 300.3 -> 301") << 273 << 2 << 1.1 << 301;
    QTest::newRow("301, one scale") << 301 << 1 << 2.0 << 301;
}

void TestGaborBank::kernelSize()
{
    QFETCH(int, ksize);
    QFETCH(int, scales);
    QFETCH(double, ratio);
    QFETCH(int, expected);
    const GaborSpec spec{ksize, 1.0, 0, 3, 0.5, 0}; // valid up to ratio^3 = 64
    const BankSpec bank = bankOf(4, scales, ratio);
    QCOMPARE(ks::bankKernelSize(spec, bank), expected);
    for (const GaborSpec &member : ks::bankSpecs(spec, bank))
        QCOMPARE(member.ksize, expected);
    for (const cv::Mat &kernel : ks::bankKernels(spec, bank))
        QCOMPARE(kernel.size(), cv::Size(expected, expected));
}

void TestGaborBank::specsAreScaleMajor_data()
{
    QTest::addColumn<GaborSpec>("spec");
    QTest::addColumn<BankSpec>("bank");
    QTest::newRow("defaults") << GaborSpec{} << BankSpec{};
    QTest::newRow("4 x 2, ratio 1.5") << GaborSpec{11, 2.5, 30, 6, 0.7, 45} << bankOf(4, 2, 1.5);
    QTest::newRow("3 x 4, theta wraps") << GaborSpec{7, 1.0, 300, 3, 1.0, -90} << bankOf(3, 4, 2);
    QTest::newRow("16 x 1") << GaborSpec{9, 2.0, 359, 4, 0.5, 0} << bankOf(16, 1, 2);
}

void TestGaborBank::specsAreScaleMajor()
{
    QFETCH(GaborSpec, spec);
    QFETCH(BankSpec, bank);
    const std::vector<GaborSpec> specs = ks::bankSpecs(spec, bank);
    QCOMPARE(specs.size(), static_cast<std::size_t>(bank.orientations * bank.scales));
    const int ksize = expectedKernelSize(spec, bank);
    for (int s = 0; s < bank.scales; ++s) {
        for (int i = 0; i < bank.orientations; ++i) {
            const GaborSpec &m = specs[static_cast<std::size_t>(s * bank.orientations + i)];
            const double theta = std::fmod(spec.theta_deg + i * 180.0 / bank.orientations, 360.0);
            QCOMPARE(m.theta_deg, theta);
            QVERIFY(m.theta_deg >= 0 && m.theta_deg < 360);
            QCOMPARE(m.sigma, spec.sigma * std::pow(bank.ratio, s));
            QCOMPARE(m.lambda, spec.lambda * std::pow(bank.ratio, s));
            QCOMPARE(m.gamma, spec.gamma);
            QCOMPARE(m.psi_deg, spec.psi_deg);
            QCOMPARE(m.ksize, ksize);
        }
    }
}

void TestGaborBank::oneScaleIsGaborBank_data()
{
    QTest::addColumn<GaborSpec>("spec");
    QTest::addColumn<int>("orientations");
    QTest::newRow("defaults, 8") << GaborSpec{} << 8;
    QTest::newRow("theta 300, 3") << GaborSpec{9, 2.0, 300, 5, 0.5, 30} << 3;
    QTest::newRow("2") << GaborSpec{5, 1.0, 0, 3, 1.0, 90} << 2;
    QTest::newRow("16") << GaborSpec{7, 1.5, 10, 4, 0.8, 0} << 16;
}

void TestGaborBank::oneScaleIsGaborBank()
{
    QFETCH(GaborSpec, spec);
    QFETCH(int, orientations);
    for (const double ratio : {1.1, 2.0, 4.0}) {
        const BankSpec bank = bankOf(orientations, 1, ratio);
        const std::vector<cv::Mat> kernels = ks::bankKernels(spec, bank);
        const std::vector<cv::Mat> single = ks::gaborBank(spec, orientations);
        QCOMPARE(kernels.size(), single.size());
        for (std::size_t k = 0; k < kernels.size(); ++k) {
            QCOMPARE(kernels[k].size(), cv::Size(spec.ksize, spec.ksize));
            QCOMPARE(cv::norm(kernels[k], single[k], cv::NORM_INF), 0.0);
        }
    }
}

// ---------------------------------------------------------------- kernels

void TestGaborBank::kernelsMatchOpenCv_data()
{
    QTest::addColumn<GaborSpec>("spec");
    QTest::addColumn<BankSpec>("bank");
    QTest::newRow("defaults") << GaborSpec{} << BankSpec{};
    QTest::newRow("4 x 2, ratio 1.5") << GaborSpec{11, 2.5, 30, 6, 0.7, 45} << bankOf(4, 2, 1.5);
    QTest::newRow("3 x 3, theta wraps, odd")
        << GaborSpec{7, 1.0, 300, 3, 1.0, 90} << bankOf(3, 3, 2);
    QTest::newRow("2 x 4, ratio 1.1") << GaborSpec{15, 3, 45, 8, 0.3, -30} << bankOf(2, 4, 1.1);
}

void TestGaborBank::kernelsMatchOpenCv()
{
    QFETCH(GaborSpec, spec);
    QFETCH(BankSpec, bank);
    const std::vector<cv::Mat> kernels = ks::bankKernels(spec, bank);
    QCOMPARE(kernels.size(), static_cast<std::size_t>(bank.orientations * bank.scales));
    for (int s = 0; s < bank.scales; ++s) {
        for (int i = 0; i < bank.orientations; ++i) {
            const cv::Mat &kernel = kernels[static_cast<std::size_t>(s * bank.orientations + i)];
            QCOMPARE(kernel.type(), CV_64FC1);
            const cv::Mat expected = openCvMember(spec, bank, s, i, spec.psi_deg);
            QCOMPARE(kernel.size(), expected.size());
            const double difference = cv::norm(kernel, expected, cv::NORM_INF);
            QVERIFY2(
                difference <= 1e-12,
                qPrintable(
                    QStringLiteral("scale %1, orientation %2: %3").arg(s).arg(i).arg(difference)));
        }
    }
}

// ---------------------------------------------------------------- the combined response

void TestGaborBank::responseMatchesMemberLoop_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<BorderMode>("border");
    QTest::addColumn<ks::ColorMode>("color");
    QTest::addColumn<BankCombine>("combine");
    const struct {
        const char *name;
        int type;
        ks::ColorMode color;
    } images[] = {
        {"8U 1ch", CV_8UC1, ks::ColorMode::PerChannel},
        {"8U 3ch", CV_8UC3, ks::ColorMode::PerChannel},
        {"32F 3ch", CV_32FC3, ks::ColorMode::PerChannel},
        {"8U 4ch", CV_8UC4, ks::ColorMode::PerChannel},
        {"32F 4ch gray", CV_32FC4, ks::ColorMode::Gray},
    };
    for (const BankCombine combine : {BankCombine::Max, BankCombine::Energy})
        for (const BorderMode border : ks::kAllBorderModes)
            for (const auto &image : images)
                QTest::addRow("%s %s %s", std::string(ks::bankCombineName(combine)).c_str(),
                              std::string(ks::borderName(border)).c_str(), image.name)
                    << image.type << border << image.color << combine;
}

void TestGaborBank::responseMatchesMemberLoop()
{
    QFETCH(int, type);
    QFETCH(BorderMode, border);
    QFETCH(ks::ColorMode, color);
    QFETCH(BankCombine, combine);
    const cv::Mat image = randomImage(cv::Size(40, 32), type, 17 + type);
    const GaborSpec spec{9, 2.0, 20, 5, 0.6, 30};
    const BankSpec bank = bankOf(3, 2, 1.5, combine); // kernels 9 * 1.5 = 13.5 -> 15
    ks::FilterOptions options;
    options.border = border;
    options.color = color;

    const ks::Response response = ks::applyBank(image, spec, bank, options);
    const cv::Mat expected = referenceBank(image, spec, bank, options);
    QCOMPARE(response.values.depth(), CV_32F);
    QCOMPARE(response.values.size(), image.size());
    QCOMPARE(response.values.channels(), expected.channels());
    QCOMPARE(response.sourceDepth, CV_MAT_DEPTH(type));

    cv::Mat got;
    response.values.convertTo(got, CV_64F);
    const double full = CV_MAT_DEPTH(type) == CV_8U ? 255.0 : 1.0;
    const double largest = cv::norm(expected, cv::NORM_INF);
    // The engine's accuracy, plus float rounding of the stored response.
    const double bound = 1e-2 / 255 * full + 1e-6 * largest;
    const double difference = cv::norm(got, expected, cv::NORM_INF);
    QVERIFY2(difference <= bound, qPrintable(QStringLiteral("%1 > %2").arg(difference).arg(bound)));
    if (combine == BankCombine::Energy) {
        double lowest = 0;
        cv::minMaxLoc(got.reshape(1), &lowest);
        QVERIFY(lowest >= 0);
    }

    if (CV_MAT_CN(type) == 4) {
        cv::Mat alpha;
        cv::extractChannel(image, alpha, 3);
        QCOMPARE(response.alpha.type(), alpha.type());
        QCOMPARE(cv::norm(response.alpha, alpha, cv::NORM_INF), 0.0);
    } else {
        QVERIFY(response.alpha.empty());
    }
}

// A sinusoidal grating along the bank's first orientation, shifted in phase:
// the even/odd energy hardly changes in the interior, while Max (psi 0)
// follows the phase.
void TestGaborBank::energyIsPhaseInvariant()
{
    const GaborSpec spec{21, 3.0, 0, 8, 1.0, 0};
    const cv::Size size(64, 64);
    const cv::Rect interior(16, 16, 32, 32);
    const cv::Point centre(32, 32);
    std::vector<double> energyMeans, maxAtCentre;
    for (const double phase : {0.0, 0.25 * std::numbers::pi, 0.5 * std::numbers::pi}) {
        cv::Mat image(size, CV_32FC1);
        for (int y = 0; y < size.height; ++y)
            for (int x = 0; x < size.width; ++x)
                image.at<float>(y, x) =
                    static_cast<float>(std::cos(2 * std::numbers::pi * x / 8 + phase));
        const cv::Mat energy =
            ks::applyBank(image, spec, bankOf(2, 1, 2, BankCombine::Energy)).values;
        const cv::Mat max = ks::applyBank(image, spec, bankOf(2, 1, 2, BankCombine::Max)).values;
        double lo = 0, hi = 0;
        cv::minMaxLoc(energy(interior), &lo, &hi);
        QVERIFY2(hi - lo <= 1e-3 * hi, qPrintable(QStringLiteral("%1 to %2").arg(lo).arg(hi)));
        energyMeans.push_back(cv::mean(energy(interior))[0]);
        maxAtCentre.push_back(max.at<float>(centre));
    }
    for (const double mean : energyMeans)
        QVERIFY(std::abs(mean - energyMeans[0]) <= 1e-3 * energyMeans[0]);
    // At the centre the grating is cos(8 pi + phase): Max follows it.
    QVERIFY(maxAtCentre[0] > 0.9 * energyMeans[0]);
    QVERIFY(maxAtCentre[2] < 0.5 * energyMeans[0]);
}

// ---------------------------------------------------------------- cancellation and progress

void TestGaborBank::cancelledBeforeStart()
{
    const cv::Mat image = randomImage(cv::Size(64, 48), CV_8UC3, 5);
    std::stop_source source;
    source.request_stop();
    ks::RunControl control;
    control.stop = source.get_token();
    bool reported = false;
    control.progress = [&reported](double) { reported = true; };
    for (const BankCombine combine : {BankCombine::Max, BankCombine::Energy})
        QVERIFY_THROWS_EXCEPTION(ks::Cancelled,
                                 ks::applyBank(image, GaborSpec{}, bankOf(4, 2, 2, combine),
                                               ks::FilterOptions{}, control));
    QVERIFY(!reported);
}

// The stop is requested from the first progress report, on the calling
// thread: the bank must throw Cancelled within 50 ms, long before its 16
// member filters are done. The best of three attempts counts, so a machine
// busy with other processes does not fail the test; each must be cancelled.
void TestGaborBank::stopFromProgressIsPrompt()
{
    using Clock = std::chrono::steady_clock;
    const cv::Mat image = randomImage(cv::Size(1200, 900), CV_8UC3, 9);
    double best = std::numeric_limits<double>::infinity();
    for (int attempt = 0; attempt < 3 && best > 50.0; ++attempt) {
        std::stop_source source;
        ks::RunControl control;
        control.stop = source.get_token();
        Clock::time_point requested;
        double lastFraction = 0;
        control.progress = [&](double fraction) {
            lastFraction = fraction;
            if (!source.stop_requested()) {
                requested = Clock::now();
                source.request_stop();
            }
        };
        bool cancelled = false;
        try {
            (void)ks::applyBank(image, GaborSpec{}, bankOf(8, 2, 1.5), ks::FilterOptions{},
                                control);
        } catch (const ks::Cancelled &) {
            cancelled = true;
        }
        const double ms =
            std::chrono::duration<double, std::milli>(Clock::now() - requested).count();
        QVERIFY(cancelled);
        QVERIFY(source.stop_requested());
        QVERIFY(lastFraction < 2.0 / 16);
        qInfo("applyBank threw Cancelled %.1f ms after the stop request", ms);
        best = std::min(best, ms);
    }
    QVERIFY2(best <= 50.0, qPrintable(QStringLiteral("%1 ms (limit 50 ms)").arg(best, 0, 'f', 1)));
}

void TestGaborBank::progressIsMonotoneAndEndsAtOne_data()
{
    QTest::addColumn<BankCombine>("combine");
    QTest::addColumn<int>("type");
    QTest::newRow("max 8U 3ch") << BankCombine::Max << int(CV_8UC3);
    QTest::newRow("energy 8U 4ch") << BankCombine::Energy << int(CV_8UC4);
    QTest::newRow("max 32F 1ch") << BankCombine::Max << int(CV_32FC1);
}

void TestGaborBank::progressIsMonotoneAndEndsAtOne()
{
    QFETCH(BankCombine, combine);
    QFETCH(int, type);
    const cv::Mat image = randomImage(cv::Size(320, 240), type, 3);
    std::vector<double> fractions;
    ks::RunControl control;
    control.progress = [&fractions](double f) { fractions.push_back(f); };
    (void)ks::applyBank(image, GaborSpec{15, 3.0, 10, 7, 0.5, 0}, bankOf(3, 2, 1.5, combine),
                        ks::FilterOptions{}, control);
    QVERIFY(!fractions.empty());
    QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    QVERIFY(fractions.front() >= 0);
    QCOMPARE(fractions.back(), 1.0);
    // Every member run reports, so the bank reports between its members too.
    const std::size_t runs = combine == BankCombine::Energy ? 12 : 6;
    QVERIFY2(fractions.size() >= runs, qPrintable(QString::number(fractions.size())));
}

QTEST_GUILESS_MAIN(TestGaborBank)
#include "tst_gabor_bank.moc"
