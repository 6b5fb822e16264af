// Tests for core/region_blur.h.
//
// Every expected value is computed independently of the engine: Gaussian and
// box blurs by OpenCV on the whole image (which uses the image's real
// neighbourhood and reflect101 only at the image's own edges), pixelation by
// loops over the cells, the feather zone by the distance formula of the brief.

#include "core/errors.h"
#include "core/parameters.h"
#include "core/region_blur.h"
#include "core/run_control.h"
#include "test_fixtures.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QByteArray>
#include <QRect>
#include <QSize>
#include <QTest>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using ks::test::randomImage;

using ks::Region;
using ks::RegionMethod;

const cv::Size kImageSize(64, 48);

constexpr int kDepths[] = {CV_8U, CV_16U, CV_32F};
constexpr int kChannelCounts[] = {1, 3, 4};

const char *depthName(int depth)
{
    switch (depth) {
    case CV_8U:
        return "8U";
    case CV_16U:
        return "16U";
    default:
        return "32F";
    }
}

const char *methodName(RegionMethod method)
{
    switch (method) {
    case RegionMethod::Gaussian:
        return "gaussian";
    case RegionMethod::Pixelate:
        return "pixelate";
    default:
        return "box";
    }
}

struct NamedRect {
    const char *name;
    cv::Rect rect;
};

// Positions in a 64x48 image: one far from every edge, one touching each edge
// and corner, the whole image, partly outside, and degenerate sizes.
const NamedRect kRects[] = {
    {"middle", {20, 14, 22, 18}},
    {"topLeft", {0, 0, 17, 13}},
    {"top", {20, 0, 20, 11}},
    {"topRight", {47, 0, 17, 13}},
    {"right", {50, 16, 14, 15}},
    {"bottomRight", {45, 35, 19, 13}},
    {"bottom", {18, 38, 25, 10}},
    {"bottomLeft", {0, 36, 15, 12}},
    {"left", {0, 15, 12, 16}},
    {"whole", {0, 0, 64, 48}},
    {"overhangTopLeft", {-7, -5, 20, 18}},
    {"overhangBottomRight", {55, 40, 20, 20}},
    {"single", {30, 20, 1, 1}},
    {"column", {10, 5, 1, 30}},
};

QRect toQRect(const cv::Rect &r)
{
    return {r.x, r.y, r.width, r.height};
}

cv::Rect toCvRect(const QRect &r)
{
    return {r.x(), r.y(), r.width(), r.height()};
}

int colourChannels(int channels)
{
    return channels == 4 ? 3 : channels;
}

/// 1 LSB for integer depths; for float images (values in [0, 1]) 1e-4.
double tolerance(int depth)
{
    return depth == CV_32F ? 1e-4 : 1.0;
}

double sample(const cv::Mat &m, int y, int x, int c)
{
    const int i = x * m.channels() + c;
    switch (m.depth()) {
    case CV_8U:
        return m.ptr<std::uint8_t>(y)[i];
    case CV_16U:
        return m.ptr<std::uint16_t>(y)[i];
    default:
        return m.ptr<float>(y)[i];
    }
}

bool sameChannel(const cv::Mat &a, const cv::Mat &b, int y, int x, int c)
{
    const size_t size = a.elemSize1();
    return std::memcmp(a.ptr(y, x) + c * size, b.ptr(y, x) + c * size, size) == 0;
}

bool samePixel(const cv::Mat &a, const cv::Mat &b, int y, int x)
{
    return std::memcmp(a.ptr(y, x), b.ptr(y, x), a.elemSize()) == 0;
}

/// Pixels where mask is set and a and b differ in any bit of any channel.
int countChanged(const cv::Mat &a, const cv::Mat &b, const cv::Mat1b &mask)
{
    int count = 0;
    for (int y = 0; y < a.rows; ++y)
        for (int x = 0; x < a.cols; ++x)
            if (mask(y, x) && !samePixel(a, b, y, x))
                ++count;
    return count;
}

/// Pixels where mask is set and a and b differ in a colour (non-alpha) channel.
int countColourChanged(const cv::Mat &a, const cv::Mat &b, const cv::Mat1b &mask)
{
    int count = 0;
    const int cn = colourChannels(a.channels());
    for (int y = 0; y < a.rows; ++y)
        for (int x = 0; x < a.cols; ++x) {
            if (!mask(y, x))
                continue;
            for (int c = 0; c < cn; ++c)
                if (!sameChannel(a, b, y, x, c)) {
                    ++count;
                    break;
                }
        }
    return count;
}

bool bitIdentical(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    return countChanged(a, b, cv::Mat1b(a.size(), 255)) == 0;
}

/// Euclidean distance of pixel (x, y) to the rectangle (0 inside it).
double distanceToRect(int x, int y, const cv::Rect &r)
{
    const int dx = std::max({r.x - x, 0, x - (r.x + r.width - 1)});
    const int dy = std::max({r.y - y, 0, y - (r.y + r.height - 1)});
    return std::sqrt(static_cast<double>(dx * dx + dy * dy));
}

cv::Rect imageBounds(const cv::Mat &image)
{
    return {0, 0, image.cols, image.rows};
}

/// 255 where no region (that overlaps the image) may change the pixel: its
/// distance to every such rectangle exceeds that region's feather.
cv::Mat1b untouchedMask(cv::Size size, const std::vector<Region> &regions)
{
    cv::Mat1b mask(size, 255);
    const cv::Rect bounds(cv::Point(), size);
    for (const Region &region : regions) {
        if ((region.rect & bounds).empty())
            continue;
        for (int y = 0; y < size.height; ++y)
            for (int x = 0; x < size.width; ++x)
                if (distanceToRect(x, y, region.rect) <= region.feather)
                    mask(y, x) = 0;
    }
    return mask;
}

cv::Mat1b rectMask(cv::Size size, const cv::Rect &rect)
{
    cv::Mat1b mask(size, 0);
    mask(rect & cv::Rect(cv::Point(), size)).setTo(255);
    return mask;
}

/// The whole image blurred by OpenCV with reflect101 at the image's edges.
cv::Mat referenceBlur(const cv::Mat &image, RegionMethod method, double strength)
{
    cv::Mat blurred;
    if (method == RegionMethod::Gaussian) {
        cv::GaussianBlur(image, blurred, cv::Size(), strength, strength, cv::BORDER_REFLECT_101);
    } else {
        const int k = static_cast<int>(strength);
        cv::blur(image, blurred, cv::Size(k, k), cv::Point(-1, -1), cv::BORDER_REFLECT_101);
    }
    return blurred;
}

