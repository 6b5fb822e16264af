// Tests for core/document.h: the pipeline source -> region blurs -> filter ->
// display mapping, checked against independent references (the source
// itself, OpenCV's own blurs), plus validation, warnings, cancellation and
// progress. The region blur and the filters have their own unit tests; here
// only their composition is under test.

#include "core/document.h"
#include "core/errors.h"
#include "core/region_blur.h"
#include "core/run_control.h"
#include "test_fixtures.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QTest>

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

Q_DECLARE_METATYPE(ks::Document)
Q_DECLARE_METATYPE(ks::Region)

namespace {

using ks::test::identical;
using ks::test::randomImage;
using ks::test::region;
using ks::test::withFilter;

using ks::Document;
using ks::Region;
using ks::RegionMethod;

const cv::Size kImageSize(64, 48);

/// Largest absolute difference over all channels (types must match).
double maxDifference(const cv::Mat &a, const cv::Mat &b)
{
    return cv::norm(a, b, cv::NORM_INF);
}

std::string describe(const cv::Mat &m)
{
    return std::to_string(m.cols) + "x" + std::to_string(m.rows) + " type " +
           std::to_string(m.type());
}

} // namespace

class TestDocument : public QObject {
    Q_OBJECT

private slots:
    void identityGivesTheSource_data();
    void identityGivesTheSource();
    void gaussianMatchesOpenCv_data();
    void gaussianMatchesOpenCv();
    void regionWithIdentity_data();
    void regionWithIdentity();
    void regionsComeBeforeTheFilter_data();
    void regionsComeBeforeTheFilter();
    void rawDisplayGivesTheResponse_data();
    void rawDisplayGivesTheResponse();
    void regionWarningsPassThrough();
    void bankReplacesTheFilter_data();
    void bankReplacesTheFilter();
    void bankIgnoredForOtherFilters();
    void validateRejects_data();
    void validateRejects();
    void validateAccepts_data();
    void validateAccepts();
    void cancelled_data();
    void cancelled();
    void progress_data();
    void progress();
};

// ---------------------------------------------------------------- identity

void TestDocument::identityGivesTheSource_data()
{
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("channels");
    for (int depth : {CV_8U, CV_16U})
        for (int channels : {1, 3, 4})
            QTest::addRow("%s %dch", depth == CV_8U ? "8U" : "16U", channels) << depth << channels;
}

void TestDocument::identityGivesTheSource()
{
    QFETCH(int, depth);
    QFETCH(int, channels);
    const cv::Mat source = randomImage(kImageSize, depth, channels, 11 + channels);
    const cv::Mat before = source.clone();
    const Document document; // IdentitySpec, Clamp, no regions
    const ks::PipelineOutput out = ks::runPipeline(source, document, depth);
    QVERIFY2(identical(out.output, source), describe(out.output).c_str());
    QVERIFY(identical(out.blurred, source));
    QVERIFY(out.warnings.empty());
    QVERIFY(identical(source, before)); // the input is left alone
}

// ---------------------------------------------------------------- Gaussian

void TestDocument::gaussianMatchesOpenCv_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("ksize");
    QTest::addColumn<double>("sigma");
    QTest::newRow("gray 5 1.0") << 1 << 5 << 1.0;
    QTest::newRow("bgr 7 1.5") << 3 << 7 << 1.5;
    QTest::newRow("bgra 9 2.5") << 4 << 9 << 2.5;
    QTest::newRow("bgr auto 2.0") << 3 << 0 << 2.0;
    QTest::newRow("gray 31 6.0") << 1 << 31 << 6.0;
}

void TestDocument::gaussianMatchesOpenCv()
{
    QFETCH(int, channels);
    QFETCH(int, ksize);
    QFETCH(double, sigma);
    const cv::Mat source = randomImage(kImageSize, CV_8U, channels, 23);
    const Document document = withFilter(ks::GaussianSpec{ksize, sigma});
    const ks::PipelineOutput out = ks::runPipeline(source, document, CV_8U);

    cv::Mat expected;
    cv::GaussianBlur(source, expected, cv::Size(ksize, ksize), sigma, sigma,
                     cv::BORDER_REFLECT_101);
    if (channels == 4) {
        // OpenCV blurs alpha too; the pipeline carries it through untouched.
        cv::Mat planes[4];
        cv::split(expected, planes);
        cv::extractChannel(source, planes[3], 3);
        cv::merge(planes, 4, expected);
    }
    QCOMPARE(out.output.type(), source.type());
    QVERIFY2(maxDifference(out.output, expected) <= 1,
             std::to_string(maxDifference(out.output, expected)).c_str());
}

