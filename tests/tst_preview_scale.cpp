// Tests for core/preview_scale.h: documents scaled for the quick preview
// (parameters scaled, clamped with a note, always valid), and the crop that
// gives the exact output over a visible rectangle (checked against the
// pipeline run on the whole image).

#include "core/document.h"
#include "core/errors.h"
#include "core/gabor_bank.h"
#include "core/kernels.h"
#include "core/parameters.h"
#include "core/preview_scale.h"
#include "test_fixtures.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

Q_DECLARE_METATYPE(ks::Document)
Q_DECLARE_METATYPE(ks::Region)
Q_DECLARE_METATYPE(cv::Rect)
Q_DECLARE_METATYPE(std::optional<cv::Rect>)

namespace {

using ks::test::identical;
using ks::test::randomImage;
using ks::test::region;
using ks::test::withFilter;

using ks::Document;
using ks::Region;
using ks::RegionMethod;

/// Smooth structure at several scales (no detail finer than a few pixels), so
/// resizing it down loses little: a gradient, rings and bars.
cv::Mat smoothImage(cv::Size size)
{
    cv::Mat image(size, CV_8UC3);
    for (int y = 0; y < size.height; ++y) {
        for (int x = 0; x < size.width; ++x) {
            const double r = std::hypot(x - size.width * 0.4, y - size.height * 0.5);
            const double ring = 0.5 + 0.5 * std::cos(r / 9.0);
            const double bars = 0.5 + 0.5 * std::sin(x / 14.0);
            const double ramp = static_cast<double>(y) / size.height;
            image.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(255 * ring),
                                                  cv::saturate_cast<uchar>(255 * bars),
                                                  cv::saturate_cast<uchar>(255 * ramp));
        }
    }
    cv::GaussianBlur(image, image, cv::Size(0, 0), 2.0);
    return image;
}

bool contains(const std::string &text, const char *part)
{
    return text.find(part) != std::string::npos;
}

constexpr double kFactors[] = {1.0, 0.5, 0.1, 0.01};

} // namespace

class TestPreviewScale : public QObject {
    Q_OBJECT

private slots:
    void factorOneIsIdentity_data();
    void factorOneIsIdentity();
    void gabor_data();
    void gabor();
    void bankIsKept_data();
    void bankIsKept();
    void gaussian_data();
    void gaussian();
    void box_data();
    void box();
    void derivative_data();
    void derivative();
    void customIsResampled_data();
    void customIsResampled();
    void identityHasNothingToScale();
    void regions_data();
    void regions();
    void emptyRegionStaysEmpty();
    void alwaysValid_data();
    void alwaysValid();
    void fixedGainKeepsBrightness_data();
    void fixedGainKeepsBrightness();
    void automaticGainStaysAutomatic();
    void rejectsBadInput();
    void looksLikeTheExactResultScaledDown_data();
    void looksLikeTheExactResultScaledDown();

    void globalStatistics_data();
    void globalStatistics();
    void kernelRadius_data();
    void kernelRadius();
    void exactSourceRect_data();
    void exactSourceRect();
    void cropDocumentMovesRegions();
    void cropGivesTheExactOutput_data();
    void cropGivesTheExactOutput();
};

// ---------------------------------------------------------------- scaling

void TestPreviewScale::factorOneIsIdentity_data()
{
    QTest::addColumn<Document>("document");
    for (ks::FilterKind kind : ks::kAllFilterKinds) {
        Document d = withFilter(ks::defaultSpec(kind));
        d.display = {ks::DisplayMode::Offset, 3.0};
        d.regions = {region({5, 6, 7, 8}, RegionMethod::Pixelate, 4, 2)};
        QTest::addRow("%s", std::string(ks::filterName(kind)).c_str()) << d;
    }
}

void TestPreviewScale::factorOneIsIdentity()
{
    QFETCH(Document, document);
    const ks::ScaledDocument scaled = ks::scaleDocument(document, 1.0);
    QVERIFY(scaled.document == document);
    QVERIFY(scaled.note.empty());
}

void TestPreviewScale::gabor_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("lambda");
    QTest::addColumn<QStringList>("notes");
    // Default Gabor: ksize 31, sigma 4, lambda 10. Sizes: the odd number
    // nearest to 31 * factor.
    QTest::newRow("1") << 1.0 << 31 << 4.0 << 10.0 << QStringList{};
    QTest::newRow("0.5") << 0.5 << 15 << 2.0 << 5.0 << QStringList{}; // 15.5 -> 15
    QTest::newRow("0.1") << 0.1 << 3 << 0.4 << 2.0 << QStringList{"lambda clamped to 2 px"};
    QTest::newRow("0.01") << 0.01 << 3 << 0.1 << 2.0
                          << QStringList{"kernel too small at this zoom, shown at 3 px",
                                         "sigma clamped to 0.1 px", "lambda clamped to 2 px"};
}

void TestPreviewScale::gabor()
{
    QFETCH(double, factor);
    QFETCH(int, ksize);
    QFETCH(double, sigma);
    QFETCH(double, lambda);
    QFETCH(QStringList, notes);
    ks::GaborSpec original;
    original.theta_deg = 30;
    original.gamma = 0.7;
    original.psi_deg = 45;
    const ks::ScaledDocument scaled = ks::scaleDocument(withFilter(original), factor);
    const auto &g = std::get<ks::GaborSpec>(scaled.document.filter);
    QCOMPARE(g.ksize, ksize);
    QCOMPARE(g.sigma, sigma);
    QCOMPARE(g.lambda, lambda);
    // Angles and the aspect ratio have no length.
    QCOMPARE(g.theta_deg, 30.0);
    QCOMPARE(g.gamma, 0.7);
    QCOMPARE(g.psi_deg, 45.0);
    for (const QString &note : notes)
        QVERIFY2(contains(scaled.note, note.toUtf8().constData()), scaled.note.c_str());
    QCOMPARE(scaled.note.empty(), notes.isEmpty());
    if (!notes.isEmpty())
        QVERIFY(scaled.note.rfind("preview: ", 0) == 0);
}

