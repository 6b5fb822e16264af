// Tests for ks::mapForDisplay and the display-mode names (core/display.h).
//
// Responses are built by hand and every expected pixel comes from a closed
// form computed here in double precision.
#include "core/display.h"
#include "core/filter.h"

#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace {

using ks::DisplayMode;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

const char *depthLabel(int depth)
{
    switch (depth) {
    case CV_8U:
        return "8U";
    case CV_16U:
        return "16U";
    case CV_32F:
        return "32F";
    default:
        return "?";
    }
}

const char *modeLabel(DisplayMode mode)
{
    switch (mode) {
    case DisplayMode::Clamp:
        return "clamp";
    case DisplayMode::Abs:
        return "abs";
    case DisplayMode::Offset:
        return "offset";
    case DisplayMode::Normalize:
        return "normalize";
    case DisplayMode::Raw:
        return "raw";
    }
    return "?";
}

double fullOf(int depth)
{
    switch (depth) {
    case CV_8U:
        return 255.0;
    case CV_16U:
        return 65535.0;
    default:
        return 1.0;
    }
}

double midGrey(int outputDepth)
{
    return outputDepth == CV_8U ? 128.0 : 32768.0;
}

/// Round half to even (the default floating-point rounding mode), as
/// cv::saturate_cast does, then clip to [0, outFull].
double saturateRound(double v, double outFull)
{
    return std::clamp(std::nearbyint(v), 0.0, outFull);
}

/// A CV_32F response of the given channels holding the list (padded with 0),
/// two rows high so row strides matter.
cv::Mat valuesMat(const std::vector<double> &list, int channels)
{
    const int perRow =
        std::max(1, static_cast<int>((list.size() + static_cast<size_t>(2 * channels) - 1) /
                                     static_cast<size_t>(2 * channels)));
    cv::Mat m(2, perRow, CV_32FC(channels), cv::Scalar::all(0));
    float *p = m.ptr<float>(0);
    for (size_t k = 0; k < list.size(); ++k)
        p[k] = static_cast<float>(list[k]);
    return m;
}

/// All elements of a matrix, row-major and channel-interleaved, in double.
std::vector<double> elements(const cv::Mat &m)
{
    cv::Mat d;
    m.convertTo(d, CV_64F);
    d = d.reshape(1, 1).clone();
    return {d.ptr<double>(0), d.ptr<double>(0) + d.cols};
}

/// Elements of the response part (first valueChannels channels) of out.
std::vector<double> valueElements(const cv::Mat &out, int valueChannels)
{
    std::vector<cv::Mat> planes;
    cv::split(out, planes);
    planes.resize(static_cast<size_t>(valueChannels));
    cv::Mat merged;
    cv::merge(planes, merged);
    return elements(merged);
}

ks::Response makeResponse(const cv::Mat &values, int sourceDepth, const cv::Mat &alpha = {})
{
    ks::Response response;
    response.values = values;
    response.alpha = alpha;
    response.sourceDepth = sourceDepth;
    return response;
}

/// Checks every element: got[k] against saturateRound(scaled(values[k])),
/// where scaled returns NaN for "must be 0". With toleranceLsb 0 the match
/// must be exact, except (unless strictTies) where the scaled value lies
/// within 1e-3 of a tie, where either neighbour is accepted.
std::string checkElements(const std::vector<double> &got, const std::vector<double> &values,
                          const std::function<double(double)> &scaled, double outFull,
                          double toleranceLsb, bool strictTies)
{
    if (got.size() != values.size())
        return "element count differs: " + std::to_string(got.size()) + " vs " +
               std::to_string(values.size());
    for (size_t k = 0; k < got.size(); ++k) {
        const double s = scaled(values[k]);
        const double want = std::isnan(s) ? 0.0 : saturateRound(s, outFull);
        bool ok = std::abs(got[k] - want) <= toleranceLsb;
        if (!ok && toleranceLsb == 0 && !strictTies && !std::isnan(s)) {
            const double fraction = s - std::floor(s);
            if (std::abs(fraction - 0.5) < 1e-3)
                ok = got[k] == saturateRound(std::floor(s), outFull) ||
                     got[k] == saturateRound(std::ceil(s), outFull);
        }
        if (!ok)
            return QStringLiteral("element %1: response %2 (scaled %3) gave %4, expected %5%6")
                .arg(k)
                .arg(values[k], 0, 'g', 10)
                .arg(s, 0, 'g', 10)
                .arg(got[k], 0, 'g', 10)
                .arg(want, 0, 'g', 10)
                .arg(toleranceLsb > 0 ? QStringLiteral(" +- %1").arg(toleranceLsb) : QString())
                .toStdString();
    }
    return {};
}

/// Response values for a source depth: in-range, negative, above full scale,
/// ties at .5 (for integer sources), and non-finite values.
std::vector<double> testValues(int sourceDepth)
{
    const double full = fullOf(sourceDepth);
    std::vector<double> list;
    for (const double f :
         {-1.0, -0.01, 0.0, 0.0013, 0.1, 0.2345, 0.5003, 0.777, 0.9991, 1.0, 1.2, 100.0, -100.0})
        list.push_back(f * full);
    if (sourceDepth != CV_32F) {
        for (const double v : {0.5, 1.5, 2.5, 3.5, -0.5, 7.3, 7.7, 100.49, 100.51})
            list.push_back(v);
        list.push_back(full - 0.5);
        list.push_back(full - 1.5);
        list.push_back(full + 0.5);
    } else {
        for (const double v : {0.5 / 255, 1.5 / 255, 0.3 / 65535, 1e-7, -1e-7})
            list.push_back(v);
    }
    list.push_back(kNaN);
    list.push_back(kInf);
    list.push_back(-kInf);
    return list;
}

/// The values as actually stored in the float response.
std::vector<double> storedValues(const cv::Mat &values)
{
    return elements(values);
}

double largestFiniteAbs(const std::vector<double> &values)
{
    double m = 0;
    for (const double v : values)
        if (std::isfinite(v))
            m = std::max(m, std::abs(v));
    return m;
}