// ---------------------------------------------------------------- regions

void TestDocument::regionWithIdentity_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<Region>("blur");
    QTest::newRow("gaussian") << 3 << region({10, 8, 20, 15}, RegionMethod::Gaussian, 3, 0);
    QTest::newRow("pixelate feathered")
        << 1 << region({30, 20, 25, 20}, RegionMethod::Pixelate, 6, 4);
    QTest::newRow("box at the edge") << 4 << region({-5, 30, 30, 30}, RegionMethod::Box, 7, 2);
}

void TestDocument::regionWithIdentity()
{
    QFETCH(int, channels);
    QFETCH(Region, blur);
    const cv::Mat source = randomImage(kImageSize, CV_8U, channels, 5);
    Document document;
    document.regions = {blur};
    const ks::PipelineOutput out = ks::runPipeline(source, document, CV_8U);

    const cv::Mat expected = ks::applyRegionBlurs(source, document.regions).image;
    QVERIFY(identical(out.output, expected));
    QVERIFY(identical(out.blurred, expected));
    QVERIFY(!identical(out.output, source)); // the region did something

    const cv::Rect touched(blur.rect.x - blur.feather, blur.rect.y - blur.feather,
                           blur.rect.width + 2 * blur.feather, blur.rect.height + 2 * blur.feather);
    int changedOutside = 0;
    for (int y = 0; y < source.rows; ++y)
        for (int x = 0; x < source.cols; ++x)
            if (!touched.contains({x, y}) &&
                std::memcmp(out.output.ptr(y, x), source.ptr(y, x), source.elemSize()) != 0)
                ++changedOutside;
    QCOMPARE(changedOutside, 0);
}

void TestDocument::regionsComeBeforeTheFilter_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("ksize");
    QTest::newRow("gray 5") << 1 << 5;
    QTest::newRow("bgr 9") << 3 << 9;
}

void TestDocument::regionsComeBeforeTheFilter()
{
    QFETCH(int, channels);
    QFETCH(int, ksize);
    const cv::Mat source = randomImage(kImageSize, CV_8U, channels, 31);
    Document document = withFilter(ks::BoxSpec{ksize, true});
    document.regions = {region({12, 10, 24, 18}, RegionMethod::Pixelate, 8, 0)};
    const ks::PipelineOutput out = ks::runPipeline(source, document, CV_8U);

    const cv::Mat regionBlurred = ks::applyRegionBlurs(source, document.regions).image;
    cv::Mat expected;
    cv::blur(regionBlurred, expected, cv::Size(ksize, ksize), cv::Point(-1, -1),
             cv::BORDER_REFLECT_101);
    QCOMPARE(out.output.type(), source.type());
    QVERIFY2(maxDifference(out.output, expected) <= 1,
             std::to_string(maxDifference(out.output, expected)).c_str());

    // The other order gives a visibly different image, so the test can tell.
    cv::Mat filteredFirst;
    cv::blur(source, filteredFirst, cv::Size(ksize, ksize), cv::Point(-1, -1),
             cv::BORDER_REFLECT_101);
    const cv::Mat wrongOrder = ks::applyRegionBlurs(filteredFirst, document.regions).image;
    QVERIFY(maxDifference(out.output, wrongOrder) > 1);
}

void TestDocument::rawDisplayGivesTheResponse_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<bool>("withRegion");
    QTest::newRow("gray") << 1 << false;
    QTest::newRow("bgr with region") << 3 << true;
    QTest::newRow("bgra") << 4 << false;
}