void TestPreviewScale::bankIsKept_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<int>("ksize");
    QTest::addColumn<int>("bankKsize");
    // Gabor 31 with a bank of 3 scales, ratio 2: 31 * 4 = 124 -> 125 taps;
    // scaled, the bank's size follows the scaled ksize.
    QTest::newRow("1") << 1.0 << 31 << 125;
    QTest::newRow("0.5") << 0.5 << 15 << 61;  // 15 * 4 = 60 -> 61
    QTest::newRow("0.01") << 0.01 << 3 << 13; // 3 * 4 = 12 -> 13
}

void TestPreviewScale::bankIsKept()
{
    QFETCH(double, factor);
    QFETCH(int, ksize);
    QFETCH(int, bankKsize);
    Document document = withFilter(ks::GaborSpec{});
    document.bank = ks::BankSpec{6, 3, 2, ks::BankCombine::Energy};
    const ks::ScaledDocument scaled = ks::scaleDocument(document, factor);
    QVERIFY(scaled.document.bank == document.bank);
    const auto &g = std::get<ks::GaborSpec>(scaled.document.filter);
    QCOMPARE(g.ksize, ksize);
    QCOMPARE(ks::kernelRadius(scaled.document.filter, CV_8U, scaled.document.bank), bankKsize / 2);
    ks::validate(scaled.document);
}

void TestPreviewScale::gaussian_data()
{
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("factor");
    QTest::addColumn<int>("scaledKsize");
    QTest::addColumn<double>("scaledSigma");
    QTest::addColumn<QString>("note");
    QTest::newRow("auto 1") << 0 << 2.0 << 1.0 << 0 << 2.0 << "";
    QTest::newRow("auto 0.5") << 0 << 2.0 << 0.5 << 0 << 1.0 << "";
    QTest::newRow("auto 0.1") << 0 << 2.0 << 0.1 << 0 << 0.2 << "";
    QTest::newRow("auto 0.01") << 0 << 2.0 << 0.01 << 0 << 0.1 << "sigma clamped to 0.1 px";
    QTest::newRow("21 1") << 21 << 3.0 << 1.0 << 21 << 3.0 << "";
    QTest::newRow("21 0.5") << 21 << 3.0 << 0.5 << 11 << 1.5 << ""; // 10.5 -> 11
    QTest::newRow("21 0.1") << 21 << 3.0 << 0.1 << 3 << 0.3 << "";  // 2.1 -> 3
    QTest::newRow("21 0.01") << 21 << 3.0 << 0.01 << 3 << 0.1 << "kernel too small";
    QTest::newRow("1 0.01") << 1 << 3.0 << 0.01 << 1 << 0.1 << "sigma clamped";
}

void TestPreviewScale::gaussian()
{
    QFETCH(int, ksize);
    QFETCH(double, sigma);
    QFETCH(double, factor);
    QFETCH(int, scaledKsize);
    QFETCH(double, scaledSigma);
    QFETCH(QString, note);
    const ks::ScaledDocument scaled =
        ks::scaleDocument(withFilter(ks::GaussianSpec{ksize, sigma}), factor);
    const auto &g = std::get<ks::GaussianSpec>(scaled.document.filter);
    QCOMPARE(g.ksize, scaledKsize);
    QCOMPARE(g.sigma, scaledSigma);
    QCOMPARE(scaled.note.empty(), note.isEmpty());
    QVERIFY2(contains(scaled.note, note.toUtf8().constData()), scaled.note.c_str());
}

void TestPreviewScale::box_data()
{
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("factor");
    QTest::addColumn<int>("scaledKsize");
    QTest::addColumn<bool>("tooSmall");
    QTest::newRow("5 1") << 5 << 1.0 << 5 << false;
    QTest::newRow("5 0.5") << 5 << 0.5 << 3 << false; // 2.5 -> 3
    QTest::newRow("5 0.1") << 5 << 0.1 << 3 << true;  // 0.5 -> 1, kept at 3
    QTest::newRow("5 0.01") << 5 << 0.01 << 3 << true;
    QTest::newRow("101 0.5") << 101 << 0.5 << 51 << false; // 50.5 -> 51
    QTest::newRow("101 0.1") << 101 << 0.1 << 11 << false; // 10.1 -> 11
    QTest::newRow("101 0.01") << 101 << 0.01 << 3 << true; // 1.01 -> 1, kept at 3
    QTest::newRow("1 0.01") << 1 << 0.01 << 1 << false;    // nothing to shrink
    QTest::newRow("3 0.5") << 3 << 0.5 << 3 << true;       // 1.5 -> 1, kept at 3
}

void TestPreviewScale::box()
{
    QFETCH(int, ksize);
    QFETCH(double, factor);
    QFETCH(int, scaledKsize);
    QFETCH(bool, tooSmall);
    const ks::ScaledDocument scaled =
        ks::scaleDocument(withFilter(ks::BoxSpec{ksize, true}), factor);
    const auto &b = std::get<ks::BoxSpec>(scaled.document.filter);
    QCOMPARE(b.ksize, scaledKsize);
    QCOMPARE(b.normalized, true);
    QCOMPARE(contains(scaled.note, "kernel too small at this zoom, shown at 3 px"), tooSmall);
    QCOMPARE(scaled.note.empty(), !tooSmall);
}