struct Worst {
    double diff = 0;
    int x = -1;
    int y = -1;
    int c = -1;
    double got = 0;
    double expected = 0;

    QByteArray describe() const
    {
        return QByteArray("worst |diff| = ") + QByteArray::number(diff, 'g', 8) + " at (x " +
               QByteArray::number(x) + ", y " + QByteArray::number(y) + ", channel " +
               QByteArray::number(c) + "): got " + QByteArray::number(got, 'g', 10) +
               ", expected " + QByteArray::number(expected, 'g', 10);
    }
};

/// Largest difference in a colour channel between got and expected where mask is set.
Worst worstColourDiff(const cv::Mat &got, const cv::Mat &expected, const cv::Mat1b &mask)
{
    Worst worst;
    const int cn = colourChannels(got.channels());
    for (int y = 0; y < got.rows; ++y)
        for (int x = 0; x < got.cols; ++x) {
            if (!mask(y, x))
                continue;
            for (int c = 0; c < cn; ++c) {
                const double g = sample(got, y, x, c);
                const double e = sample(expected, y, x, c);
                const double d = std::abs(g - e);
                if (d > worst.diff || worst.x < 0)
                    worst = {d, x, y, c, g, e};
            }
        }
    return worst;
}

QByteArray pointText(int x, int y)
{
    return "(x " + QByteArray::number(x) + ", y " + QByteArray::number(y) + ")";
}

/// What every call must keep: the input untouched, the output of the same
/// size and type, and the alpha channel of a 4-channel image bit-identical.
void checkContract(const cv::Mat &before, const cv::Mat &input, const cv::Mat &output)
{
    QVERIFY2(bitIdentical(before, input), "the input image was modified");
    QCOMPARE(output.rows, input.rows);
    QCOMPARE(output.cols, input.cols);
    QCOMPARE(output.type(), input.type());
    if (input.channels() == 4) {
        for (int y = 0; y < input.rows; ++y)
            for (int x = 0; x < input.cols; ++x)
                QVERIFY2(sameChannel(input, output, y, x, 3),
                         "alpha changed at " + pointText(x, y));
    }
}

/// applyRegionBlurs plus checkContract; callers test QTest::currentTestFailed().
ks::RegionBlurResult applyChecked(const cv::Mat &image, const std::vector<Region> &regions,
                                  const ks::RunControl &control = {})
{
    const cv::Mat before = image.clone();
    ks::RegionBlurResult result = ks::applyRegionBlurs(image, regions, control);
    checkContract(before, image, result.image);
    return result;
}

/// Checks that every cell of a pixelated rectangle (cells aligned to the
/// unclipped rectangle's top-left, clipped to the image and the rectangle) is
/// constant and equal to the rounded mean of the source pixels of that cell.
void checkPixelateCells(const cv::Mat &src, const cv::Mat &out, const cv::Rect &rect, int cell)
{
    const cv::Rect clipped = rect & imageBounds(src);
    const int cn = colourChannels(src.channels());
    const double tol = tolerance(src.depth());
    for (int cy = rect.y; cy < rect.y + rect.height; cy += cell)
        for (int cx = rect.x; cx < rect.x + rect.width; cx += cell) {
            const cv::Rect cellRect = cv::Rect(cx, cy, cell, cell) & clipped;
            if (cellRect.empty())
                continue;
            for (int c = 0; c < cn; ++c) {
                double sum = 0;
                for (int y = cellRect.y; y < cellRect.br().y; ++y)
                    for (int x = cellRect.x; x < cellRect.br().x; ++x)
                        sum += sample(src, y, x, c);
                const double mean = sum / cellRect.area();
                const double expected = src.depth() == CV_32F ? mean : std::round(mean);
                const double first = sample(out, cellRect.y, cellRect.x, c);
                QVERIFY2(std::abs(first - expected) <= tol,
                         "cell at " + pointText(cellRect.x, cellRect.y) + " channel " +
                             QByteArray::number(c) + ": got " + QByteArray::number(first, 'g', 10) +
                             ", mean of the source " + QByteArray::number(mean, 'g', 10));
                for (int y = cellRect.y; y < cellRect.br().y; ++y)
                    for (int x = cellRect.x; x < cellRect.br().x; ++x)
                        QVERIFY2(sample(out, y, x, c) == first,
                                 "cell at " + pointText(cellRect.x, cellRect.y) +
                                     " is not constant: " + pointText(x, y) + " channel " +
                                     QByteArray::number(c) + " is " +
                                     QByteArray::number(sample(out, y, x, c), 'g', 10) +
                                     ", the cell's first pixel " +
                                     QByteArray::number(first, 'g', 10));
            }
        }
}

/// Whether text contains n as a whole number (not as part of a longer one).
bool mentionsNumber(const std::string &text, int n)
{
    const std::string wanted = std::to_string(n);
    size_t i = 0;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
            ++j;
        if (text.compare(i, j - i, wanted) == 0)
            return true;
        i = j;
    }
    return false;
}

bool isOneLine(const std::string &text)
{
    return !text.empty() && text.find('\n') == std::string::npos &&
           text.find('\r') == std::string::npos;
}

std::string lower(std::string text)
{
    for (char &ch : text)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
}

void addTypeColumns()
{
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("channels");
}

} // namespace

class TestRegionBlur : public QObject {
    Q_OBJECT

private slots:
    void methodNamesRoundTrip_data();
    void methodNamesRoundTrip();
    void unknownMethodName();

    void noRegionsLeavesImageUnchanged_data();
    void noRegionsLeavesImageUnchanged();

    void blurInsideMatchesWholeImage_data();
    void blurInsideMatchesWholeImage();

    void pixelateCellsAreMeans_data();
    void pixelateCellsAreMeans();
    void pixelateIsIdempotent_data();
    void pixelateIsIdempotent();
    void unitStrengthIsIdentity_data();
    void unitStrengthIsIdentity();

    void featherBlendsBetweenSourceAndBlur_data();
    void featherBlendsBetweenSourceAndBlur();
    void featherWeightFallsWithDistance_data();
    void featherWeightFallsWithDistance();

    void partlyOutsideActsLikeIntersection_data();
    void partlyOutsideActsLikeIntersection();
    void skippedRegionIsNoOpWithOneWarning_data();
    void skippedRegionIsNoOpWithOneWarning();
    void warningsNameTheSkippedRegions();

    void regionsApplyInListOrder_data();
    void regionsApplyInListOrder();