void TestDocument::rawDisplayGivesTheResponse()
{
    QFETCH(int, channels);
    QFETCH(bool, withRegion);
    const cv::Mat source = randomImage(kImageSize, CV_8U, channels, 41);
    ks::GaborSpec gabor;
    gabor.ksize = 11;
    Document document = withFilter(gabor);
    document.display.mode = ks::DisplayMode::Raw;
    if (withRegion)
        document.regions = {region({5, 5, 20, 20}, RegionMethod::Gaussian, 2, 1)};
    const ks::PipelineOutput out = ks::runPipeline(source, document, CV_8U);
    const int colours = channels == 4 ? 3 : channels;
    QCOMPARE(out.response.values.type(), CV_32FC(colours));
    QCOMPARE(out.output.depth(), CV_32F);
    // Raw keeps the alpha channel's place (rescaled to float) for a BGRA source.
    QCOMPARE(out.output.channels(), channels);
    cv::Mat colour = out.output;
    if (channels == 4) {
        const int fromTo[] = {0, 0, 1, 1, 2, 2};
        colour = cv::Mat(out.output.size(), CV_32FC3);
        cv::mixChannels(&out.output, 1, &colour, 1, fromTo, 3);
    }
    QVERIFY(identical(colour, out.response.values));
    // And the response is the filter applied to what the regions left.
    const ks::Response reference = ks::applyFilter(out.blurred, document.filter, document.options);
    QVERIFY(identical(out.response.values, reference.values));
}

void TestDocument::regionWarningsPassThrough()
{
    const cv::Mat source = randomImage(kImageSize, CV_8U, 3, 3);
    Document document;
    document.regions = {region({1000, 1000, 10, 10}, RegionMethod::Gaussian, 2, 0),
                        region({5, 5, 10, 10}, RegionMethod::Box, 3, 0),
                        region({5, 5, 0, 10}, RegionMethod::Box, 3, 0)};
    const ks::PipelineOutput out = ks::runPipeline(source, document, CV_8U);
    const auto expected = ks::applyRegionBlurs(source, document.regions);
    QCOMPARE(out.warnings.size(), std::size_t{2});
    QCOMPARE(out.warnings, expected.warnings);
    QVERIFY2(out.warnings[0].find("region 1") != std::string::npos, out.warnings[0].c_str());
    QVERIFY2(out.warnings[0].find("outside") != std::string::npos, out.warnings[0].c_str());
    QVERIFY2(out.warnings[1].find("region 3") != std::string::npos, out.warnings[1].c_str());
    QVERIFY(identical(out.output, expected.image));
}

// ---------------------------------------------------------------- Gabor bank

namespace {

/// A Gabor filter with a bank of small kernels (9 * 1.5 = 13.5 -> 15 taps).
Document withBank(ks::BankCombine combine)
{
    Document document = withFilter(ks::GaborSpec{9, 2.0, 15, 5, 0.6, 20});
    document.bank = ks::BankSpec{4, 2, 1.5, combine};
    return document;
}

} // namespace

void TestDocument::bankReplacesTheFilter_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("channels");
    Document max = withBank(ks::BankCombine::Max);
    max.display = {ks::DisplayMode::Offset, 0};
    QTest::newRow("max offset bgr") << max << int(CV_8U) << 3;
    Document energy = withBank(ks::BankCombine::Energy);
    energy.display = {ks::DisplayMode::Abs, 0.02};
    energy.options.border = ks::BorderMode::Wrap;
    QTest::newRow("energy abs wrap bgra") << energy << int(CV_8U) << 4;
    Document gray = withBank(ks::BankCombine::Energy);
    gray.display = {ks::DisplayMode::Normalize, 0};
    gray.options.color = ks::ColorMode::Gray;
    gray.regions = {region({5, 5, 20, 20}, RegionMethod::Gaussian, 2, 1)};
    QTest::newRow("energy normalize gray with region 16U") << gray << int(CV_16U) << 3;
    Document raw = withBank(ks::BankCombine::Max);
    raw.display = {ks::DisplayMode::Raw, 0};
    QTest::newRow("max raw float") << raw << int(CV_32F) << 1;
}