void TestPreviewScale::derivative_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<bool>("tooSmall");
    QTest::addColumn<bool>("sigmaClamped");
    // Default: order 1, sigma 2, ksize 15.
    QTest::newRow("1") << 1.0 << 15 << 2.0 << false << false;
    QTest::newRow("0.5") << 0.5 << 7 << 1.0 << false << false; // 7.5 -> 7
    QTest::newRow("0.1") << 0.1 << 3 << 0.2 << true << false;  // 1.5 -> 1, kept at 3
    QTest::newRow("0.01") << 0.01 << 3 << 0.1 << true << true;
}

void TestPreviewScale::derivative()
{
    QFETCH(double, factor);
    QFETCH(int, ksize);
    QFETCH(double, sigma);
    QFETCH(bool, tooSmall);
    QFETCH(bool, sigmaClamped);
    for (int order : {1, 2}) {
        ks::DerivativeSpec spec;
        spec.order = order;
        spec.angle_deg = 60;
        const ks::ScaledDocument scaled = ks::scaleDocument(withFilter(spec), factor);
        const auto &d = std::get<ks::DerivativeSpec>(scaled.document.filter);
        QCOMPARE(d.ksize, ksize);
        QCOMPARE(d.sigma, sigma);
        QCOMPARE(d.order, order);
        QCOMPARE(d.angle_deg, 60.0);
        QCOMPARE(contains(scaled.note, "kernel too small"), tooSmall);
        QCOMPARE(contains(scaled.note, "sigma clamped to 0.1 px"), sigmaClamped);
    }
}

void TestPreviewScale::customIsResampled_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    // Odd sides: the odd size nearest to side * factor (at least 3 from 3);
    // even sides: the even size nearest, at least 2.
    QTest::newRow("1") << 1.0 << 9 << 6;
    QTest::newRow("0.5") << 0.5 << 5 << 4;   // 4.5 -> 5, 3 -> 4 (nearest even, 1.5 rounds up)
    QTest::newRow("0.25") << 0.25 << 3 << 2; // 2.25 -> 3, 1.5 -> 2
    QTest::newRow("0.01") << 0.01 << 3 << 2;
}

void TestPreviewScale::customIsResampled()
{
    QFETCH(double, factor);
    QFETCH(int, rows);
    QFETCH(int, cols);
    ks::CustomSpec custom;
    custom.rows = 9;
    custom.cols = 6;
    custom.values.resize(54);
    double sum = 0;
    for (int i = 0; i < 54; ++i) {
        custom.values[static_cast<std::size_t>(i)] = std::sin(i * 0.7) + 0.25;
        sum += custom.values[static_cast<std::size_t>(i)];
    }
    const ks::ScaledDocument scaled = ks::scaleDocument(withFilter(custom), factor);
    const auto &out = std::get<ks::CustomSpec>(scaled.document.filter);
    QCOMPARE(out.rows, rows);
    QCOMPARE(out.cols, cols);
    QCOMPARE(out.values.size(), static_cast<std::size_t>(rows * cols));
    QCOMPARE(out.normalize, custom.normalize);
    if (factor == 1) {
        QVERIFY(out == custom);
        QVERIFY(scaled.note.empty());
        return;
    }
    double scaledSum = 0;
    for (double v : out.values)
        scaledSum += v;
    QVERIFY2(std::abs(scaledSum - sum) <= 1e-12 * std::abs(sum),
             qPrintable(QStringLiteral("%1 vs %2").arg(scaledSum).arg(sum)));
    const std::string expected =
        "custom kernel resampled to " + std::to_string(rows) + " x " + std::to_string(cols);
    QVERIFY2(contains(scaled.note, expected.c_str()), scaled.note.c_str());
    ks::validate(scaled.document.filter);
}

void TestPreviewScale::identityHasNothingToScale()
{
    for (double f : kFactors) {
        const ks::ScaledDocument scaled = ks::scaleDocument(Document{}, f);
        QVERIFY(scaled.document == Document{});
        QVERIFY(scaled.note.empty());
    }
}

void TestPreviewScale::regions_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<Region>("original");
    QTest::addColumn<Region>("expected");
    QTest::addColumn<QString>("note");
    const cv::Rect rect(10, 20, 30, 40);
    // Rectangles: floor of the top-left, ceiling of the bottom-right corner.
    const cv::Rect half(5, 10, 15, 20);
    const cv::Rect tenth(1, 2, 3, 4);
    const cv::Rect hundredth(0, 0, 1, 1);
    const Region gauss = region(rect, RegionMethod::Gaussian, 8, 10);
    QTest::newRow("gaussian 1") << 1.0 << gauss << gauss << "";
    QTest::newRow("gaussian 0.5") << 0.5 << gauss << region(half, RegionMethod::Gaussian, 4, 5)
                                  << "";
    QTest::newRow("gaussian 0.1") << 0.1 << gauss << region(tenth, RegionMethod::Gaussian, 0.8, 1)
                                  << "";
    QTest::newRow("gaussian 0.01")
        << 0.01 << gauss << region(hundredth, RegionMethod::Gaussian, 0.1, 0)
        << "region sigma clamped to 0.1 px";
    const Region cells = region(rect, RegionMethod::Pixelate, 16, 10);
    QTest::newRow("pixelate 0.5") << 0.5 << cells << region(half, RegionMethod::Pixelate, 8, 5)
                                  << "";
    QTest::newRow("pixelate 0.1") << 0.1 << cells << region(tenth, RegionMethod::Pixelate, 2, 1)
                                  << "";
    QTest::newRow("pixelate 0.01")
        << 0.01 << cells << region(hundredth, RegionMethod::Pixelate, 1, 0)
        << "region cell clamped to 1 px";
    const Region box = region(rect, RegionMethod::Box, 31, 0);
    QTest::newRow("box 0.5") << 0.5 << box << region(half, RegionMethod::Box, 15, 0) << "";
    QTest::newRow("box 0.1") << 0.1 << box << region(tenth, RegionMethod::Box, 3, 0) << "";
    QTest::newRow("box 0.01") << 0.01 << box << region(hundredth, RegionMethod::Box, 3, 0)
                              << "kernel too small";
    const Region negative = region({-21, -9, 30, 40}, RegionMethod::Box, 1, 3);
    QTest::newRow("negative 0.5") << 0.5 << negative
                                  << region({-11, -5, 16, 21}, RegionMethod::Box, 1, 2) << "";
}