std::string describeException(const std::function<void()> &call, bool &threwInvalidArgument)
{
    threwInvalidArgument = false;
    try {
        call();
        return "no exception";
    } catch (const std::invalid_argument &e) {
        threwInvalidArgument = true;
        return e.what();
    } catch (const std::exception &e) {
        return std::string("wrong exception type: ") + e.what();
    } catch (...) {
        return "unknown exception";
    }
}

// Naive double correlation with the reflect-101 border, for the end-to-end test.
int reflect101(int p, int len)
{
    if (len == 1)
        return 0;
    while (p < 0 || p >= len)
        p = p < 0 ? -p : 2 * len - 2 - p;
    return p;
}

cv::Mat1d naiveCorrelationReflect101(const cv::Mat &src, const cv::Mat1d &kernel)
{
    cv::Mat1d source;
    src.convertTo(source, CV_64F);
    const int ax = kernel.cols / 2;
    const int ay = kernel.rows / 2;
    cv::Mat1d dst(source.size());
    for (int y = 0; y < source.rows; ++y) {
        for (int x = 0; x < source.cols; ++x) {
            double acc = 0;
            for (int i = 0; i < kernel.rows; ++i)
                for (int j = 0; j < kernel.cols; ++j)
                    acc += kernel(i, j) * source(reflect101(y + i - ay, source.rows),
                                                 reflect101(x + j - ax, source.cols));
            dst(y, x) = acc;
        }
    }
    return dst;
}

} // namespace

Q_DECLARE_METATYPE(ks::DisplayMode)
Q_DECLARE_METATYPE(ks::FilterSpec)

class TestDisplay : public QObject {
    Q_OBJECT

private slots:
    void clampMatchesClosedForm_data();
    void clampMatchesClosedForm();
    void clampRoundsHalfToEven_data();
    void clampRoundsHalfToEven();
    void absWithGain_data();
    void absWithGain();
    void absAutomaticGain_data();
    void absAutomaticGain();
    void offsetAutomaticGain_data();
    void offsetAutomaticGain();
    void offsetWithGain_data();
    void offsetWithGain();
    void normalizeMapsMinMax_data();
    void normalizeMapsMinMax();
    void normalizeConstantImageGivesZero_data();
    void normalizeConstantImageGivesZero();
    void allZeroResponse_data();
    void allZeroResponse();
    void nonFiniteMapsToZero_data();
    void nonFiniteMapsToZero();
    void hugeFiniteValuesSaturate_data();
    void hugeFiniteValuesSaturate();
    void rawReturnsValuesUnchanged_data();
    void rawReturnsValuesUnchanged();
    void alphaChannel_data();
    void alphaChannel();
    void rejectsBadOutputDepth_data();
    void rejectsBadOutputDepth();
    void rejectsBadGain_data();
    void rejectsBadGain();
    void displayNamesRoundTrip();
    void defaultDisplayModes_data();
    void defaultDisplayModes();
    void identityRoundTripIsExact_data();
    void identityRoundTripIsExact();
    void gaussianEndToEndMatchesOpenCv_data();
    void gaussianEndToEndMatchesOpenCv();
    void wideRowsMatchNaiveMapping_data();
    void wideRowsMatchNaiveMapping();
};

// Rows: every source depth x 8/16-bit output x 1 or 3 channels.
static void addDepthRows(bool withChannels)
{
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("outputDepth");
    QTest::addColumn<int>("channels");
    for (const int source : {CV_8U, CV_16U, CV_32F})
        for (const int output : {CV_8U, CV_16U})
            for (const int channels : {1, 3}) {
                if (!withChannels && channels == 3)
                    continue;
                QTest::addRow("%s->%s/c%d", depthLabel(source), depthLabel(output), channels)
                    << source << output << channels;
            }
}

void TestDisplay::clampMatchesClosedForm_data()
{
    addDepthRows(true);
}

void TestDisplay::clampMatchesClosedForm()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(int, channels);

    const cv::Mat values = valuesMat(testValues(sourceDepth), channels);
    const cv::Mat out = ks::mapForDisplay(makeResponse(values, sourceDepth),
                                          {DisplayMode::Clamp, 0.0}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, channels));
    QCOMPARE(out.rows, values.rows);
    QCOMPARE(out.cols, values.cols);

    const double outFull = fullOf(outputDepth);
    const double factor = outFull / fullOf(sourceDepth);
    const std::string problem = checkElements(
        elements(out), storedValues(values),
        [&](double v) { return std::isfinite(v) ? v * factor : kNaN; }, outFull, 0,
        sourceDepth == outputDepth);
    QVERIFY2(problem.empty(), problem.c_str());
}

void TestDisplay::clampRoundsHalfToEven_data()
{
    QTest::addColumn<int>("depth");
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("expected");
    const std::pair<double, double> cases8[] = {
        {0.5, 0},     {1.5, 2},     {2.5, 2},     {3.5, 4},     {4.5, 4},
        {127.5, 128}, {128.5, 128}, {253.5, 254}, {254.5, 254}, {-0.5, 0},
        {255.5, 255}, {2.4999, 2},  {2.5001, 3},  {-0.7, 0},    {254.7, 255}};
    for (const auto &[value, expected] : cases8)
        QTest::addRow("8U %g", value) << int{CV_8U} << value << expected;
    const std::pair<double, double> cases16[] = {
        {2.5, 2},         {3.5, 4},         {32768.5, 32768}, {32769.5, 32770},
        {65534.5, 65534}, {65535.5, 65535}, {-0.5, 0},        {65533.5, 65534}};
    for (const auto &[value, expected] : cases16)
        QTest::addRow("16U %g", value) << int{CV_16U} << value << expected;
}