// The pipeline with a bank is the region blur, then applyBank, then the
// display mapping; the bank's own response is checked in tst_gabor_bank.
void TestDocument::bankReplacesTheFilter()
{
    QFETCH(Document, document);
    QFETCH(int, depth);
    QFETCH(int, channels);
    const cv::Mat source = randomImage(kImageSize, depth, channels, 71);
    const int outputDepth = depth == CV_32F ? CV_32F : depth;
    const ks::PipelineOutput out = ks::runPipeline(source, document, outputDepth);

    const cv::Mat blurred = ks::applyRegionBlurs(source, document.regions).image;
    QVERIFY(identical(out.blurred, blurred));
    const ks::Response expected = ks::applyBank(blurred, std::get<ks::GaborSpec>(document.filter),
                                                *document.bank, document.options);
    QVERIFY(identical(out.response.values, expected.values));
    QVERIFY(identical(out.response.alpha, expected.alpha));
    QCOMPARE(out.response.sourceDepth, expected.sourceDepth);
    QVERIFY(identical(out.output, ks::mapForDisplay(expected, document.display, outputDepth)));

    // Not the single kernel's response.
    const ks::Response single = ks::applyFilter(blurred, document.filter, document.options);
    QVERIFY(maxDifference(out.response.values, single.values) > 1e-3);
}

void TestDocument::bankIgnoredForOtherFilters()
{
    const cv::Mat source = randomImage(kImageSize, CV_8U, 3, 72);
    Document document = withFilter(ks::BoxSpec{5, true});
    const ks::PipelineOutput without = ks::runPipeline(source, document, CV_8U);
    document.bank = ks::BankSpec{1, 9, 0, ks::BankCombine::Energy}; // invalid, and ignored
    ks::validate(document);
    const ks::PipelineOutput with = ks::runPipeline(source, document, CV_8U);
    QVERIFY(identical(with.output, without.output));
    QVERIFY(identical(with.response.values, without.response.values));
}

// ---------------------------------------------------------------- validation

void TestDocument::validateRejects_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("message");

    QTest::newRow("gaussian sigma") << withFilter(ks::GaussianSpec{0, -1}) << "sigma"
                                    << "sigma = -1 is out of range";
    QTest::newRow("even box") << withFilter(ks::BoxSpec{4, true}) << "ksize"
                              << "ksize = 4 must be an odd whole number";
    QTest::newRow("custom matrix") << withFilter(ks::CustomSpec{2, 2, {1, 2, 3}, false}) << "matrix"
                                   << "matrix has 3 values";
    Document strength;
    strength.regions = {region({0, 0, 5, 5}, RegionMethod::Gaussian, 2, 0),
                        region({0, 0, 5, 5}, RegionMethod::Gaussian, 0, 0)};
    QTest::newRow("region sigma") << strength << "sigma"
                                  << "region 2: sigma = 0";
    Document feather;
    feather.regions = {region({0, 0, 5, 5}, RegionMethod::Pixelate, 4, -1)};
    QTest::newRow("region feather") << feather << "feather"
                                    << "region 1: feather = -1";
    Document cell;
    cell.regions = {region({0, 0, 5, 5}, RegionMethod::Pixelate, 2.5, 0)};
    QTest::newRow("region cell") << cell << "cell"
                                 << "region 1: cell = 2.5";
    Document orientations = withBank(ks::BankCombine::Max);
    orientations.bank->orientations = 17;
    QTest::newRow("bank orientations") << orientations << "orientations"
                                       << "orientations = 17 must be a whole number from 2 to 16";
    Document ratio = withBank(ks::BankCombine::Max);
    ratio.bank->ratio = std::numeric_limits<double>::quiet_NaN();
    QTest::newRow("bank ratio") << ratio << "ratio"
                                << "ratio = nan is not a finite number";
    // sigma 30 * 2^2 = 120 at the third scale, beyond sigma's 100 px.
    Document scales = withFilter(ks::GaborSpec{31, 30, 0, 10, 0.5, 0});
    scales.bank = ks::BankSpec{8, 3, 2.0, ks::BankCombine::Max};
    QTest::newRow("bank beyond sigma")
        << scales << "scales"
        << "scales = 3 with ratio 2 takes the Gabor out of range at scale "
           "3: sigma = 120 is out of range";
}