void TestPreviewScale::regions()
{
    QFETCH(double, factor);
    QFETCH(Region, original);
    QFETCH(Region, expected);
    QFETCH(QString, note);
    Document document;
    document.regions = {original, original};
    const ks::ScaledDocument scaled = ks::scaleDocument(document, factor);
    QCOMPARE(scaled.document.regions.size(), std::size_t{2});
    for (const Region &r : scaled.document.regions) {
        QCOMPARE(r.rect, expected.rect);
        QCOMPARE(r.method, expected.method);
        QCOMPARE(r.strength, expected.strength);
        QCOMPARE(r.feather, expected.feather);
    }
    QCOMPARE(scaled.note.empty(), note.isEmpty());
    QVERIFY2(contains(scaled.note, note.toUtf8().constData()), scaled.note.c_str());
    // Said once, though two regions needed it.
    if (!note.isEmpty())
        QCOMPARE(scaled.note.find(note.toStdString()), scaled.note.rfind(note.toStdString()));
}

void TestPreviewScale::emptyRegionStaysEmpty()
{
    Document document;
    document.regions = {region({15, 15, 0, 9}, RegionMethod::Gaussian, 3, 0)};
    const ks::ScaledDocument scaled = ks::scaleDocument(document, 0.5);
    QCOMPARE(scaled.document.regions[0].rect.width, 0);
    QVERIFY(scaled.document.regions[0].rect.empty());
}

void TestPreviewScale::alwaysValid_data()
{
    QTest::addColumn<Document>("document");
    // Every parameter at its minimum and at its maximum, for every kind.
    for (ks::FilterKind kind : ks::kAllFilterKinds) {
        for (bool atMax : {false, true}) {
            ks::FilterSpec spec = ks::defaultSpec(kind);
            for (const ks::ParamDescriptor &d : ks::parameterDescriptors(kind)) {
                double v = atMax ? d.max : d.min;
                if (d.type == ks::ParamType::OddInteger && std::fmod(v, 2.0) == 0)
                    v += atMax ? -1 : 1;
                ks::setParameter(spec, d.key, v);
            }
            Document doc = withFilter(spec);
            doc.display = {ks::DisplayMode::Abs, 2.0};
            for (RegionMethod m :
                 {RegionMethod::Gaussian, RegionMethod::Pixelate, RegionMethod::Box}) {
                const auto descriptors = ks::regionParameterDescriptors(m);
                double strength = atMax ? descriptors[0].max : descriptors[0].min;
                if (descriptors[0].type == ks::ParamType::OddInteger &&
                    std::fmod(strength, 2.0) == 0)
                    strength -= 1;
                doc.regions.push_back(region({3, 4, 50, 60}, m, strength, atMax ? 1000 : 0));
            }
            QTest::addRow("%s %s", std::string(ks::filterName(kind)).c_str(), atMax ? "max" : "min")
                << doc;
        }
    }
    // Banks whose largest scale is at sigma's and lambda's limits.
    Document smallest = withFilter(ks::GaborSpec{1, 0.1, 0, 2, 0.01, -180});
    smallest.bank = ks::BankSpec{16, 4, 4, ks::BankCombine::Energy};
    QTest::newRow("gabor bank min") << smallest;
    Document largest = withFilter(ks::GaborSpec{301, 25, 360, 250, 10, 180});
    largest.bank = ks::BankSpec{2, 3, 2, ks::BankCombine::Max};
    largest.display = {ks::DisplayMode::Offset, 3.0};
    QTest::newRow("gabor bank max") << largest;
}

void TestPreviewScale::alwaysValid()
{
    QFETCH(Document, document);
    for (double f : {1.0, 0.9, 0.5, 0.33, 0.1, 0.05, 0.01, 0.001, 1e-6}) {
        const ks::ScaledDocument scaled = ks::scaleDocument(document, f);
        try {
            ks::validate(scaled.document);
        } catch (const std::exception &e) {
            QFAIL(qPrintable(QStringLiteral("factor %1: %2").arg(f).arg(e.what())));
        }
        QCOMPARE(scaled.document.regions.size(), document.regions.size());
    }
}