// Matching depths: rounded like cv::saturate_cast (half to even).
void TestDisplay::clampRoundsHalfToEven()
{
    QFETCH(int, depth);
    QFETCH(double, value);
    QFETCH(double, expected);

    const float stored = static_cast<float>(value);
    const double viaOpenCv = depth == CV_8U
                                 ? static_cast<double>(cv::saturate_cast<uchar>(stored))
                                 : static_cast<double>(cv::saturate_cast<ushort>(stored));
    QCOMPARE(viaOpenCv, expected); // the closed form agrees with OpenCV

    const cv::Mat values(1, 1, CV_32FC1, cv::Scalar(stored));
    const cv::Mat out =
        ks::mapForDisplay(makeResponse(values, depth), {DisplayMode::Clamp, 0.0}, depth);
    QCOMPARE(out.type(), CV_MAKETYPE(depth, 1));
    const double got = elements(out).front();
    QCOMPARE(got, expected);
}

void TestDisplay::absWithGain_data()
{
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("outputDepth");
    QTest::addColumn<double>("gain");
    for (const int source : {CV_8U, CV_16U, CV_32F})
        for (const int output : {CV_8U, CV_16U})
            for (const double gain : {0.5, 1.0, 2.5})
                QTest::addRow("%s->%s/g%g", depthLabel(source), depthLabel(output), gain)
                    << source << output << gain;
}

void TestDisplay::absWithGain()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(double, gain);

    const cv::Mat values = valuesMat(testValues(sourceDepth), 3);
    const cv::Mat out =
        ks::mapForDisplay(makeResponse(values, sourceDepth), {DisplayMode::Abs, gain}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, 3));
    const double outFull = fullOf(outputDepth);
    const double factor = gain * outFull / fullOf(sourceDepth);
    const std::string problem = checkElements(
        elements(out), storedValues(values),
        [&](double v) { return std::isfinite(v) ? std::abs(v) * factor : kNaN; }, outFull, 0,
        false);
    QVERIFY2(problem.empty(), problem.c_str());
}

void TestDisplay::absAutomaticGain_data()
{
    addDepthRows(true);
}

// Gain 0: the largest finite |v| maps to full scale, the rest linearly.
void TestDisplay::absAutomaticGain()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(int, channels);

    const double full = fullOf(sourceDepth);
    const std::vector<double> list = {0.0,         0.05 * full,  -0.2 * full, 0.31 * full,
                                      -0.6 * full, 0.45 * full,  0.9 * full,  -1.7 * full,
                                      kNaN,        kInf,         -kInf,       0.001 * full,
                                      1.1 * full,  -0.37 * full, 0.62 * full, 0.25 * full};
    const cv::Mat values = valuesMat(list, channels);
    const cv::Mat out =
        ks::mapForDisplay(makeResponse(values, sourceDepth), {DisplayMode::Abs, 0.0}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, channels));

    const std::vector<double> stored = storedValues(values);
    const double maxAbs = largestFiniteAbs(stored);
    const double outFull = fullOf(outputDepth);
    const std::vector<double> got = elements(out);
    const std::string problem = checkElements(
        got, stored,
        [&](double v) { return std::isfinite(v) ? std::abs(v) / maxAbs * outFull : kNaN; }, outFull,
        1, false);
    QVERIFY2(problem.empty(), problem.c_str());
    for (size_t k = 0; k < stored.size(); ++k)
        if (std::isfinite(stored[k]) && std::abs(stored[k]) == maxAbs)
            QCOMPARE(got[k], outFull);
}

void TestDisplay::offsetAutomaticGain_data()
{
    addDepthRows(true);
}

// Gain 0: zero is mid-grey and the largest |v| reaches an end of the range.
void TestDisplay::offsetAutomaticGain()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(int, channels);

    for (const double sign : {1.0, -1.0}) { // the largest |v| positive, then negative
        const double full = fullOf(sourceDepth);
        const std::vector<double> list = {0.0,         0.05 * full, -0.2 * full,  0.31 * full,
                                          -0.6 * full, 0.45 * full, 0.9 * full,   sign * 1.7 * full,
                                          kNaN,        kInf,        -kInf,        -0.001 * full,
                                          -1.1 * full, 0.37 * full, -0.62 * full, 0.0};
        const cv::Mat values = valuesMat(list, channels);
        const cv::Mat out = ks::mapForDisplay(makeResponse(values, sourceDepth),
                                              {DisplayMode::Offset, 0.0}, outputDepth);
        QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, channels));

        const std::vector<double> stored = storedValues(values);
        const std::vector<double> got = elements(out);
        const double maxAbs = largestFiniteAbs(stored);
        const double outFull = fullOf(outputDepth);
        const double mid = midGrey(outputDepth);
        const std::string problem = checkElements(
            got, stored,
            [&](double v) { return std::isfinite(v) ? mid + v / maxAbs * outFull / 2 : kNaN; },
            outFull, 1, false);
        QVERIFY2(problem.empty(), problem.c_str());
        for (size_t k = 0; k < stored.size(); ++k) {
            if (stored[k] == 0.0)
                QCOMPARE(got[k], mid);
            if (std::isfinite(stored[k]) && std::abs(stored[k]) == maxAbs) {
                const double end = stored[k] > 0 ? outFull : 0.0;
                QVERIFY2(std::abs(got[k] - end) <= 1,
                         qPrintable(QStringLiteral("largest |v| %1 gave %2, expected %3 +- 1")
                                        .arg(stored[k])
                                        .arg(got[k])
                                        .arg(end)));
            }
        }
    }
}

void TestDisplay::offsetWithGain_data()
{
    addDepthRows(false);
}