void TestDocument::validateRejects()
{
    QFETCH(Document, document);
    QFETCH(QString, key);
    QFETCH(QString, message);
    for (bool run : {false, true}) {
        try {
            if (run)
                ks::runPipeline(randomImage(kImageSize, CV_8U, 1, 1), document, CV_8U);
            else
                ks::validate(document);
            QFAIL("no ParameterError");
        } catch (const ks::ParameterError &e) {
            QCOMPARE(QString::fromStdString(e.key()), key);
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
}

void TestDocument::validateAccepts_data()
{
    QTest::addColumn<Document>("document");
    QTest::newRow("default") << Document{};
    for (ks::FilterKind kind : ks::kAllFilterKinds)
        QTest::newRow(std::string(ks::filterName(kind)).c_str())
            << withFilter(ks::defaultSpec(kind));
    Document regions;
    regions.regions = {region({0, 0, 5, 5}, RegionMethod::Gaussian, 0.1, 1000),
                       region({-50, -50, 0, 0}, RegionMethod::Pixelate, 1000, 0),
                       region({0, 0, 5, 5}, RegionMethod::Box, 1001, 0)};
    QTest::newRow("regions at their limits") << regions;
    Document bank = withFilter(ks::GaborSpec{31, 25, 0, 250, 0.5, 0});
    bank.bank = ks::BankSpec{16, 3, 2.0, ks::BankCombine::Energy}; // sigma 100, lambda 1000
    QTest::newRow("bank at its limits") << bank;
    Document box = withFilter(ks::BoxSpec{});
    box.bank = ks::BankSpec{0, 0, 0, ks::BankCombine::Max};
    QTest::newRow("bank beside a box, ignored") << box;
}

void TestDocument::validateAccepts()
{
    QFETCH(Document, document);
    ks::validate(document); // throws on failure
    QVERIFY(true);
}

// ---------------------------------------------------------------- run control

void TestDocument::cancelled_data()
{
    QTest::addColumn<Document>("document");
    QTest::newRow("identity") << Document{};
    QTest::newRow("gabor") << withFilter(ks::GaborSpec{});
    QTest::newRow("gabor bank") << withBank(ks::BankCombine::Energy);
    Document regions = withFilter(ks::GaussianSpec{});
    regions.regions = {region({4, 4, 20, 20}, RegionMethod::Gaussian, 3, 0)};
    QTest::newRow("gaussian with region") << regions;
}

void TestDocument::cancelled()
{
    QFETCH(Document, document);
    std::stop_source stop;
    stop.request_stop();
    std::vector<double> reported;
    const ks::RunControl control{stop.get_token(), [&](double f) { reported.push_back(f); }};
    QVERIFY_THROWS_EXCEPTION(ks::Cancelled, ks::runPipeline(randomImage(kImageSize, CV_8U, 3, 9),
                                                            document, CV_8U, control));
    // Nothing was finished, so nothing reached 1.
    for (double f : reported)
        QVERIFY(f < 1);
}

void TestDocument::progress_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<int>("channels");
    QTest::newRow("identity gray") << Document{} << 1;
    QTest::newRow("gabor bgr") << withFilter(ks::GaborSpec{}) << 3;
    Document bank = withBank(ks::BankCombine::Max);
    bank.regions = {region({4, 4, 20, 20}, RegionMethod::Gaussian, 3, 0)};
    QTest::newRow("gabor bank with region") << bank << 3;
    Document regions = withFilter(ks::DerivativeSpec{});
    regions.regions = {region({4, 4, 20, 20}, RegionMethod::Gaussian, 3, 0),
                       region({30, 4, 20, 20}, RegionMethod::Pixelate, 5, 2),
                       region({500, 500, 20, 20}, RegionMethod::Box, 5, 0)};
    QTest::newRow("derivative with regions") << regions << 4;
}

void TestDocument::progress()
{
    QFETCH(Document, document);
    QFETCH(int, channels);
    std::vector<double> reported;
    const ks::RunControl control{{}, [&](double f) { reported.push_back(f); }};
    ks::runPipeline(randomImage({200, 150}, CV_8U, channels, 13), document, CV_8U, control);
    QVERIFY(!reported.empty());
    for (std::size_t i = 0; i < reported.size(); ++i) {
        QVERIFY2(reported[i] >= 0 && reported[i] <= 1, std::to_string(reported[i]).c_str());
        if (i > 0)
            QVERIFY2(reported[i] >= reported[i - 1], std::to_string(i).c_str());
    }
    QCOMPARE(reported.back(), 1.0);
}

QTEST_APPLESS_MAIN(TestDocument)
#include "tst_document.moc"