    void viewInputBehavesLikeCopy_data();
    void viewInputBehavesLikeCopy();
    void tinyImageMatchesWholeImageBlur_data();
    void tinyImageMatchesWholeImageBlur();

    void invalidRegionThrows_data();
    void invalidRegionThrows();
    void boundaryValuesAreValid_data();
    void boundaryValuesAreValid();
    void parameterDescriptors_data();
    void parameterDescriptors();

    void cancelledBeforeStartThrows();
    void cancelledAfterPartialProgressThrows();
    void progressIsMonotonicInUnitRange();
};

void TestRegionBlur::methodNamesRoundTrip_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<QString>("name");
    QTest::newRow("gaussian") << static_cast<int>(RegionMethod::Gaussian) << "gaussian";
    QTest::newRow("pixelate") << static_cast<int>(RegionMethod::Pixelate) << "pixelate";
    QTest::newRow("box") << static_cast<int>(RegionMethod::Box) << "box";
}

void TestRegionBlur::methodNamesRoundTrip()
{
    QFETCH(int, method);
    QFETCH(QString, name);
    const auto m = static_cast<RegionMethod>(method);
    const std::string expected = name.toStdString();
    QCOMPARE(std::string(ks::regionMethodName(m)), expected);
    const std::optional<RegionMethod> parsed = ks::parseRegionMethodName(expected);
    QVERIFY(parsed.has_value());
    QCOMPARE(static_cast<int>(*parsed), method);
    QVERIFY(ks::parseRegionMethodName(ks::regionMethodName(m)) == m);
}

void TestRegionBlur::unknownMethodName()
{
    for (const char *name : {"", "blur", "gauss", "mosaic", "median", "boxx", " box", "pixel"})
        QVERIFY2(!ks::parseRegionMethodName(name).has_value(), name);
}

void TestRegionBlur::noRegionsLeavesImageUnchanged_data()
{
    addTypeColumns();
    for (int depth : kDepths)
        for (int channels : kChannelCounts)
            QTest::addRow("%s c%d", depthName(depth), channels) << depth << channels;
}

void TestRegionBlur::noRegionsLeavesImageUnchanged()
{
    QFETCH(int, depth);
    QFETCH(int, channels);
    const cv::Mat src = randomImage(kImageSize, depth, channels, 11);
    const ks::RegionBlurResult result = applyChecked(src, {});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(bitIdentical(result.image, src));
    QVERIFY(result.warnings.empty());
}

void TestRegionBlur::blurInsideMatchesWholeImage_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    addTypeColumns();
    QTest::addColumn<QRect>("rect");
    const struct {
        RegionMethod method;
        double strength;
    } blurs[] = {{RegionMethod::Gaussian, 1.0},
                 {RegionMethod::Gaussian, 2.5},
                 {RegionMethod::Gaussian, 8.0}, // kernel larger than the image
                 {RegionMethod::Box, 3},
                 {RegionMethod::Box, 15}};
    for (const auto &blur : blurs)
        for (int depth : kDepths)
            for (int channels : kChannelCounts)
                for (const NamedRect &r : kRects)
                    QTest::addRow("%s %g %s c%d %s", methodName(blur.method), blur.strength,
                                  depthName(depth), channels, r.name)
                        << static_cast<int>(blur.method) << blur.strength << depth << channels
                        << toQRect(r.rect);
}

void TestRegionBlur::blurInsideMatchesWholeImage()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(int, depth);
    QFETCH(int, channels);
    QFETCH(QRect, rect);

    const cv::Mat src = randomImage(kImageSize, depth, channels, 1234);
    const Region region{toCvRect(rect), static_cast<RegionMethod>(method), strength, 0};
    const std::vector<Region> regions{region};
    const ks::RegionBlurResult result = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(result.warnings.empty());

    const cv::Mat expected = referenceBlur(src, region.method, strength);
    const cv::Mat1b inside = rectMask(src.size(), region.rect);
    const Worst worst = worstColourDiff(result.image, expected, inside);
    QVERIFY2(worst.diff <= tolerance(depth), worst.describe());

    QCOMPARE(countChanged(src, result.image, untouchedMask(src.size(), regions)), 0);
    QVERIFY2(countColourChanged(src, result.image, inside) > 0, "nothing changed inside the rect");
}

void TestRegionBlur::pixelateCellsAreMeans_data()
{
    QTest::addColumn<int>("cell");
    addTypeColumns();
    QTest::addColumn<QRect>("rect");
    for (int cell : {4, 7, 16})
        for (int depth : kDepths)
            for (int channels : kChannelCounts)
                for (const NamedRect &r : kRects)
                    QTest::addRow("cell %d %s c%d %s", cell, depthName(depth), channels, r.name)
                        << cell << depth << channels << toQRect(r.rect);
}

void TestRegionBlur::pixelateCellsAreMeans()
{
    QFETCH(int, cell);
    QFETCH(int, depth);
    QFETCH(int, channels);
    QFETCH(QRect, rect);

    const cv::Mat src = randomImage(kImageSize, depth, channels, 99);
    const std::vector<Region> regions{
        Region{toCvRect(rect), RegionMethod::Pixelate, static_cast<double>(cell), 0}};
    const ks::RegionBlurResult result = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(result.warnings.empty());

    checkPixelateCells(src, result.image, regions[0].rect, cell);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(countChanged(src, result.image, untouchedMask(src.size(), regions)), 0);
    if (regions[0].rect.area() > 1)
        QVERIFY2(countColourChanged(src, result.image, rectMask(src.size(), regions[0].rect)) > 0,
                 "nothing changed inside the rect");
}

void TestRegionBlur::pixelateIsIdempotent_data()
{
    QTest::addColumn<int>("cell");
    addTypeColumns();
    QTest::addColumn<QRect>("rect");
    for (int cell : {3, 8})
        for (int depth : kDepths)
            for (int channels : kChannelCounts)
                for (const NamedRect &r : {kRects[0], kRects[10], kRects[11]})
                    QTest::addRow("cell %d %s c%d %s", cell, depthName(depth), channels, r.name)
                        << cell << depth << channels << toQRect(r.rect);
}

void TestRegionBlur::pixelateIsIdempotent()
{
    QFETCH(int, cell);
    QFETCH(int, depth);
    QFETCH(int, channels);
    QFETCH(QRect, rect);

    const cv::Mat src = randomImage(kImageSize, depth, channels, 5);
    const std::vector<Region> regions{
        Region{toCvRect(rect), RegionMethod::Pixelate, static_cast<double>(cell), 0}};
    const ks::RegionBlurResult once = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    const ks::RegionBlurResult twice = applyChecked(once.image, regions);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(countChanged(once.image, twice.image, cv::Mat1b(src.size(), 255)), 0);
}