void TestPreviewScale::fixedGainKeepsBrightness_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<double>("approximately"); // scaled gain / gain, from the theory
    Document derivative1 = withFilter(ks::DerivativeSpec{1, 0, 4.0, 33});
    derivative1.display = {ks::DisplayMode::Offset, 4.0};
    // Response per pixel of the small image: 1/factor larger for a slope.
    QTest::newRow("derivative order 1") << derivative1 << 0.5;
    Document derivative2 = withFilter(ks::DerivativeSpec{2, 0, 4.0, 33});
    derivative2.display = {ks::DisplayMode::Abs, 4.0};
    QTest::newRow("derivative order 2") << derivative2 << 0.25;
    Document gabor = withFilter(ks::GaborSpec{61, 8.0, 0, 20, 0.5, 0});
    gabor.display = {ks::DisplayMode::Offset, 0.01};
    // The envelope's area shrinks by factor^2.
    QTest::newRow("gabor") << gabor << 4.0;
    Document box = withFilter(ks::BoxSpec{9, false});
    box.display = {ks::DisplayMode::Abs, 0.01};
    QTest::newRow("unnormalized box") << box << 81.0 / 25.0; // 9x9 taps -> 5x5
    Document gaussian = withFilter(ks::GaussianSpec{0, 4.0});
    gaussian.display = {ks::DisplayMode::Offset, 2.0};
    QTest::newRow("gaussian") << gaussian << 1.0;
}

void TestPreviewScale::fixedGainKeepsBrightness()
{
    QFETCH(Document, document);
    QFETCH(double, approximately);
    const ks::ScaledDocument scaled = ks::scaleDocument(document, 0.5);
    const double expected = document.display.gain *
                            cv::norm(ks::makeKernel(document.filter), cv::NORM_L1) /
                            cv::norm(ks::makeKernel(scaled.document.filter), cv::NORM_L1);
    QCOMPARE(scaled.document.display.mode, document.display.mode);
    QVERIFY(qFuzzyCompare(scaled.document.display.gain, expected));
    const double ratio = scaled.document.display.gain / document.display.gain;
    QVERIFY2(std::abs(ratio / approximately - 1) < 0.1, std::to_string(ratio).c_str());
}

void TestPreviewScale::automaticGainStaysAutomatic()
{
    for (ks::DisplayMode mode : ks::kAllDisplayModes) {
        Document document = withFilter(ks::DerivativeSpec{});
        document.display = {mode, 0.0};
        const ks::ScaledDocument scaled = ks::scaleDocument(document, 0.25);
        QCOMPARE(scaled.document.display.gain, 0.0);
        QCOMPARE(scaled.document.display.mode, mode);
    }
    // Clamp's gain means nothing: left as it is.
    Document clamp = withFilter(ks::GaborSpec{});
    clamp.display = {ks::DisplayMode::Clamp, 3.0};
    QCOMPARE(ks::scaleDocument(clamp, 0.25).document.display.gain, 3.0);
}

void TestPreviewScale::rejectsBadInput()
{
    for (double f : {0.0, -0.5, 1.5, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()})
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ks::scaleDocument(Document{}, f));
    const Document bad = withFilter(ks::GaborSpec{4, 4.0, 0, 10, 0.5, 0}); // even ksize
    QVERIFY_THROWS_EXCEPTION(ks::ParameterError, ks::scaleDocument(bad, 0.5));
    QVERIFY_THROWS_EXCEPTION(ks::ParameterError, ks::scaleDocument(bad, 1.0));
}

void TestPreviewScale::looksLikeTheExactResultScaledDown_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<double>("factor");
    QTest::newRow("gaussian 0.5") << withFilter(ks::GaussianSpec{0, 6.0}) << 0.5;
    QTest::newRow("gaussian 0.25") << withFilter(ks::GaussianSpec{49, 8.0}) << 0.25;
    Document derivative = withFilter(ks::DerivativeSpec{1, 30, 6.0, 49});
    derivative.display = {ks::DisplayMode::Offset, 8.0}; // fixed gain: compensated
    QTest::newRow("derivative 0.5") << derivative << 0.5;
    Document gabor = withFilter(ks::GaborSpec{61, 8.0, 0, 28, 0.5, 0});
    gabor.display = {ks::DisplayMode::Offset, 0.02};
    QTest::newRow("gabor 0.5") << gabor << 0.5;
    Document withRegion = withFilter(ks::GaussianSpec{0, 2.0});
    withRegion.regions = {region({60, 40, 100, 80}, RegionMethod::Pixelate, 16, 8)};
    QTest::newRow("pixelate region 0.5") << withRegion << 0.5;
}

void TestPreviewScale::looksLikeTheExactResultScaledDown()
{
    QFETCH(Document, document);
    QFETCH(double, factor);
    const cv::Mat source = smoothImage({320, 240});
    const cv::Size small(cvRound(source.cols * factor), cvRound(source.rows * factor));

    cv::Mat exactSmall;
    cv::resize(ks::runPipeline(source, document, CV_8U).output, exactSmall, small, 0, 0,
               cv::INTER_AREA);
    cv::Mat sourceSmall;
    cv::resize(source, sourceSmall, small, 0, 0, cv::INTER_AREA);
    const cv::Mat preview =
        ks::runPipeline(sourceSmall, ks::scaleDocument(document, factor).document, CV_8U).output;

    // Mean difference in grey levels, worst channel: small, and much smaller
    // than with the document left unscaled.
    const auto worstMeanDifference = [&exactSmall](const cv::Mat &image) {
        cv::Mat difference;
        cv::absdiff(image, exactSmall, difference);
        const cv::Scalar mean = cv::mean(difference);
        return std::max({mean[0], mean[1], mean[2]});
    };
    const double scaled = worstMeanDifference(preview);
    const double unscaled =
        worstMeanDifference(ks::runPipeline(sourceSmall, document, CV_8U).output);
    QVERIFY2(scaled < 2.5, std::to_string(scaled).c_str());
    QVERIFY2(unscaled > 2 * scaled,
             (std::to_string(unscaled) + " vs " + std::to_string(scaled)).c_str());
}