// Explicit gain: zero is mid-grey, the mapping is symmetric, linear in the
// response and in the gain, with the same slope as Abs or half of it, and
// clipped at both ends.
void TestDisplay::offsetWithGain()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);

    const double full = fullOf(sourceDepth);
    const double outFull = fullOf(outputDepth);
    const double mid = midGrey(outputDepth);
    std::vector<double> list;
    for (const double f : {0.0, 0.013, 0.05, 0.1, 0.17, 0.2})
        list.push_back(f * full);
    for (const double f : {0.013, 0.05, 0.1, 0.17, 0.2})
        list.push_back(-f * full);
    list.push_back(50 * full);
    list.push_back(-50 * full);
    const cv::Mat values = valuesMat(list, 1);
    const std::vector<double> stored = storedValues(values);
    const size_t n = list.size();

    const auto map = [&](double gain) {
        const cv::Mat out = ks::mapForDisplay(makeResponse(values, sourceDepth),
                                              {DisplayMode::Offset, gain}, outputDepth);
        return std::pair{out.type(), elements(out)};
    };
    const auto [type1, g1] = map(1.0);
    const auto [type2, g2] = map(2.0);
    QCOMPARE(type1, CV_MAKETYPE(outputDepth, 1));
    QCOMPARE(type2, CV_MAKETYPE(outputDepth, 1));

    QCOMPARE(g1[0], mid);
    QCOMPARE(g2[0], mid);
    // Symmetric about mid-grey (entries 1..5 are +v, 6..10 are -v).
    for (size_t k = 1; k <= 5; ++k) {
        QVERIFY2(std::abs((g1[k] - mid) + (g1[k + 5] - mid)) <= 1,
                 qPrintable(QStringLiteral("gain 1: %1 -> %2 but %3 -> %4")
                                .arg(stored[k])
                                .arg(g1[k])
                                .arg(stored[k + 5])
                                .arg(g1[k + 5])));
        QVERIFY2(g1[k] > mid && g1[k + 5] < mid, "sign of the response lost");
    }
    // Doubling the gain doubles the deviation from mid-grey.
    for (size_t k = 1; k <= 10; ++k)
        QVERIFY2(std::abs((g2[k] - mid) - 2 * (g1[k] - mid)) <= 2,
                 qPrintable(QStringLiteral("response %1: gain 1 -> %2, gain 2 -> %3")
                                .arg(stored[k])
                                .arg(g1[k])
                                .arg(g2[k])));
    // Linear with slope gain * outFull / srcFull (like Abs) or half of it.
    bool fitsSomeSlope = false;
    for (const double slope : {outFull / full, 0.5 * outFull / full}) {
        bool fits = true;
        for (size_t k = 0; k + 2 < n; ++k)
            fits = fits && std::abs(g1[k] - (mid + stored[k] * slope)) <= 1.0;
        fitsSomeSlope = fitsSomeSlope || fits;
    }
    QVERIFY2(fitsSomeSlope, "offset with gain 1 is not linear in the response");
    // Clipped at both ends.
    QCOMPARE(g1[n - 2], outFull);
    QCOMPARE(g1[n - 1], 0.0);
    QCOMPARE(g2[n - 2], outFull);
    QCOMPARE(g2[n - 1], 0.0);
}

void TestDisplay::normalizeMapsMinMax_data()
{
    addDepthRows(true);
}

// Min-max over all colour channels together; non-finite values are ignored
// for the range and map to 0.
void TestDisplay::normalizeMapsMinMax()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(int, channels);

    const double full = fullOf(sourceDepth);
    std::vector<double> list;
    for (int k = 0; k < 30; ++k) // channel-dependent ranges when interleaved
        list.push_back(full * (0.37 * std::sin(1.7 * k) + 0.2 * (k % 3) - 0.3));
    list.push_back(kNaN);
    list.push_back(kInf);
    list.push_back(-kInf);
    const cv::Mat values = valuesMat(list, channels);
    const cv::Mat out = ks::mapForDisplay(makeResponse(values, sourceDepth),
                                          {DisplayMode::Normalize, 0.0}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, channels));

    const std::vector<double> stored = storedValues(values);
    double lo = kInf;
    double hi = -kInf;
    for (const double v : stored) {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    const double outFull = fullOf(outputDepth);
    const std::vector<double> got = elements(out);
    const std::string problem = checkElements(
        got, stored,
        [&](double v) { return std::isfinite(v) ? (v - lo) / (hi - lo) * outFull : kNaN; }, outFull,
        1, false);
    QVERIFY2(problem.empty(), problem.c_str());
    for (size_t k = 0; k < stored.size(); ++k) {
        if (stored[k] == lo)
            QCOMPARE(got[k], 0.0);
        if (stored[k] == hi)
            QCOMPARE(got[k], outFull);
    }
}

void TestDisplay::normalizeConstantImageGivesZero_data()
{
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("outputDepth");
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("withNonFinite");
    for (const int source : {CV_8U, CV_16U, CV_32F})
        for (const int output : {CV_8U, CV_16U})
            for (const double value : {0.0, 0.4, -3.0})
                for (const bool withNonFinite : {false, true})
                    QTest::addRow("%s->%s/%g%s", depthLabel(source), depthLabel(output), value,
                                  withNonFinite ? "/nan" : "")
                        << source << output << value << withNonFinite;
}

void TestDisplay::normalizeConstantImageGivesZero()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(double, value);
    QFETCH(bool, withNonFinite);

    cv::Mat values(5, 7, CV_32FC3, cv::Scalar::all(value * fullOf(sourceDepth)));
    if (withNonFinite) {
        values.at<cv::Vec3f>(1, 2)[0] = std::numeric_limits<float>::quiet_NaN();
        values.at<cv::Vec3f>(3, 4)[2] = std::numeric_limits<float>::infinity();
    }
    const cv::Mat out = ks::mapForDisplay(makeResponse(values, sourceDepth),
                                          {DisplayMode::Normalize, 0.0}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, 3));
    QCOMPARE(cv::countNonZero(out.reshape(1)), 0);
}

void TestDisplay::allZeroResponse_data()
{
    QTest::addColumn<DisplayMode>("mode");
    QTest::addColumn<int>("outputDepth");
    QTest::addColumn<double>("expected");
    QTest::addRow("abs auto 8U") << DisplayMode::Abs << int{CV_8U} << 0.0;
    QTest::addRow("abs auto 16U") << DisplayMode::Abs << int{CV_16U} << 0.0;
    QTest::addRow("offset auto 8U") << DisplayMode::Offset << int{CV_8U} << 128.0;
    QTest::addRow("offset auto 16U") << DisplayMode::Offset << int{CV_16U} << 32768.0;
    QTest::addRow("clamp 8U") << DisplayMode::Clamp << int{CV_8U} << 0.0;
    QTest::addRow("normalize 16U") << DisplayMode::Normalize << int{CV_16U} << 0.0;
}