void TestRegionBlur::unitStrengthIsIdentity_data()
{
    QTest::addColumn<int>("method");
    addTypeColumns();
    for (RegionMethod method : {RegionMethod::Pixelate, RegionMethod::Box})
        for (int depth : kDepths)
            for (int channels : kChannelCounts)
                QTest::addRow("%s 1 %s c%d", methodName(method), depthName(depth), channels)
                    << static_cast<int>(method) << depth << channels;
}

void TestRegionBlur::unitStrengthIsIdentity()
{
    QFETCH(int, method);
    QFETCH(int, depth);
    QFETCH(int, channels);

    // A 1-pixel cell is the pixel itself, and so is the mean of a 1x1 box.
    const cv::Mat src = randomImage(kImageSize, depth, channels, 77);
    const std::vector<Region> regions{
        Region{{-3, 5, 40, 50}, static_cast<RegionMethod>(method), 1, 0},
        Region{{30, 10, 20, 20}, static_cast<RegionMethod>(method), 1, 0}};
    const ks::RegionBlurResult result = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(result.warnings.empty());
    QCOMPARE(countChanged(src, result.image, cv::Mat1b(src.size(), 255)), 0);
}

void TestRegionBlur::featherBlendsBetweenSourceAndBlur_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    QTest::addColumn<int>("feather");
    addTypeColumns();
    QTest::addColumn<QRect>("rect");
    const struct {
        RegionMethod method;
        double strength;
    } blurs[] = {
        {RegionMethod::Gaussian, 2.5}, {RegionMethod::Box, 7}, {RegionMethod::Pixelate, 6}};
    const NamedRect rects[] = {kRects[0], kRects[1], kRects[4], kRects[11], kRects[12]};
    for (const auto &blur : blurs)
        for (int feather : {1, 4, 12})
            for (int depth : kDepths)
                for (int channels : kChannelCounts)
                    for (const NamedRect &r : rects)
                        QTest::addRow("%s %g F%d %s c%d %s", methodName(blur.method), blur.strength,
                                      feather, depthName(depth), channels, r.name)
                            << static_cast<int>(blur.method) << blur.strength << feather << depth
                            << channels << toQRect(r.rect);
}

void TestRegionBlur::featherBlendsBetweenSourceAndBlur()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(int, feather);
    QFETCH(int, depth);
    QFETCH(int, channels);
    QFETCH(QRect, rect);

    const cv::Mat src = randomImage(kImageSize, depth, channels, 4321);
    const Region region{toCvRect(rect), static_cast<RegionMethod>(method), strength, feather};
    const std::vector<Region> regions{region};
    const ks::RegionBlurResult result = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(result.warnings.empty());
    const cv::Mat &out = result.image;

    // Beyond the feather: bit-identical.
    QCOMPARE(countChanged(src, out, untouchedMask(src.size(), regions)), 0);

    // Inside the rectangle: fully blurred.
    const cv::Mat1b inside = rectMask(src.size(), region.rect);
    if (region.method == RegionMethod::Pixelate) {
        checkPixelateCells(src, out, region.rect, static_cast<int>(strength));
        return;
    }
    const cv::Mat blurred = referenceBlur(src, region.method, strength);
    const Worst worst = worstColourDiff(out, blurred, inside);
    QVERIFY2(worst.diff <= tolerance(depth), "inside the rect: " + worst.describe());

    // In the feather zone: between the source and the blurred value.
    const double tol = tolerance(depth);
    const int cn = colourChannels(channels);
    for (int y = 0; y < src.rows; ++y)
        for (int x = 0; x < src.cols; ++x) {
            const double d = distanceToRect(x, y, region.rect);
            if (d <= 0 || d > feather)
                continue;
            for (int c = 0; c < cn; ++c) {
                const double s = sample(src, y, x, c);
                const double b = sample(blurred, y, x, c);
                const double o = sample(out, y, x, c);
                QVERIFY2(o >= std::min(s, b) - tol && o <= std::max(s, b) + tol,
                         "feather pixel " + pointText(x, y) + " at distance " +
                             QByteArray::number(d) + ", channel " + QByteArray::number(c) +
                             ": got " + QByteArray::number(o, 'g', 10) + ", source " +
                             QByteArray::number(s, 'g', 10) + ", blurred " +
                             QByteArray::number(b, 'g', 10));
            }
        }
}

void TestRegionBlur::featherWeightFallsWithDistance_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    QTest::addColumn<int>("feather");
    addTypeColumns();
    for (int depth : {CV_16U, CV_32F})
        for (int channels : {1, 3}) {
            for (int feather : {3, 8})
                QTest::addRow("gaussian 6 F%d %s c%d", feather, depthName(depth), channels)
                    << static_cast<int>(RegionMethod::Gaussian) << 6.0 << feather << depth
                    << channels;
            QTest::addRow("box 21 F8 %s c%d", depthName(depth), channels)
                << static_cast<int>(RegionMethod::Box) << 21.0 << 8 << depth << channels;
        }
}