// ---------------------------------------------------------------- crops

void TestPreviewScale::globalStatistics_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<double>("gain");
    QTest::addColumn<bool>("global");
    QTest::newRow("clamp") << int(ks::DisplayMode::Clamp) << 0.0 << false;
    QTest::newRow("abs auto") << int(ks::DisplayMode::Abs) << 0.0 << true;
    QTest::newRow("abs 2") << int(ks::DisplayMode::Abs) << 2.0 << false;
    QTest::newRow("offset auto") << int(ks::DisplayMode::Offset) << 0.0 << true;
    QTest::newRow("offset 2") << int(ks::DisplayMode::Offset) << 2.0 << false;
    QTest::newRow("normalize") << int(ks::DisplayMode::Normalize) << 0.0 << true;
    QTest::newRow("raw") << int(ks::DisplayMode::Raw) << 0.0 << false;
}

void TestPreviewScale::globalStatistics()
{
    QFETCH(int, mode);
    QFETCH(double, gain);
    QFETCH(bool, global);
    QCOMPARE(ks::usesGlobalStatistics({static_cast<ks::DisplayMode>(mode), gain}), global);
}

void TestPreviewScale::kernelRadius_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("radius");
    QTest::newRow("identity") << Document{} << int(CV_8U) << 0;
    QTest::newRow("gabor 31") << withFilter(ks::GaborSpec{}) << int(CV_8U) << 15;
    QTest::newRow("gaussian 9") << withFilter(ks::GaussianSpec{9, 1.0}) << int(CV_8U) << 4;
    // Automatic sizes: round(2 * 6 + 1) | 1 = 13 for 8-bit, round(2 * 8 + 1) | 1 = 17 otherwise.
    QTest::newRow("gaussian auto 8U") << withFilter(ks::GaussianSpec{0, 2.0}) << int(CV_8U) << 6;
    QTest::newRow("gaussian auto 16U") << withFilter(ks::GaussianSpec{0, 2.0}) << int(CV_16U) << 8;
    QTest::newRow("box 5") << withFilter(ks::BoxSpec{}) << int(CV_8U) << 2;
    QTest::newRow("derivative 15") << withFilter(ks::DerivativeSpec{}) << int(CV_8U) << 7;
    QTest::newRow("custom 3x7") << withFilter(ks::CustomSpec{3, 7, std::vector<double>(21, 1.0)})
                                << int(CV_8U) << 3;
    QTest::newRow("custom 4x2") << withFilter(ks::CustomSpec{4, 2, std::vector<double>(8, 1.0)})
                                << int(CV_8U) << 2;
    // A bank reaches as far as its largest kernel (bankKernelSize).
    const auto bank = [](ks::GaborSpec g, int scales, double ratio) {
        Document d = withFilter(g);
        d.bank = ks::BankSpec{8, scales, ratio, ks::BankCombine::Max};
        return d;
    };
    QTest::newRow("gabor 31, bank of 1 scale") << bank({}, 1, 4) << int(CV_8U) << 15;
    QTest::newRow("gabor 31, bank 31 * 2 = 62 -> 63") << bank({}, 2, 2) << int(CV_8U) << 31;
    QTest::newRow("gabor 31, bank 31 * 1.5^2 = 69.75 -> 71")
        << bank({}, 3, 1.5) << int(CV_16U) << 35;
    QTest::newRow("gabor 101, bank capped at 301")
        << bank({101, 1, 0, 3, 0.5, 0}, 4, 2) << int(CV_8U) << 150;
    Document boxWithBank = withFilter(ks::BoxSpec{});
    boxWithBank.bank = ks::BankSpec{8, 4, 4, ks::BankCombine::Max};
    QTest::newRow("box with a bank: ignored") << boxWithBank << int(CV_8U) << 2;
}

void TestPreviewScale::kernelRadius()
{
    QFETCH(Document, document);
    QFETCH(int, depth);
    QFETCH(int, radius);
    QCOMPARE(ks::kernelRadius(document.filter, depth, document.bank), radius);
    // The largest kernel the filter runs.
    const auto *gabor = std::get_if<ks::GaborSpec>(&document.filter);
    const cv::Mat kernel = gabor && document.bank ? ks::bankKernels(*gabor, *document.bank).back()
                                                  : ks::makeKernel(document.filter, depth);
    QCOMPARE(std::max(kernel.rows, kernel.cols) / 2, radius);
    if (!document.bank)
        QCOMPARE(ks::kernelRadius(document.filter, depth), radius);
}