// Automatic gain with nothing to scale must not divide by zero.
void TestDisplay::allZeroResponse()
{
    QFETCH(DisplayMode, mode);
    QFETCH(int, outputDepth);
    QFETCH(double, expected);
    const cv::Mat values(4, 6, CV_32FC1, cv::Scalar(0));
    const cv::Mat out = ks::mapForDisplay(makeResponse(values, CV_8U), {mode, 0.0}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, 1));
    for (const double v : elements(out))
        QCOMPARE(v, expected);
}

void TestDisplay::nonFiniteMapsToZero_data()
{
    QTest::addColumn<DisplayMode>("mode");
    QTest::addColumn<double>("gain");
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("outputDepth");
    for (const DisplayMode mode :
         {DisplayMode::Clamp, DisplayMode::Abs, DisplayMode::Offset, DisplayMode::Normalize})
        for (const double gain : {0.0, 1.0})
            for (const int source : {CV_8U, CV_16U, CV_32F})
                for (const int output : {CV_8U, CV_16U})
                    QTest::addRow("%s/g%g/%s->%s", modeLabel(mode), gain, depthLabel(source),
                                  depthLabel(output))
                        << mode << gain << source << output;
}

// "Non-finite response values map to 0", whatever the mode.
void TestDisplay::nonFiniteMapsToZero()
{
    QFETCH(DisplayMode, mode);
    QFETCH(double, gain);
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);

    const double full = fullOf(sourceDepth);
    const std::vector<double> list = {kNaN, kInf, -kInf, 0.5 * full, -0.25 * full, 0.1 * full};
    const cv::Mat values = valuesMat(list, 3);
    const cv::Mat out =
        ks::mapForDisplay(makeResponse(values, sourceDepth), {mode, gain}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, 3));
    const std::vector<double> got = elements(out);
    QCOMPARE(got[0], 0.0); // NaN
    QCOMPARE(got[1], 0.0); // +inf
    QCOMPARE(got[2], 0.0); // -inf
}

void TestDisplay::hugeFiniteValuesSaturate_data()
{
    QTest::addColumn<DisplayMode>("mode");
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("outputDepth");
    for (const DisplayMode mode : {DisplayMode::Clamp, DisplayMode::Abs, DisplayMode::Offset})
        for (const int source : {CV_8U, CV_16U, CV_32F})
            for (const int output : {CV_8U, CV_16U})
                QTest::addRow("%s/%s->%s", modeLabel(mode), depthLabel(source), depthLabel(output))
                    << mode << source << output;
}

// Finite values far beyond full scale (beyond the int range once scaled, as a
// float image holding 0..65535 data gives for 16-bit output) are clipped, not
// wrapped: the mappings promise "clipped".
void TestDisplay::hugeFiniteValuesSaturate()
{
    QFETCH(DisplayMode, mode);
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);

    const double full = fullOf(sourceDepth);
    const std::vector<double> list = {5e4 * full, -5e4 * full, 1e7 * full, -1e7 * full,
                                      1e30,       -1e30,       0.5 * full, -0.5 * full};
    const cv::Mat values = valuesMat(list, 1);
    const cv::Mat out =
        ks::mapForDisplay(makeResponse(values, sourceDepth), {mode, 1.0}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, 1));
    const double outFull = fullOf(outputDepth);
    const std::vector<double> got = elements(out);
    for (size_t k = 0; k < 6; ++k) {
        const bool positive = list[k] > 0;
        const double expected = mode == DisplayMode::Clamp ? (positive ? outFull : 0.0)
                                : mode == DisplayMode::Abs ? outFull
                                : /* Offset */ positive    ? outFull
                                                           : 0.0;
        QVERIFY2(got[k] == expected,
                 qPrintable(QStringLiteral("response %1 (x%2 full scale) gave %3, expected %4")
                                .arg(list[k], 0, 'g', 6)
                                .arg(list[k] / full, 0, 'g', 6)
                                .arg(got[k])
                                .arg(expected)));
    }
}

void TestDisplay::rawReturnsValuesUnchanged_data()
{
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("channels");
    QTest::addColumn<bool>("withAlpha");
    QTest::addColumn<int>("outputDepth"); // ignored for Raw
    for (const int source : {CV_8U, CV_16U, CV_32F})
        for (const int channels : {1, 3})
            for (const bool alpha : {false, true})
                for (const int output : {CV_8U, CV_16U, CV_32F, CV_64F})
                    QTest::addRow("%s/c%d%s/out%d", depthLabel(source), channels,
                                  alpha ? "+alpha" : "", output)
                        << source << channels << alpha << output;
}

void TestDisplay::rawReturnsValuesUnchanged()
{
    QFETCH(int, sourceDepth);
    QFETCH(int, channels);
    QFETCH(bool, withAlpha);
    QFETCH(int, outputDepth);

    const cv::Mat values = valuesMat(testValues(sourceDepth), channels);
    cv::Mat alpha;
    if (withAlpha) {
        alpha = cv::Mat(values.size(), CV_MAKETYPE(sourceDepth, 1));
        cv::RNG rng(4);
        if (sourceDepth == CV_32F)
            rng.fill(alpha, cv::RNG::UNIFORM, 0.0, 1.0);
        else
            rng.fill(alpha, cv::RNG::UNIFORM, 0, fullOf(sourceDepth) + 1);
    }
    const cv::Mat out = ks::mapForDisplay(makeResponse(values, sourceDepth, alpha),
                                          {DisplayMode::Raw, 0.0}, outputDepth);
    QCOMPARE(out.type(), CV_32FC(channels + (withAlpha ? 1 : 0)));
    QCOMPARE(out.size(), values.size());

    // Bit-identical values, NaN and infinities included.
    std::vector<cv::Mat> planes;
    cv::split(out, planes);
    std::vector<cv::Mat> valuePlanes;
    cv::split(values, valuePlanes);
    for (int c = 0; c < channels; ++c) {
        const cv::Mat &a = planes[static_cast<size_t>(c)];
        const cv::Mat &b = valuePlanes[static_cast<size_t>(c)];
        for (int y = 0; y < a.rows; ++y)
            QVERIFY2(std::memcmp(a.ptr(y), b.ptr(y), static_cast<size_t>(a.cols) * sizeof(float)) ==
                         0,
                     qPrintable(QStringLiteral("channel %1 row %2 differs").arg(c).arg(y)));
    }
    if (withAlpha) {
        cv::Mat alphaAsFloat;
        alpha.convertTo(alphaAsFloat, CV_32F);
        QCOMPARE(cv::norm(planes.back(), alphaAsFloat, cv::NORM_INF), 0.0);
    }
}