void TestRegionBlur::featherWeightFallsWithDistance()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(int, feather);
    QFETCH(int, depth);
    QFETCH(int, channels);

    // A black image whose only white area is the rectangle itself: around the
    // rectangle the blur spreads white outwards, so blurred - source > 0 in
    // the whole feather zone and (out - src) / (blur - src) is the weight.
    const cv::Rect rect(36, 30, 40, 36);
    const double white = depth == CV_32F ? 1.0 : 65535.0;
    cv::Mat src(cv::Size(112, 96), CV_MAKETYPE(depth, channels), cv::Scalar::all(0));
    src(rect).setTo(cv::Scalar::all(white));

    const Region region{rect, static_cast<RegionMethod>(method), strength, feather};
    const std::vector<Region> regions{region};
    const ks::RegionBlurResult result = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    const cv::Mat blurred = referenceBlur(src, region.method, strength);

    // Only pixels where the blur differs clearly from the source measure the
    // weight; the tolerance covers 1 LSB of rounding in out and in the blur.
    const double minContrast = 0.01 * white;
    const double tol = depth == CV_32F ? 1e-3 : 5e-3;
    std::map<double, std::vector<double>> weightsByDistance;
    for (int y = 0; y < src.rows; ++y)
        for (int x = 0; x < src.cols; ++x) {
            const double d = distanceToRect(x, y, rect);
            if (d <= 0 || d > feather)
                continue;
            for (int c = 0; c < channels; ++c) {
                const double s = sample(src, y, x, c);
                const double b = sample(blurred, y, x, c);
                const double o = sample(result.image, y, x, c);
                QVERIFY2(b - s > 0, "the design needs blur > source in the feather zone");
                if (b - s < minContrast)
                    continue;
                const double w = (o - s) / (b - s);
                QVERIFY2(w >= -tol && w <= 1 + tol, "weight " + QByteArray::number(w) + " at " +
                                                        pointText(x, y) + ", distance " +
                                                        QByteArray::number(d));
                weightsByDistance[d].push_back(w);
            }
        }

    QVERIFY(weightsByDistance.count(1.0) == 1);
    double previousMin = std::numeric_limits<double>::infinity();
    double previousDistance = 0;
    for (const auto &[d, weights] : weightsByDistance) {
        const auto [lo, hi] = std::minmax_element(weights.begin(), weights.end());
        QVERIFY2(*hi - *lo <= tol, "weights at distance " + QByteArray::number(d) + " differ: " +
                                       QByteArray::number(*lo) + " to " + QByteArray::number(*hi));
        QVERIFY2(*hi <= previousMin + tol,
                 "weight rises from " + QByteArray::number(previousMin) + " at distance " +
                     QByteArray::number(previousDistance) + " to " + QByteArray::number(*hi) +
                     " at distance " + QByteArray::number(d));
        previousMin = std::min(previousMin, *lo);
        previousDistance = d;
    }
    const std::vector<double> &nearest = weightsByDistance.begin()->second;
    const std::vector<double> &farthest = weightsByDistance.rbegin()->second;
    const double nearWeight = *std::min_element(nearest.begin(), nearest.end());
    const double farWeight = *std::max_element(farthest.begin(), farthest.end());
    QVERIFY2(nearWeight > farWeight + 0.1,
             "weight at distance 1 is " + QByteArray::number(nearWeight) + ", at distance " +
                 QByteArray::number(weightsByDistance.rbegin()->first) + " it is " +
                 QByteArray::number(farWeight));
    QVERIFY2(farWeight < 0.5, "the weight does not fall towards 0 at the feather's end: " +
                                  QByteArray::number(farWeight));
}

void TestRegionBlur::partlyOutsideActsLikeIntersection_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    QTest::addColumn<int>("feather");
    addTypeColumns();
    QTest::addColumn<QRect>("rect");
    const NamedRect rects[] = {{"topLeft", {-10, -8, 30, 25}},
                               {"bottomRight", {50, 30, 40, 40}},
                               {"fullWidth", {-5, 10, 80, 10}},
                               {"fullHeight", {20, -100, 10, 300}},
                               {"coversAll", {-20, -20, 200, 200}}};
    for (RegionMethod method : {RegionMethod::Gaussian, RegionMethod::Box})
        for (int feather : {0, 5})
            for (int depth : kDepths)
                for (const NamedRect &r : rects)
                    QTest::addRow("%s F%d %s %s", methodName(method), feather, depthName(depth),
                                  r.name)
                        << static_cast<int>(method)
                        << (method == RegionMethod::Gaussian ? 3.0 : 9.0) << feather << depth << 3
                        << toQRect(r.rect);
}

void TestRegionBlur::partlyOutsideActsLikeIntersection()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(int, feather);
    QFETCH(int, depth);
    QFETCH(int, channels);
    QFETCH(QRect, rect);

    const cv::Mat src = randomImage(kImageSize, depth, channels, 2024);
    const Region region{toCvRect(rect), static_cast<RegionMethod>(method), strength, feather};
    Region clipped = region;
    clipped.rect &= imageBounds(src);
    const ks::RegionBlurResult whole = applyChecked(src, {region});
    if (QTest::currentTestFailed())
        return;
    const ks::RegionBlurResult intersection = applyChecked(src, {clipped});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(whole.warnings.empty());
    QCOMPARE(countChanged(whole.image, intersection.image, cv::Mat1b(src.size(), 255)), 0);
    QVERIFY(countColourChanged(src, whole.image, rectMask(src.size(), clipped.rect)) > 0);
}

void TestRegionBlur::skippedRegionIsNoOpWithOneWarning_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<int>("feather");
    QTest::addColumn<int>("depth");
    QTest::addColumn<QRect>("rect");
    const NamedRect rects[] = {
        {"justRight", {64, 0, 10, 10}},       {"justLeft", {-10, 0, 10, 10}},
        {"justBelow", {0, 48, 5, 5}},         {"justAbove", {0, -5, 5, 5}},
        {"far", {1000, 1000, 10, 10}},        {"zeroWidth", {10, 10, 0, 10}},
        {"zeroHeight", {10, 10, 10, 0}},      {"zeroSize", {10, 10, 0, 0}},
        {"zeroWidthOutside", {-5, -5, 0, 9}}, {"negativeWidth", {20, 10, -6, 10}},
        {"negativeHeight", {20, 10, 6, -10}}};
    for (RegionMethod method : {RegionMethod::Gaussian, RegionMethod::Pixelate, RegionMethod::Box})
        for (int feather : {0, 5})
            for (int depth : {CV_8U, CV_32F})
                for (const NamedRect &r : rects)
                    QTest::addRow("%s F%d %s %s", methodName(method), feather, depthName(depth),
                                  r.name)
                        << static_cast<int>(method) << feather << depth << toQRect(r.rect);
}

void TestRegionBlur::skippedRegionIsNoOpWithOneWarning()
{
    QFETCH(int, method);
    QFETCH(int, feather);
    QFETCH(int, depth);
    QFETCH(QRect, rect);

    const cv::Mat src = randomImage(kImageSize, depth, 3, 8);
    const double strength = method == static_cast<int>(RegionMethod::Gaussian) ? 3.0 : 5.0;
    const Region region{toCvRect(rect), static_cast<RegionMethod>(method), strength, feather};
    const ks::RegionBlurResult result = applyChecked(src, {region});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(countChanged(src, result.image, cv::Mat1b(src.size(), 255)), 0);
    QCOMPARE(result.warnings.size(), size_t{1});
    const std::string &warning = result.warnings.front();
    QVERIFY2(isOneLine(warning), warning.c_str());
    QVERIFY2(mentionsNumber(warning, 1), warning.c_str());
}