void TestPreviewScale::exactSourceRect_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<cv::Rect>("visible");
    QTest::addColumn<std::optional<cv::Rect>>("crop");
    const cv::Rect visible(100, 100, 50, 50);
    const Document gauss7 = withFilter(ks::GaussianSpec{7, 1.5});
    QTest::newRow("kernel radius")
        << gauss7 << visible << std::optional<cv::Rect>(cv::Rect(97, 97, 56, 56));
    QTest::newRow("identity") << Document{} << visible << std::optional<cv::Rect>(visible);
    QTest::newRow("clipped to the image") << gauss7 << cv::Rect(-20, 280, 60, 60)
                                          << std::optional<cv::Rect>(cv::Rect(0, 277, 43, 23));
    QTest::newRow("outside the image")
        << gauss7 << cv::Rect(500, 500, 10, 10) << std::optional<cv::Rect>();

    Document normalize = gauss7;
    normalize.display = {ks::DisplayMode::Normalize, 0};
    QTest::newRow("normalize") << normalize << visible << std::optional<cv::Rect>();
    Document offsetAuto = gauss7;
    offsetAuto.display = {ks::DisplayMode::Offset, 0};
    QTest::newRow("offset auto") << offsetAuto << visible << std::optional<cv::Rect>();
    Document offsetFixed = gauss7;
    offsetFixed.display = {ks::DisplayMode::Offset, 1.5};
    QTest::newRow("offset fixed") << offsetFixed << visible
                                  << std::optional<cv::Rect>(cv::Rect(97, 97, 56, 56));

    Document wrap = gauss7;
    wrap.options.border = ks::BorderMode::Wrap;
    QTest::newRow("wrap inside") << wrap << visible
                                 << std::optional<cv::Rect>(cv::Rect(97, 97, 56, 56));
    QTest::newRow("wrap at the edge")
        << wrap << cv::Rect(0, 100, 50, 50) << std::optional<cv::Rect>();

    // Gaussian region, sigma 2 (8-bit: 13 taps, radius 6), feather 3: reach 9.
    Document touching = gauss7;
    touching.regions = {region({150, 110, 20, 20}, RegionMethod::Gaussian, 2, 3)};
    QTest::newRow("region touching")
        << touching << visible << std::optional<cv::Rect>(cv::Rect(88, 88, 74, 74));
    // The box's rectangle starts at x = 156, beyond the filter's reach (up to
    // x = 152), but its feather reaches x = 152: it counts (reach 2 + 4). The
    // first region lies below the image.
    Document feathered = gauss7;
    feathered.regions = {region({150, 300, 20, 20}, RegionMethod::Gaussian, 2, 3),
                         region({156, 110, 20, 20}, RegionMethod::Box, 5, 4)};
    QTest::newRow("feather touching")
        << feathered << visible << std::optional<cv::Rect>(cv::Rect(91, 91, 68, 68));
    Document far = gauss7;
    far.regions = {region({300, 250, 20, 20}, RegionMethod::Pixelate, 16, 2),
                   region({161, 100, 20, 20}, RegionMethod::Box, 5, 0)};
    QTest::newRow("regions not touching")
        << far << visible << std::optional<cv::Rect>(cv::Rect(97, 97, 56, 56));
    // Region 1 touches only what region 2 needs: the box (31 taps, feather 0)
    // grows the need by 15 to x = 82, which the pixelation (up to x = 84)
    // touches: it adds its cell, 10.
    Document chain = gauss7;
    chain.regions = {region({40, 40, 45, 45}, RegionMethod::Pixelate, 10, 0),
                     region({90, 90, 20, 20}, RegionMethod::Box, 31, 0)};
    QTest::newRow("chain") << chain << visible
                           << std::optional<cv::Rect>(cv::Rect(72, 72, 106, 106));

    // Gabor 7 alone reaches 3 px; its bank of 3 scales, ratio 2, 7 * 4 = 28
    // -> 29 taps, reaches 14.
    Document gabor7 = withFilter(ks::GaborSpec{7, 1.0, 0, 3, 0.5, 0});
    QTest::newRow("gabor 7") << gabor7 << visible
                             << std::optional<cv::Rect>(cv::Rect(97, 97, 56, 56));
    Document bank = gabor7;
    bank.bank = ks::BankSpec{4, 3, 2, ks::BankCombine::Energy};
    QTest::newRow("gabor 7 bank") << bank << visible
                                  << std::optional<cv::Rect>(cv::Rect(86, 86, 78, 78));
    Document bankWrap = bank;
    bankWrap.options.border = ks::BorderMode::Wrap;
    // Within 14 px of the left edge: the bank's reach leaves the image.
    QTest::newRow("gabor 7 bank, wrap near the edge")
        << bankWrap << cv::Rect(10, 100, 50, 50) << std::optional<cv::Rect>();
    QTest::newRow("gabor 7 bank, wrap inside") << bankWrap << cv::Rect(14, 100, 50, 50)
                                               << std::optional<cv::Rect>(cv::Rect(0, 86, 78, 78));
}

void TestPreviewScale::exactSourceRect()
{
    QFETCH(Document, document);
    QFETCH(cv::Rect, visible);
    QFETCH(std::optional<cv::Rect>, crop);
    const std::optional<cv::Rect> got =
        ks::exactSourceRect(document, cv::Size(400, 300), CV_8U, visible);
    QCOMPARE(got.has_value(), crop.has_value());
    if (crop)
        QCOMPARE(*got, *crop);
}

void TestPreviewScale::cropDocumentMovesRegions()
{
    Document document = withFilter(ks::GaborSpec{});
    document.regions = {region({50, 60, 10, 10}, RegionMethod::Gaussian, 2, 1),
                        region({0, 0, 5, 5}, RegionMethod::Box, 3, 40),   // outside the crop
                        region({45, 45, 0, 30}, RegionMethod::Box, 3, 0), // empty
                        region({30, 30, 100, 100}, RegionMethod::Pixelate, 7, 2)};
    const Document cropped = ks::cropDocument(document, cv::Rect(40, 40, 30, 30));
    QVERIFY(cropped.filter == document.filter);
    QVERIFY(cropped.display == document.display);
    QVERIFY(cropped.options == document.options);
    QCOMPARE(cropped.regions.size(), std::size_t{2});
    QCOMPARE(cropped.regions[0].rect, cv::Rect(10, 20, 10, 10));
    QCOMPARE(cropped.regions[0].strength, 2.0);
    QCOMPARE(cropped.regions[1].rect, cv::Rect(-10, -10, 100, 100));
    QCOMPARE(cropped.regions[1].method, RegionMethod::Pixelate);
}