void TestDisplay::alphaChannel_data()
{
    QTest::addColumn<DisplayMode>("mode");
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("outputDepth");
    QTest::addColumn<int>("channels");
    for (const DisplayMode mode :
         {DisplayMode::Clamp, DisplayMode::Abs, DisplayMode::Offset, DisplayMode::Normalize})
        for (const int source : {CV_8U, CV_16U, CV_32F})
            for (const int output : {CV_8U, CV_16U})
                for (const int channels : {1, 3})
                    QTest::addRow("%s/%s->%s/c%d", modeLabel(mode), depthLabel(source),
                                  depthLabel(output), channels)
                        << mode << source << output << channels;
}

// Output = mapped values + alpha; alpha copied when the depths match, else
// rescaled by the full scales (closed forms below).
void TestDisplay::alphaChannel()
{
    QFETCH(DisplayMode, mode);
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(int, channels);

    const cv::Mat values = valuesMat(testValues(sourceDepth), channels);
    cv::Mat alpha(values.size(), CV_MAKETYPE(sourceDepth, 1));
    std::vector<double> alphaList;
    switch (sourceDepth) {
    case CV_8U:
        alphaList = {0, 255, 1, 127, 128, 254, 200, 3, 77, 99};
        break;
    case CV_16U:
        alphaList = {0, 65535, 128, 129, 385, 386, 257, 32767, 32768, 65407, 65408, 1000, 12345};
        break;
    default:
        alphaList = {0, 1, 0.31, 0.77, -0.2, 1.5, 0.123, 0.5003, 0.999};
        break;
    }
    for (int k = 0; k < static_cast<int>(alpha.total()); ++k) {
        const double a = alphaList[static_cast<size_t>(k) % alphaList.size()];
        const int y = k / alpha.cols;
        const int x = k % alpha.cols;
        if (sourceDepth == CV_8U)
            alpha.at<uchar>(y, x) = static_cast<uchar>(a);
        else if (sourceDepth == CV_16U)
            alpha.at<ushort>(y, x) = static_cast<ushort>(a);
        else
            alpha.at<float>(y, x) = static_cast<float>(a);
    }

    const ks::DisplayMapping mapping{mode, mode == DisplayMode::Abs ? 1.5 : 0.0};
    const cv::Mat without =
        ks::mapForDisplay(makeResponse(values, sourceDepth), mapping, outputDepth);
    const cv::Mat with =
        ks::mapForDisplay(makeResponse(values, sourceDepth, alpha), mapping, outputDepth);

    QCOMPARE(without.type(), CV_MAKETYPE(outputDepth, channels));
    QCOMPARE(with.type(), CV_MAKETYPE(outputDepth, channels + 1));
    QCOMPARE(with.size(), values.size());

    // The colour part does not depend on the alpha.
    QVERIFY(valueElements(with, channels) == elements(without));

    cv::Mat outAlpha;
    cv::extractChannel(with, outAlpha, channels);
    if (sourceDepth == outputDepth) {
        QCOMPARE(outAlpha.type(), alpha.type());
        QCOMPARE(cv::norm(outAlpha, alpha, cv::NORM_INF), 0.0);
        return;
    }
    const double factor = fullOf(outputDepth) / fullOf(sourceDepth);
    const std::vector<double> a = elements(alpha);
    const std::vector<double> got = elements(outAlpha);
    for (size_t k = 0; k < a.size(); ++k) {
        const double expected = saturateRound(a[k] * factor, fullOf(outputDepth));
        QVERIFY2(got[k] == expected, qPrintable(QStringLiteral("alpha %1 gave %2, expected %3")
                                                    .arg(a[k])
                                                    .arg(got[k])
                                                    .arg(expected)));
    }
}

void TestDisplay::rejectsBadOutputDepth_data()
{
    QTest::addColumn<DisplayMode>("mode");
    QTest::addColumn<int>("outputDepth");
    for (const DisplayMode mode :
         {DisplayMode::Clamp, DisplayMode::Abs, DisplayMode::Offset, DisplayMode::Normalize})
        for (const int depth : {CV_8S, CV_16S, CV_32S, CV_32F, CV_64F, -1, 42})
            QTest::addRow("%s/%d", modeLabel(mode), depth) << mode << depth;
}

void TestDisplay::rejectsBadOutputDepth()
{
    QFETCH(DisplayMode, mode);
    QFETCH(int, outputDepth);
    const cv::Mat values(3, 3, CV_32FC1, cv::Scalar(10));
    bool ok = false;
    const std::string message = describeException(
        [&] {
            (void)ks::mapForDisplay(makeResponse(values, CV_8U), {mode, 0.0}, outputDepth);
        },
        ok);
    QVERIFY2(ok, message.c_str());
}

void TestDisplay::rejectsBadGain_data()
{
    QTest::addColumn<DisplayMode>("mode");
    QTest::addColumn<double>("gain");
    for (const DisplayMode mode : {DisplayMode::Abs, DisplayMode::Offset})
        for (const double gain : {-1.0, -1e-9, kNaN, kInf, -kInf})
            QTest::addRow("%s/%g", modeLabel(mode), gain) << mode << gain;
}