void TestRegionBlur::warningsNameTheSkippedRegions()
{
    // Regions 2 and 4 (counting from 1) are skipped; 1 and 3 apply as if alone.
    const cv::Mat src = randomImage(kImageSize, CV_8U, 3, 31);
    const Region first{{5, 5, 20, 15}, RegionMethod::Gaussian, 3, 2};
    const Region outside{{300, 300, 30, 30}, RegionMethod::Box, 5, 0};
    const Region third{{30, 20, 25, 20}, RegionMethod::Pixelate, 6, 0};
    const Region empty{{40, 5, 0, 30}, RegionMethod::Gaussian, 3, 0};
    const ks::RegionBlurResult result = applyChecked(src, {first, outside, third, empty});
    if (QTest::currentTestFailed())
        return;
    const ks::RegionBlurResult validOnly = applyChecked(src, {first, third});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(validOnly.warnings.empty());
    QCOMPARE(countChanged(result.image, validOnly.image, cv::Mat1b(src.size(), 255)), 0);

    QCOMPARE(result.warnings.size(), size_t{2});
    for (const std::string &warning : result.warnings)
        QVERIFY2(isOneLine(warning), warning.c_str());
    QVERIFY2(mentionsNumber(result.warnings[0], 2), result.warnings[0].c_str());
    QVERIFY2(mentionsNumber(result.warnings[1], 4), result.warnings[1].c_str());
}

void TestRegionBlur::regionsApplyInListOrder_data()
{
    addTypeColumns();
    for (int depth : kDepths)
        for (int channels : kChannelCounts)
            QTest::addRow("%s c%d", depthName(depth), channels) << depth << channels;
}

void TestRegionBlur::regionsApplyInListOrder()
{
    QFETCH(int, depth);
    QFETCH(int, channels);

    const cv::Mat src = randomImage(kImageSize, depth, channels, 404);
    const Region a{{8, 6, 30, 25}, RegionMethod::Gaussian, 3, 0};
    const Region b{{22, 15, 30, 25}, RegionMethod::Pixelate, 5, 3};
    const Region c{{-4, 20, 30, 40}, RegionMethod::Box, 9, 6};

    for (const std::vector<Region> &order :
         {std::vector<Region>{a, b}, std::vector<Region>{b, a}, std::vector<Region>{a, b, c},
          std::vector<Region>{c, a, b}, std::vector<Region>{a, a}}) {
        const ks::RegionBlurResult together = applyChecked(src, order);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(together.warnings.empty());
        cv::Mat stepwise = src.clone();
        for (const Region &region : order) {
            const ks::RegionBlurResult step = applyChecked(stepwise, {region});
            if (QTest::currentTestFailed())
                return;
            stepwise = step.image;
        }
        QCOMPARE(countChanged(together.image, stepwise, cv::Mat1b(src.size(), 255)), 0);
        QCOMPARE(countChanged(src, together.image, untouchedMask(src.size(), order)), 0);
    }

    // The order matters for overlapping regions, so the comparison above is meaningful.
    const ks::RegionBlurResult ab = applyChecked(src, {a, b});
    const ks::RegionBlurResult ba = applyChecked(src, {b, a});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(countChanged(ab.image, ba.image, cv::Mat1b(src.size(), 255)) > 0);
}

void TestRegionBlur::viewInputBehavesLikeCopy_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    QTest::addColumn<int>("feather");
    addTypeColumns();
    for (const auto &[method, strength] :
         {std::pair{RegionMethod::Gaussian, 4.0}, std::pair{RegionMethod::Box, 9.0},
          std::pair{RegionMethod::Pixelate, 5.0}})
        for (int feather : {0, 4})
            for (int depth : {CV_8U, CV_32F})
                QTest::addRow("%s F%d %s", methodName(method), feather, depthName(depth))
                    << static_cast<int>(method) << strength << feather << depth << 3;
}

void TestRegionBlur::viewInputBehavesLikeCopy()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(int, feather);
    QFETCH(int, depth);
    QFETCH(int, channels);

    // The image's edges are those of the Mat passed in, even when it is a view
    // into a larger buffer: the result must not depend on pixels beyond them.
    const cv::Mat big = randomImage({100, 80}, depth, channels, 55);
    const cv::Mat bigBefore = big.clone();
    const cv::Mat view = big(cv::Rect(cv::Point(13, 17), kImageSize));
    const cv::Mat copy = view.clone();
    std::vector<Region> regions;
    for (const NamedRect &r : {kRects[1], kRects[3], kRects[5], kRects[7]})
        regions.push_back(Region{r.rect, static_cast<RegionMethod>(method), strength, feather});

    const ks::RegionBlurResult fromView = applyChecked(view, regions);
    if (QTest::currentTestFailed())
        return;
    const ks::RegionBlurResult fromCopy = applyChecked(copy, regions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(bitIdentical(big, bigBefore));
    const Worst worst = worstColourDiff(fromView.image, fromCopy.image, cv::Mat1b(kImageSize, 255));
    QVERIFY2(countChanged(fromView.image, fromCopy.image, cv::Mat1b(kImageSize, 255)) == 0,
             worst.describe());
}

void TestRegionBlur::tinyImageMatchesWholeImageBlur_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<int>("depth");
    for (const auto &[method, strength] :
         {std::pair{RegionMethod::Gaussian, 1.5}, std::pair{RegionMethod::Gaussian, 8.0},
          std::pair{RegionMethod::Box, 5.0}, std::pair{RegionMethod::Pixelate, 2.0}})
        for (const QSize &size : {QSize(1, 1), QSize(7, 1), QSize(1, 7), QSize(2, 2), QSize(3, 5)})
            for (int depth : kDepths)
                QTest::addRow("%s %g %dx%d %s", methodName(method), strength, size.width(),
                              size.height(), depthName(depth))
                    << static_cast<int>(method) << strength << size << depth;
}

void TestRegionBlur::tinyImageMatchesWholeImageBlur()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(QSize, size);
    QFETCH(int, depth);

    // Images smaller than the kernel: reflect101 must still be the image's own.
    const cv::Mat src = randomImage({size.width(), size.height()}, depth, 3, 606);
    const Region region{{-2, -3, 40, 40}, static_cast<RegionMethod>(method), strength, 2};
    const ks::RegionBlurResult result = applyChecked(src, {region});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(result.warnings.empty());
    if (region.method == RegionMethod::Pixelate) {
        checkPixelateCells(src, result.image, region.rect, static_cast<int>(strength));
        return;
    }
    const cv::Mat expected = referenceBlur(src, region.method, strength);
    const Worst worst = worstColourDiff(result.image, expected, cv::Mat1b(src.size(), 255));
    QVERIFY2(worst.diff <= tolerance(depth), worst.describe());
}