void TestPreviewScale::cropGivesTheExactOutput_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<int>("type");
    QTest::addColumn<cv::Rect>("visible");
    const cv::Rect middle(70, 50, 60, 45);
    QTest::newRow("gaussian 7") << withFilter(ks::GaussianSpec{7, 1.5}) << int(CV_8UC3) << middle;
    QTest::newRow("gaussian auto 16U")
        << withFilter(ks::GaussianSpec{0, 2.5}) << int(CV_16UC1) << middle;
    Document gabor = withFilter(ks::GaborSpec{31, 5.0, 30, 12, 0.5, 0});
    gabor.display = {ks::DisplayMode::Offset, 0.05};
    QTest::newRow("gabor 31 offset fixed") << gabor << int(CV_8UC3) << middle;
    QTest::newRow("gabor 31 at the corner") << gabor << int(CV_8UC1) << cv::Rect(0, 0, 40, 30);
    Document bank = withFilter(ks::GaborSpec{11, 2.0, 30, 5, 0.5, 0});
    bank.bank = ks::BankSpec{4, 3, 1.5, ks::BankCombine::Energy}; // 11 * 2.25 -> 25 taps
    bank.display = {ks::DisplayMode::Abs, 0.1};
    QTest::newRow("gabor bank energy") << bank << int(CV_8UC3) << middle;
    bank.bank->combine = ks::BankCombine::Max;
    bank.options.border = ks::BorderMode::Constant;
    QTest::newRow("gabor bank max at the edge") << bank << int(CV_8UC4) << cv::Rect(0, 0, 40, 30);
    Document derivative = withFilter(ks::DerivativeSpec{2, 45, 2.0, 15});
    derivative.display = {ks::DisplayMode::Abs, 3.0};
    derivative.options.border = ks::BorderMode::Constant;
    QTest::newRow("derivative constant at the edge")
        << derivative << int(CV_8UC4) << cv::Rect(150, 100, 50, 50);
    Document custom = withFilter(ks::CustomSpec{4, 2, {1, 0, 0, 1, -1, 0, 0, 0}, false});
    custom.display = {ks::DisplayMode::Offset, 1.0};
    custom.options.border = ks::BorderMode::Wrap;
    QTest::newRow("custom even wrap") << custom << int(CV_8UC3) << middle;
    Document gray = withFilter(ks::BoxSpec{5, true});
    gray.options.color = ks::ColorMode::Gray;
    gray.options.border = ks::BorderMode::Replicate;
    QTest::newRow("box gray replicate") << gray << int(CV_8UC3) << cv::Rect(10, 110, 80, 40);
    Document raw = withFilter(ks::GaussianSpec{5, 1.0});
    raw.display = {ks::DisplayMode::Raw, 0};
    QTest::newRow("raw float") << raw << int(CV_32FC3) << middle;

    Document regions = withFilter(ks::GaussianSpec{9, 2.0});
    regions.regions = {region({20, 20, 60, 40}, RegionMethod::Pixelate, 12, 6),
                       region({60, 70, 30, 20}, RegionMethod::Gaussian, 4, 5),
                       region({125, 40, 40, 40}, RegionMethod::Box, 9, 3),
                       region({150, 150, 20, 20}, RegionMethod::Gaussian, 3, 0)};
    QTest::newRow("regions 8U") << regions << int(CV_8UC3) << middle;
    QTest::newRow("regions 16U") << regions << int(CV_16UC1) << middle;
    Document feather = withFilter(ks::IdentitySpec{});
    feather.regions = {region({131, 60, 30, 20}, RegionMethod::Pixelate, 7, 8)};
    QTest::newRow("feather from outside") << feather << int(CV_8UC3) << middle;
}

void TestPreviewScale::cropGivesTheExactOutput()
{
    QFETCH(Document, document);
    QFETCH(int, type);
    QFETCH(cv::Rect, visible);
    const cv::Mat source = randomImage({200, 150}, CV_MAT_DEPTH(type), CV_MAT_CN(type), 99);
    const std::optional<cv::Rect> crop =
        ks::exactSourceRect(document, source.size(), source.depth(), visible);
    QVERIFY(crop.has_value());
    QVERIFY((*crop & visible) == visible);
    QVERIFY(crop->area() < source.size().area());

    const ks::PipelineOutput full = ks::runPipeline(source, document, CV_8U);
    const ks::PipelineOutput part =
        ks::runPipeline(source(*crop), ks::cropDocument(document, *crop), CV_8U);
    const cv::Rect inCrop = visible - crop->tl();
    QVERIFY(identical(part.output(inCrop), full.output(visible)));
    // The engine may round a value differently at another place in a row (its
    // vector loop's scalar tail): the responses agree to the last float bits.
    const cv::Mat expected = full.response.values(visible);
    const double bound = 1e-6 * std::max(1.0, cv::norm(expected, cv::NORM_INF));
    const double difference = cv::norm(part.response.values(inCrop), expected, cv::NORM_INF);
    QVERIFY2(difference <= bound, std::to_string(difference).c_str());
    QVERIFY(part.warnings.empty());
}

QTEST_MAIN(TestPreviewScale)
#include "tst_preview_scale.moc"