void TestDisplay::rejectsBadGain()
{
    QFETCH(DisplayMode, mode);
    QFETCH(double, gain);
    const cv::Mat values(3, 3, CV_32FC1, cv::Scalar(10));
    bool ok = false;
    const std::string message = describeException(
        [&] {
            (void)ks::mapForDisplay(makeResponse(values, CV_8U), {mode, gain}, CV_8U);
        },
        ok);
    QVERIFY2(ok, message.c_str());
}

void TestDisplay::displayNamesRoundTrip()
{
    const std::pair<DisplayMode, std::string_view> names[] = {{DisplayMode::Clamp, "clamp"},
                                                              {DisplayMode::Abs, "abs"},
                                                              {DisplayMode::Offset, "offset"},
                                                              {DisplayMode::Normalize, "normalize"},
                                                              {DisplayMode::Raw, "raw"}};
    for (const auto &[mode, name] : names) {
        QCOMPARE(ks::displayName(mode), name);
        const std::optional<DisplayMode> parsed = ks::parseDisplayName(name);
        QVERIFY(parsed.has_value());
        QCOMPARE(*parsed, mode);
    }
    for (const DisplayMode mode : ks::kAllDisplayModes)
        QCOMPARE(ks::parseDisplayName(ks::displayName(mode)), std::optional<DisplayMode>(mode));
    QCOMPARE(ks::parseDisplayName("bogus"), std::optional<DisplayMode>());
    QCOMPARE(ks::parseDisplayName(""), std::optional<DisplayMode>());
    QCOMPARE(ks::parseDisplayName("clamp "), std::optional<DisplayMode>());
}

void TestDisplay::defaultDisplayModes_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<DisplayMode>("expected");
    QTest::addRow("identity") << ks::FilterSpec{ks::IdentitySpec{}} << DisplayMode::Clamp;
    QTest::addRow("gaussian") << ks::FilterSpec{ks::GaussianSpec{}} << DisplayMode::Clamp;
    QTest::addRow("gaussian 5") << ks::FilterSpec{ks::GaussianSpec{.ksize = 5, .sigma = 1.2}}
                                << DisplayMode::Clamp;
    QTest::addRow("box normalized")
        << ks::FilterSpec{ks::BoxSpec{.ksize = 5, .normalized = true}} << DisplayMode::Clamp;
    QTest::addRow("box sum") << ks::FilterSpec{ks::BoxSpec{.ksize = 5, .normalized = false}}
                             << DisplayMode::Offset;
    QTest::addRow("gabor") << ks::FilterSpec{ks::GaborSpec{}} << DisplayMode::Offset;
    QTest::addRow("gabor odd") << ks::FilterSpec{ks::GaborSpec{.psi_deg = 90.0}}
                               << DisplayMode::Offset;
    QTest::addRow("derivative 1") << ks::FilterSpec{ks::DerivativeSpec{.order = 1}}
                                  << DisplayMode::Offset;
    QTest::addRow("derivative 2") << ks::FilterSpec{ks::DerivativeSpec{.order = 2}}
                                  << DisplayMode::Offset;
    QTest::addRow("custom sharpen") << ks::FilterSpec{ks::CustomSpec{}} << DisplayMode::Offset;
    QTest::addRow("custom average")
        << ks::FilterSpec{ks::CustomSpec{.rows = 1, .cols = 3, .values = {0.25, 0.5, 0.25}}}
        << DisplayMode::Clamp;
}

void TestDisplay::defaultDisplayModes()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(DisplayMode, expected);
    QCOMPARE(ks::defaultDisplayMode(spec), expected);
}

void TestDisplay::identityRoundTripIsExact_data()
{
    QTest::addColumn<int>("type");
    QTest::addRow("8UC1") << int{CV_8UC1};
    QTest::addRow("8UC3") << int{CV_8UC3};
    QTest::addRow("8UC4") << int{CV_8UC4};
    QTest::addRow("16UC1") << int{CV_16UC1};
    QTest::addRow("16UC3") << int{CV_16UC3};
    QTest::addRow("16UC4") << int{CV_16UC4};
}

// Identity + Clamp at the source depth gives the source back, bit for bit.
void TestDisplay::identityRoundTripIsExact()
{
    QFETCH(int, type);
    cv::Mat image(37, 29, type);
    cv::RNG rng(17);
    rng.fill(image, cv::RNG::UNIFORM, 0, fullOf(CV_MAT_DEPTH(type)) + 1);
    const ks::Response response = ks::applyFilter(image, ks::IdentitySpec{});
    const cv::Mat out = ks::mapForDisplay(response, {DisplayMode::Clamp, 0.0}, CV_MAT_DEPTH(type));
    QCOMPARE(out.type(), type);
    QCOMPARE(cv::norm(out, image, cv::NORM_INF), 0.0);
}

void TestDisplay::gaussianEndToEndMatchesOpenCv_data()
{
    QTest::addColumn<int>("type");
    QTest::addRow("8UC1") << int{CV_8UC1};
    QTest::addRow("8UC3") << int{CV_8UC3};
}