void TestRegionBlur::invalidRegionThrows_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    QTest::addColumn<int>("feather");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("valueText");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const int g = static_cast<int>(RegionMethod::Gaussian);
    const int p = static_cast<int>(RegionMethod::Pixelate);
    const int b = static_cast<int>(RegionMethod::Box);
    QTest::newRow("sigma 0") << g << 0.0 << 0 << "sigma"
                             << "0";
    QTest::newRow("sigma -1") << g << -1.0 << 0 << "sigma"
                              << "-1";
    QTest::newRow("sigma 0.05") << g << 0.05 << 0 << "sigma"
                                << "0.05";
    QTest::newRow("sigma NaN") << g << nan << 0 << "sigma"
                               << "nan";
    QTest::newRow("sigma inf") << g << inf << 0 << "sigma"
                               << "inf";
    QTest::newRow("sigma 200.5") << g << 200.5 << 0 << "sigma"
                                 << "200.5";
    QTest::newRow("sigma 1000") << g << 1000.0 << 0 << "sigma"
                                << "1000";
    QTest::newRow("cell 0") << p << 0.0 << 0 << "cell"
                            << "0";
    QTest::newRow("cell -4") << p << -4.0 << 0 << "cell"
                             << "-4";
    QTest::newRow("cell 2.5") << p << 2.5 << 0 << "cell"
                              << "2.5";
    QTest::newRow("cell 1001") << p << 1001.0 << 0 << "cell"
                               << "1001";
    QTest::newRow("cell NaN") << p << nan << 0 << "cell"
                              << "nan";
    QTest::newRow("ksize 4") << b << 4.0 << 0 << "ksize"
                             << "4";
    QTest::newRow("ksize 0") << b << 0.0 << 0 << "ksize"
                             << "0";
    QTest::newRow("ksize -3") << b << -3.0 << 0 << "ksize"
                              << "-3";
    QTest::newRow("ksize 3.5") << b << 3.5 << 0 << "ksize"
                               << "3.5";
    QTest::newRow("ksize 1002") << b << 1002.0 << 0 << "ksize"
                                << "1002";
    QTest::newRow("ksize 1003") << b << 1003.0 << 0 << "ksize"
                                << "1003";
    QTest::newRow("ksize NaN") << b << nan << 0 << "ksize"
                               << "nan";
    QTest::newRow("feather -1") << g << 3.0 << -1 << "feather"
                                << "-1";
    QTest::newRow("feather 1001") << p << 4.0 << 1001 << "feather"
                                  << "1001";
    QTest::newRow("feather -7 box") << b << 5.0 << -7 << "feather"
                                    << "-7";
}

void TestRegionBlur::invalidRegionThrows()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(int, feather);
    QFETCH(QString, key);
    QFETCH(QString, valueText);

    const Region valid{{5, 5, 10, 10}, RegionMethod::Gaussian, 2, 1};
    const Region bad{{20, 10, 15, 15}, static_cast<RegionMethod>(method), strength, feather};
    const std::string wantedKey = key.toStdString();
    const std::string wantedValue = valueText.toLower().toStdString();

    // validateRegion on its own: "region N: " with N = index + 1.
    for (int index : {0, 1, 6}) {
        QVERIFY_THROWS_EXCEPTION(ks::ParameterError, ks::validateRegion(bad, index));
        try {
            ks::validateRegion(bad, index);
        } catch (const ks::ParameterError &e) {
            QCOMPARE(e.key(), wantedKey);
            const std::string message = e.what();
            const std::string prefix = "region " + std::to_string(index + 1) + ": ";
            QVERIFY2(message.rfind(prefix, 0) == 0, message.c_str());
        }
    }
    ks::validateRegion(valid, 0);

    // Through applyRegionBlurs, as the second region of the list (index 1).
    const cv::Mat src = randomImage(kImageSize, CV_8U, 3, 3);
    const cv::Mat before = src.clone();
    std::string message;
    try {
        (void)ks::applyRegionBlurs(src, std::vector<Region>{valid, bad});
        QFAIL("no ParameterError");
    } catch (const ks::ParameterError &e) {
        message = e.what();
        QCOMPARE(e.key(), wantedKey);
    }
    QVERIFY(bitIdentical(src, before));
    QVERIFY2(isOneLine(message), message.c_str());
    QVERIFY2(message.rfind("region 2: ", 0) == 0, message.c_str());
    const std::string text = lower(message);
    QVERIFY2(text.find(wantedKey) != std::string::npos, message.c_str());
    QVERIFY2(text.find(wantedValue) != std::string::npos, message.c_str());
}

void TestRegionBlur::boundaryValuesAreValid_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<double>("strength");
    QTest::addColumn<int>("feather");
    const int g = static_cast<int>(RegionMethod::Gaussian);
    const int p = static_cast<int>(RegionMethod::Pixelate);
    const int b = static_cast<int>(RegionMethod::Box);
    QTest::newRow("sigma 200") << g << 200.0 << 0;
    QTest::newRow("sigma 0.1") << g << 0.1 << 0;
    QTest::newRow("cell 1") << p << 1.0 << 0;
    QTest::newRow("cell 1000") << p << 1000.0 << 0;
    QTest::newRow("ksize 1") << b << 1.0 << 0;
    QTest::newRow("ksize 1001") << b << 1001.0 << 0;
    QTest::newRow("feather 1000") << g << 2.0 << 1000;
    QTest::newRow("feather 1000 pixelate") << p << 3.0 << 1000;
}

void TestRegionBlur::boundaryValuesAreValid()
{
    QFETCH(int, method);
    QFETCH(double, strength);
    QFETCH(int, feather);

    const Region region{{2, 3, 9, 7}, static_cast<RegionMethod>(method), strength, feather};
    ks::validateRegion(region, 0);
    const cv::Mat src = randomImage({16, 12}, CV_8U, 3, 17);
    const ks::RegionBlurResult result = applyChecked(src, {region});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(result.warnings.empty());
    const std::vector<Region> regions{region};
    QCOMPARE(countChanged(src, result.image, untouchedMask(src.size(), regions)), 0);
}

void TestRegionBlur::parameterDescriptors_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<QString>("strengthKey");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<int>("type");
    QTest::newRow("gaussian") << static_cast<int>(RegionMethod::Gaussian) << "sigma" << 0.1 << 200.0
                              << static_cast<int>(ks::ParamType::Real);
    QTest::newRow("pixelate") << static_cast<int>(RegionMethod::Pixelate) << "cell" << 1.0 << 1000.0
                              << static_cast<int>(ks::ParamType::Integer);
    QTest::newRow("box") << static_cast<int>(RegionMethod::Box) << "ksize" << 1.0 << 1001.0
                         << static_cast<int>(ks::ParamType::OddInteger);
}

void TestRegionBlur::parameterDescriptors()
{
    QFETCH(int, method);
    QFETCH(QString, strengthKey);
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(int, type);

    const std::span<const ks::ParamDescriptor> descriptors =
        ks::regionParameterDescriptors(static_cast<RegionMethod>(method));
    QCOMPARE(descriptors.size(), size_t{2});
    const ks::ParamDescriptor &strength = descriptors[0];
    const ks::ParamDescriptor &feather = descriptors[1];

    QCOMPARE(strength.key, strengthKey.toStdString());
    QCOMPARE(strength.min, min);
    QCOMPARE(strength.max, max);
    QCOMPARE(static_cast<int>(strength.type), type);
    QVERIFY(strength.defaultValue >= min && strength.defaultValue <= max);
    if (strength.type != ks::ParamType::Real)
        QCOMPARE(std::floor(strength.defaultValue), strength.defaultValue);
    if (strength.type == ks::ParamType::OddInteger)
        QCOMPARE(std::fmod(strength.defaultValue, 2.0), 1.0);

    QCOMPARE(feather.key, std::string("feather"));
    QCOMPARE(feather.min, 0.0);
    QCOMPARE(feather.max, 1000.0);
    QCOMPARE(static_cast<int>(feather.type), static_cast<int>(ks::ParamType::Integer));
    QVERIFY(feather.defaultValue >= 0 && feather.defaultValue <= 1000);

    // The descriptors and validateRegion agree at both ends of each range.
    Region region;
    region.method = static_cast<RegionMethod>(method);
    region.rect = {1, 1, 5, 5};
    for (double value : {strength.min, strength.max}) {
        region.strength = value;
        ks::validateRegion(region, 0);
    }
    region.strength = strength.max + (strength.type == ks::ParamType::OddInteger ? 2 : 1);
    QVERIFY_THROWS_EXCEPTION(ks::ParameterError, ks::validateRegion(region, 0));
    region.strength = strength.min - (strength.type == ks::ParamType::Real ? 0.01 : 1);
    QVERIFY_THROWS_EXCEPTION(ks::ParameterError, ks::validateRegion(region, 0));
}

void TestRegionBlur::cancelledBeforeStartThrows()
{
    const cv::Mat src = randomImage(kImageSize, CV_8U, 3, 1);
    const cv::Mat before = src.clone();
    const std::vector<Region> regions{Region{{5, 5, 30, 30}, RegionMethod::Gaussian, 4, 3},
                                      Region{{20, 10, 30, 30}, RegionMethod::Pixelate, 6, 0}};

    std::stop_source stopped;
    stopped.request_stop();
    ks::RunControl control;
    control.stop = stopped.get_token();
    QVERIFY_THROWS_EXCEPTION(ks::Cancelled, (void)ks::applyRegionBlurs(src, regions, control));
    QVERIFY(bitIdentical(src, before));

    // A stop source that is never triggered changes nothing.
    std::stop_source running;
    ks::RunControl live;
    live.stop = running.get_token();
    const ks::RegionBlurResult withToken = applyChecked(src, regions, live);
    if (QTest::currentTestFailed())
        return;
    const ks::RegionBlurResult withoutToken = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(bitIdentical(withToken.image, withoutToken.image));
}

void TestRegionBlur::cancelledAfterPartialProgressThrows()
{
    // Stop from the progress callback as soon as the work is partly done: the
    // rest of the work has checkpoints, so the call must end in Cancelled.
    const cv::Mat src = randomImage({640, 480}, CV_8U, 3, 9);
    const std::vector<Region> regions{Region{{0, 0, 640, 480}, RegionMethod::Gaussian, 8, 20},
                                      Region{{50, 40, 500, 400}, RegionMethod::Box, 15, 10},
                                      Region{{0, 0, 640, 480}, RegionMethod::Pixelate, 4, 0}};
    std::stop_source source;
    ks::RunControl control;
    control.stop = source.get_token();
    double stoppedAt = -1;
    control.progress = [&](double fraction) {
        if (stoppedAt < 0 && fraction > 0 && fraction < 0.5) {
            stoppedAt = fraction;
            source.request_stop();
        }
    };
    bool cancelled = false;
    try {
        (void)ks::applyRegionBlurs(src, regions, control);
    } catch (const ks::Cancelled &) {
        cancelled = true;
    }
    if (stoppedAt < 0)
        QSKIP("no progress was reported in (0, 0.5), so there was no point to stop at");
    QVERIFY2(cancelled, "stop requested at progress " + QByteArray::number(stoppedAt) +
                            " but the call returned normally");
}

void TestRegionBlur::progressIsMonotonicInUnitRange()
{
    const cv::Mat src = randomImage({160, 120}, CV_16U, 4, 2);
    const std::vector<Region> regions{Region{{5, 5, 60, 50}, RegionMethod::Gaussian, 5, 6},
                                      Region{{40, 30, 90, 80}, RegionMethod::Pixelate, 7, 3},
                                      Region{{-10, 60, 80, 90}, RegionMethod::Box, 11, 0}};
    std::vector<double> reported;
    bool sameThread = true;
    const std::thread::id caller = std::this_thread::get_id();
    ks::RunControl control;
    control.progress = [&](double fraction) {
        reported.push_back(fraction);
        sameThread = sameThread && std::this_thread::get_id() == caller;
    };
    const ks::RegionBlurResult result = applyChecked(src, regions, control);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(sameThread);
    for (size_t i = 0; i < reported.size(); ++i) {
        QVERIFY2(reported[i] >= 0 && reported[i] <= 1, QByteArray::number(reported[i]));
        if (i > 0)
            QVERIFY2(reported[i] >= reported[i - 1], QByteArray::number(reported[i - 1]) +
                                                         " then " +
                                                         QByteArray::number(reported[i]));
    }
    const ks::RegionBlurResult silent = applyChecked(src, regions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(bitIdentical(result.image, silent.image));
}

QTEST_APPLESS_MAIN(TestRegionBlur)
#include "tst_region_blur.moc"