// applyFilter(Gaussian 5, 1.2) + Clamp to 8 bits: within 1 LSB of
// cv::GaussianBlur everywhere, and the rounded double reference almost always.
void TestDisplay::gaussianEndToEndMatchesOpenCv()
{
    QFETCH(int, type);
    cv::Mat image(120, 160, type);
    cv::RNG rng(2024);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);

    const ks::Response response =
        ks::applyFilter(image, ks::GaussianSpec{.ksize = 5, .sigma = 1.2});
    const cv::Mat out = ks::mapForDisplay(response, {DisplayMode::Clamp, 0.0}, CV_8U);
    QCOMPARE(out.type(), type);

    cv::Mat blurred;
    cv::GaussianBlur(image, blurred, cv::Size(5, 5), 1.2, 1.2, cv::BORDER_REFLECT_101);
    const double worst = cv::norm(out, blurred, cv::NORM_INF);
    QVERIFY2(worst <= 1,
             qPrintable(QStringLiteral("differs from cv::GaussianBlur by %1").arg(worst)));

    const cv::Mat1d g = cv::getGaussianKernel(5, 1.2, CV_64F);
    const cv::Mat1d kernel = g * g.t();
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    std::vector<cv::Mat> outPlanes;
    cv::split(out, outPlanes);
    long compared = 0;
    long equal = 0;
    for (size_t c = 0; c < planes.size(); ++c) {
        const cv::Mat1d reference = naiveCorrelationReflect101(planes[c], kernel);
        for (int y = 0; y < reference.rows; ++y) {
            for (int x = 0; x < reference.cols; ++x) {
                const double r = reference(y, x);
                if (std::abs(r - std::floor(r) - 0.5) < 1e-4)
                    continue; // a tie: either neighbour is fine
                ++compared;
                if (outPlanes[c].at<uchar>(y, x) == saturateRound(r, 255))
                    ++equal;
            }
        }
    }
    QVERIFY(compared > 0);
    const double share = static_cast<double>(equal) / static_cast<double>(compared);
    QVERIFY2(share >= 0.999,
             qPrintable(QStringLiteral("only %1 of %2 pixels equal round(reference)")
                            .arg(equal)
                            .arg(compared)));
}

// Rows long enough for the vectorized mapping, with ties, non-finite and
// huge values at every position modulo the vector width: each output equals
// a naive double loop written here (range, gain, round half to even, clip).
void TestDisplay::wideRowsMatchNaiveMapping_data()
{
    QTest::addColumn<DisplayMode>("mode");
    QTest::addColumn<double>("gain");
    QTest::addColumn<int>("sourceDepth");
    QTest::addColumn<int>("outputDepth");
    QTest::addColumn<int>("channels");
    for (const DisplayMode mode :
         {DisplayMode::Clamp, DisplayMode::Abs, DisplayMode::Offset, DisplayMode::Normalize})
        for (const double gain : {0.0, 1.0, 3.7})
            for (const int source : {CV_8U, CV_16U, CV_32F})
                for (const int output : {CV_8U, CV_16U})
                    for (const int channels : {1, 3})
                        QTest::addRow("%s/g%g/%s->%s/%dch", modeLabel(mode), gain,
                                      depthLabel(source), depthLabel(output), channels)
                            << mode << gain << source << output << channels;
}

void TestDisplay::wideRowsMatchNaiveMapping()
{
    QFETCH(DisplayMode, mode);
    QFETCH(double, gain);
    QFETCH(int, sourceDepth);
    QFETCH(int, outputDepth);
    QFETCH(int, channels);
    const double srcFull = fullOf(sourceDepth);
    const double outFull = fullOf(outputDepth);

    // 5 rows of 67 pixels: row lengths not a multiple of any vector width.
    cv::Mat values(5, 67, CV_32FC(channels));
    cv::RNG rng(static_cast<std::uint64_t>(channels * 1000 + outputDepth * 10 + sourceDepth));
    rng.fill(values, cv::RNG::UNIFORM, -1.2 * srcFull, 1.2 * srcFull);
    const int width = values.cols * channels;
    for (int y = 0; y < values.rows; ++y) {
        float *row = values.ptr<float>(y);
        for (int x = y; x < width; x += 7)
            row[x] = std::floor(row[x]) + 0.5f; // ties before gain and offset
        row[(11 * y + 3) % width] = std::numeric_limits<float>::quiet_NaN();
        row[(13 * y + 5) % width] = std::numeric_limits<float>::infinity();
        row[(17 * y + 9) % width] = -std::numeric_limits<float>::infinity();
        row[(19 * y + 1) % width] = std::numeric_limits<float>::max();
    }
    // Integral source units in an output of the same depth give exact ties.
    if (mode == DisplayMode::Clamp && sourceDepth == outputDepth)
        for (int y = 0; y < values.rows; ++y)
            for (int x = 0; x < width; x += 3)
                values.ptr<float>(y)[x] = static_cast<float>((x + y) % 512) * 0.5f;

    // The naive reference: range over finite values, then the mapping.
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (int y = 0; y < values.rows; ++y)
        for (int x = 0; x < width; ++x) {
            const double v = values.ptr<float>(y)[x];
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    const double maxAbs = std::max(std::abs(lo), std::abs(hi));
    const double autoGain = maxAbs > 0 ? srcFull / maxAbs : 1.0;
    const double g = gain > 0 ? gain : autoGain;
    const auto expected = [&](double v) -> double {
        if (!std::isfinite(v))
            return 0;
        switch (mode) {
        case DisplayMode::Clamp:
            return saturateRound(v * (outFull / srcFull), outFull);
        case DisplayMode::Abs:
            return saturateRound(std::abs(v) * (g * (outFull / srcFull)), outFull);
        case DisplayMode::Offset: {
            const double mid = midGrey(outputDepth);
            return saturateRound(v * (g * (outFull - mid) / srcFull) + mid, outFull);
        }
        case DisplayMode::Normalize: {
            const double scale = hi > lo ? outFull / (hi - lo) : 0;
            return saturateRound(v * scale + -lo * scale, outFull);
        }
        case DisplayMode::Raw:
            break;
        }
        return -1;
    };

    const cv::Mat out =
        ks::mapForDisplay(makeResponse(values, sourceDepth), {mode, gain}, outputDepth);
    QCOMPARE(out.type(), CV_MAKETYPE(outputDepth, channels));
    cv::Mat got;
    out.convertTo(got, CV_64F);
    for (int y = 0; y < values.rows; ++y)
        for (int x = 0; x < width; ++x) {
            const double v = values.ptr<float>(y)[x];
            const double want = expected(v);
            if (got.ptr<double>(y)[x] != want)
                QFAIL(qPrintable(QStringLiteral("(%1, %2): value %3 mapped to %4, expected %5")
                                     .arg(y)
                                     .arg(x)
                                     .arg(v, 0, 'g', 17)
                                     .arg(got.ptr<double>(y)[x])
                                     .arg(want)));
        }
}

QTEST_APPLESS_MAIN(TestDisplay)

#include "tst_display.moc"
