// Tests for ks::applyFilter (core/filter.h).
//
// Every channel of a response is compared with a naive double-precision
// correlation written here (own border extension), using kernels built from
// OpenCV's functions or closed forms; only the derivative kernel is taken from
// ks::makeKernel, which tst_kernels checks on its own.
#include "core/filter.h"
#include "core/kernels.h"
#include "naive_reference.h"

#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace {

using ks::BorderMode;
using Clock = std::chrono::steady_clock;

const char *borderLabel(BorderMode mode)
{
    switch (mode) {
    case BorderMode::Reflect101:
        return "reflect101";
    case BorderMode::Reflect:
        return "reflect";
    case BorderMode::Replicate:
        return "replicate";
    case BorderMode::Constant:
        return "constant";
    case BorderMode::Wrap:
        return "wrap";
    }
    return "?";
}

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

using ks::test::extendIndex;
using ks::test::naiveCorrelation;

/// Random image in the full range of its depth (float: -1..2, i.e. slightly
/// beyond the nominal 0..1); a float alpha stays in 0..1.
cv::Mat randomImage(int rows, int cols, int type, uint64 seed)
{
    cv::RNG rng(seed);
    cv::Mat image(rows, cols, type);
    switch (CV_MAT_DEPTH(type)) {
    case CV_8U:
        rng.fill(image, cv::RNG::UNIFORM, 0, 256);
        break;
    case CV_16U:
        rng.fill(image, cv::RNG::UNIFORM, 0, 65536);
        break;
    default:
        rng.fill(image, cv::RNG::UNIFORM, -1.0, 2.0);
        if (image.channels() == 4) {
            cv::Mat alpha(rows, cols, CV_32FC1);
            rng.fill(alpha, cv::RNG::UNIFORM, 0.0, 1.0);
            cv::insertChannel(alpha, image, 3);
        }
        break;
    }
    return image;
}

cv::Mat1d referenceKernel(const ks::FilterSpec &spec, int depth)
{
    if (std::holds_alternative<ks::IdentitySpec>(spec))
        return cv::Mat1d(1, 1, 1.0);
    if (const auto *gabor = std::get_if<ks::GaborSpec>(&spec))
        return cv::getGaborKernel(cv::Size(gabor->ksize, gabor->ksize), gabor->sigma,
                                  gabor->theta_deg * CV_PI / 180, gabor->lambda, gabor->gamma,
                                  gabor->psi_deg * CV_PI / 180, CV_64F);
    if (const auto *gaussian = std::get_if<ks::GaussianSpec>(&spec)) {
        // cv::GaussianBlur's automatic size for ksize 0.
        const int size = gaussian->ksize > 0
                             ? gaussian->ksize
                             : (cvRound(gaussian->sigma * (depth == CV_8U ? 3 : 4) * 2 + 1) | 1);
        const cv::Mat1d g = cv::getGaussianKernel(size, gaussian->sigma, CV_64F);
        return g * g.t();
    }
    if (const auto *box = std::get_if<ks::BoxSpec>(&spec)) {
        const double tap = box->normalized ? 1.0 / (box->ksize * box->ksize) : 1.0;
        return cv::Mat1d(box->ksize, box->ksize, tap);
    }
    if (const auto *custom = std::get_if<ks::CustomSpec>(&spec)) {
        cv::Mat1d k(custom->rows, custom->cols);
        double sum = 0;
        for (int i = 0; i < custom->rows; ++i) {
            for (int j = 0; j < custom->cols; ++j) {
                k(i, j) = custom->values[static_cast<size_t>(i * custom->cols + j)];
                sum += k(i, j);
            }
        }
        if (custom->normalize)
            k /= sum;
        return k;
    }
    // Derivative: tst_kernels checks makeKernel against closed forms.
    return ks::makeKernel(spec, depth);
}

double absoluteTolerance(int depth)
{
    return depth == CV_16U ? 1e-3 * 257 : 1e-3;
}

/// Compares one CV_32FC1 plane with a double reference; returns an empty
/// string on success, else a description of the worst pixel.
std::string compareWithReference(const cv::Mat &actual, const cv::Mat1d &reference, int depth)
{
    double maxError = -1;
    double maxReference = 0;
    cv::Point worst;
    for (int y = 0; y < reference.rows; ++y) {
        for (int x = 0; x < reference.cols; ++x) {
            const double ref = reference(y, x);
            const double got = actual.at<float>(y, x);
            maxReference = std::max(maxReference, std::abs(ref));
            const double error = std::isfinite(got) ? std::abs(got - ref) : HUGE_VAL;
            if (error > maxError) {
                maxError = error;
                worst = {x, y};
            }
        }
    }
    const double tolerance = std::max(absoluteTolerance(depth), 1e-6 * maxReference);
    if (maxError <= tolerance)
        return {};
    return QStringLiteral("max error %1 > %2 at (x %3, y %4): got %5, expected %6")
        .arg(maxError, 0, 'g', 8)
        .arg(tolerance, 0, 'g', 8)
        .arg(worst.x)
        .arg(worst.y)
        .arg(static_cast<double>(actual.at<float>(worst)), 0, 'g', 10)
        .arg(reference(worst), 0, 'g', 10)
        .toStdString();
}

struct NamedSpec {
    const char *name;
    ks::FilterSpec spec;
};

std::vector<NamedSpec> specsUnderTest()
{
    return {
        {"identity", ks::IdentitySpec{}},
        {"gabor11", ks::GaborSpec{.ksize = 11,
                                  .sigma = 3.0,
                                  .theta_deg = 30.0,
                                  .lambda = 6.0,
                                  .gamma = 0.5,
                                  .psi_deg = 90.0}},
        // Default Gabor: 31x31, larger than the 21x13 test image.
        {"gabor_default", ks::GaborSpec{}},
        {"gaussian5", ks::GaussianSpec{.ksize = 5, .sigma = 1.2}},
        {"gaussian_auto", ks::GaussianSpec{.ksize = 0, .sigma = 1.0}},
        {"box5_normalized", ks::BoxSpec{.ksize = 5, .normalized = true}},
        {"box3_sum", ks::BoxSpec{.ksize = 3, .normalized = false}},
        {"derivative1",
         ks::DerivativeSpec{.order = 1, .angle_deg = 30.0, .sigma = 1.5, .ksize = 9}},
        {"derivative2",
         ks::DerivativeSpec{.order = 2, .angle_deg = 120.0, .sigma = 2.0, .ksize = 11}},
        {"custom_default", ks::CustomSpec{}},
        {"custom_2x5", ks::CustomSpec{.rows = 2,
                                      .cols = 5,
                                      .values = {0.5, -1, 2, 0.25, -0.75, 1, 0, -2, 3, 0.125},
                                      .normalize = false}},
        {"custom_3x1_normalized",
         ks::CustomSpec{.rows = 3, .cols = 1, .values = {1, 2, 5}, .normalize = true}},
    };
}

/// Runs job(token) on its own thread, requests stop after delay and reports
/// how long after the request the job threw Cancelled. The thread owns copies
/// of everything it touches, so a job that never stops can be abandoned.
struct CancelOutcome {
    bool finished = false;
    bool cancelled = false;
    bool returned = false;
    std::string otherError;
    double msAfterRequest = 0;
};

template <typename Job>
CancelOutcome runAndCancel(Job job, std::chrono::milliseconds delay,
                           std::chrono::seconds deadline = std::chrono::seconds(60))
{
    struct Shared {
        std::mutex mutex;
        std::condition_variable done;
        bool finished = false;
        bool cancelled = false;
        bool returned = false;
        std::string otherError;
        Clock::time_point end;
    };
    auto shared = std::make_shared<Shared>();
    std::stop_source source;
    std::thread worker([shared, job, token = source.get_token()]() {
        bool cancelled = false;
        bool returned = false;
        std::string error;
        try {
            job(token);
            returned = true;
        } catch (const ks::Cancelled &) {
            cancelled = true;
        } catch (const std::exception &e) {
            error = e.what();
        } catch (...) {
            error = "unknown exception";
        }
        const auto end = Clock::now();
        const std::lock_guard lock(shared->mutex);
        shared->finished = true;
        shared->cancelled = cancelled;
        shared->returned = returned;
        shared->otherError = error;
        shared->end = end;
        shared->done.notify_all();
    });
    std::this_thread::sleep_for(delay);
    const auto requested = Clock::now();
    source.request_stop();

    CancelOutcome outcome;
    std::unique_lock lock(shared->mutex);
    if (!shared->done.wait_for(lock, deadline, [&] { return shared->finished; })) {
        lock.unlock();
        worker.detach();
        return outcome;
    }
    outcome.finished = true;
    outcome.cancelled = shared->cancelled;
    outcome.returned = shared->returned;
    outcome.otherError = shared->otherError;
    outcome.msAfterRequest =
        std::chrono::duration<double, std::milli>(shared->end - requested).count();
    lock.unlock();
    worker.join();
    return outcome;
}

bool isOneLine(const std::string &text)
{
    return !text.empty() && text.find('\n') == std::string::npos;
}

} // namespace

Q_DECLARE_METATYPE(ks::BorderMode)
Q_DECLARE_METATYPE(ks::FilterSpec)

class TestFilter : public QObject {
    Q_OBJECT

private slots:
    void fullScaleValues();
    void matchesReferencePerChannel_data();
    void matchesReferencePerChannel();
    void grayModeMatchesLumaReference_data();
    void grayModeMatchesLumaReference();
    void grayModeLeavesGreyInputUnchanged_data();
    void grayModeLeavesGreyInputUnchanged();
    void regionOfLargerImage();
    void derivativeDirection_data();
    void derivativeDirection();
    void rejectsUnsupportedImages_data();
    void rejectsUnsupportedImages();
    void rejectsInvalidSpecs_data();
    void rejectsInvalidSpecs();
    void cancelledBeforeStart();
    void cancelStopsWithin50ms();
    void progressIsMonotonicAcrossChannels();
};

void TestFilter::fullScaleValues()
{
    QCOMPARE(ks::fullScale(CV_8U), 255.0);
    QCOMPARE(ks::fullScale(CV_16U), 65535.0);
    QCOMPARE(ks::fullScale(CV_32F), 1.0);
}

void TestFilter::matchesReferencePerChannel_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<BorderMode>("border");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("depth");
    for (const NamedSpec &named : specsUnderTest())
        for (const BorderMode border : ks::kAllBorderModes)
            for (const int channels : {1, 3, 4})
                for (const int depth : {CV_8U, CV_16U, CV_32F})
                    QTest::addRow("%s/%s/c%d/%s", named.name, borderLabel(border), channels,
                                  depthLabel(depth))
                        << named.spec << border << channels << depth;
}

void TestFilter::matchesReferencePerChannel()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(BorderMode, border);
    QFETCH(int, channels);
    QFETCH(int, depth);

    const cv::Mat image = randomImage(13, 21, CV_MAKETYPE(depth, channels),
                                      static_cast<uint64>(31 * channels + depth));
    const cv::Mat imageCopy = image.clone();
    const cv::Mat1d kernel = referenceKernel(spec, depth);

    ks::FilterOptions options;
    options.border = border;
    const ks::Response response = ks::applyFilter(image, spec, options);

    const int valueChannels = channels == 1 ? 1 : 3;
    QCOMPARE(response.values.type(), CV_MAKETYPE(CV_32F, valueChannels));
    QCOMPARE(response.values.rows, image.rows);
    QCOMPARE(response.values.cols, image.cols);
    QCOMPARE(response.sourceDepth, depth);
    QCOMPARE(cv::norm(image, imageCopy, cv::NORM_INF), 0.0);

    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    std::vector<cv::Mat> values;
    cv::split(response.values, values);
    for (int c = 0; c < valueChannels; ++c) {
        const cv::Mat1d reference =
            naiveCorrelation(planes[static_cast<size_t>(c)], kernel, border);
        const std::string problem =
            compareWithReference(values[static_cast<size_t>(c)], reference, depth);
        QVERIFY2(problem.empty(),
                 qPrintable(
                     QStringLiteral("channel %1: %2").arg(c).arg(QString::fromStdString(problem))));
    }

    if (channels == 4) {
        QCOMPARE(response.alpha.type(), CV_MAKETYPE(depth, 1));
        QCOMPARE(response.alpha.rows, image.rows);
        QCOMPARE(response.alpha.cols, image.cols);
        QCOMPARE(cv::norm(response.alpha, planes[3], cv::NORM_L2), 0.0);
    } else {
        QVERIFY(response.alpha.empty());
    }
}

void TestFilter::grayModeMatchesLumaReference_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<BorderMode>("border");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("depth");
    for (const NamedSpec &named : specsUnderTest()) {
        const std::string name = named.name;
        if (name != "identity" && name != "gabor11" && name != "gaussian5" && name != "custom_2x5")
            continue;
        for (const BorderMode border : ks::kAllBorderModes)
            for (const int channels : {3, 4})
                for (const int depth : {CV_8U, CV_16U, CV_32F})
                    QTest::addRow("%s/%s/c%d/%s", named.name, borderLabel(border), channels,
                                  depthLabel(depth))
                        << named.spec << border << channels << depth;
    }
}

void TestFilter::grayModeMatchesLumaReference()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(BorderMode, border);
    QFETCH(int, channels);
    QFETCH(int, depth);

    const cv::Mat image = randomImage(13, 21, CV_MAKETYPE(depth, channels),
                                      static_cast<uint64>(77 * channels + depth));
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    std::vector<cv::Mat1d> bgr(3);
    for (size_t c = 0; c < 3; ++c)
        planes[c].convertTo(bgr[c], CV_64F);
    const cv::Mat1d gray = 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2];
    const cv::Mat1d reference = naiveCorrelation(gray, referenceKernel(spec, depth), border);

    ks::FilterOptions options;
    options.border = border;
    options.color = ks::ColorMode::Gray;
    const ks::Response response = ks::applyFilter(image, spec, options);

    QCOMPARE(response.values.type(), CV_32FC1);
    QCOMPARE(response.values.rows, image.rows);
    QCOMPARE(response.values.cols, image.cols);
    QCOMPARE(response.sourceDepth, depth);
    const std::string problem = compareWithReference(response.values, reference, depth);
    QVERIFY2(problem.empty(), problem.c_str());

    if (channels == 4) {
        QCOMPARE(response.alpha.type(), CV_MAKETYPE(depth, 1));
        QCOMPARE(cv::norm(response.alpha, planes[3], cv::NORM_L2), 0.0);
    } else {
        QVERIFY(response.alpha.empty());
    }
}

void TestFilter::grayModeLeavesGreyInputUnchanged_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<int>("depth");
    for (const NamedSpec &named : specsUnderTest())
        for (const int depth : {CV_8U, CV_16U, CV_32F})
            QTest::addRow("%s/%s", named.name, depthLabel(depth)) << named.spec << depth;
}

void TestFilter::grayModeLeavesGreyInputUnchanged()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(int, depth);

    const cv::Mat image = randomImage(13, 21, CV_MAKETYPE(depth, 1), 99);
    ks::FilterOptions perChannel;
    perChannel.color = ks::ColorMode::PerChannel;
    ks::FilterOptions gray;
    gray.color = ks::ColorMode::Gray;
    const ks::Response a = ks::applyFilter(image, spec, perChannel);
    const ks::Response b = ks::applyFilter(image, spec, gray);

    QCOMPARE(b.values.type(), CV_32FC1);
    QCOMPARE(a.values.type(), CV_32FC1);
    QCOMPARE(cv::norm(a.values, b.values, cv::NORM_INF), 0.0);
    QCOMPARE(b.sourceDepth, depth);
    QVERIFY(b.alpha.empty());

    // And both match the reference.
    const cv::Mat1d reference =
        naiveCorrelation(image, referenceKernel(spec, depth), BorderMode::Reflect101);
    const std::string problem = compareWithReference(b.values, reference, depth);
    QVERIFY2(problem.empty(), problem.c_str());
}

// A region of a larger BGRA image (row stride != cols): pixels whose
// footprint lies inside the region match the reference on a compact copy;
// the alpha is the region's alpha.
void TestFilter::regionOfLargerImage()
{
    const cv::Mat parent = randomImage(50, 70, CV_8UC4, 5);
    const cv::Mat image = parent(cv::Rect(9, 6, 33, 25));
    QVERIFY(!image.isContinuous());
    const ks::FilterSpec spec = ks::CustomSpec{
        .rows = 2, .cols = 5, .values = {0.5, -1, 2, 0.25, -0.75, 1, 0, -2, 3, 0.125}};
    const ks::Response response = ks::applyFilter(image, spec);
    QCOMPARE(response.values.type(), CV_32FC3);
    QCOMPARE(response.values.size(), image.size());

    std::vector<cv::Mat> planes;
    cv::split(image.clone(), planes);
    std::vector<cv::Mat> values;
    cv::split(response.values, values);
    const cv::Mat1d kernel = referenceKernel(spec, CV_8U);
    const cv::Rect inner(kernel.cols / 2, kernel.rows / 2, image.cols - kernel.cols + 1,
                         image.rows - kernel.rows + 1);
    for (size_t c = 0; c < 3; ++c) {
        const cv::Mat1d reference = naiveCorrelation(planes[c], kernel, BorderMode::Reflect101);
        const std::string problem =
            compareWithReference(values[c](inner).clone(), reference(inner), CV_8U);
        QVERIFY2(problem.empty(), problem.c_str());
    }
    QCOMPARE(response.alpha.type(), CV_8UC1);
    QCOMPARE(cv::norm(response.alpha, planes[3], cv::NORM_INF), 0.0);
}

void TestFilter::derivativeDirection_data()
{
    QTest::addColumn<int>("order");
    QTest::addColumn<double>("angle");
    QTest::addColumn<bool>("alongX"); // the image varies along x (else along y)
    QTest::addColumn<double>("expected");
    QTest::addColumn<double>("tolerance");

    // Order 1 on a ramp of slope 1 per pixel: the derivative along u is the
    // component of the gradient along u; positive where it gets brighter.
    QTest::addRow("d1 0 deg, x ramp") << 1 << 0.0 << true << 1.0 << 0.03;
    QTest::addRow("d1 180 deg, x ramp") << 1 << 180.0 << true << -1.0 << 0.03;
    QTest::addRow("d1 90 deg, y ramp (down)") << 1 << 90.0 << false << 1.0 << 0.03;
    QTest::addRow("d1 270 deg, y ramp") << 1 << 270.0 << false << -1.0 << 0.03;
    QTest::addRow("d1 45 deg, x ramp") << 1 << 45.0 << true << std::sqrt(0.5) << 0.03;
    QTest::addRow("d1 90 deg, x ramp") << 1 << 90.0 << true << 0.0 << 1e-3;
    QTest::addRow("d1 0 deg, y ramp") << 1 << 0.0 << false << 0.0 << 1e-3;
    // Order 2 on a parabola with second derivative 1.
    QTest::addRow("d2 0 deg, x parabola") << 2 << 0.0 << true << 1.0 << 0.1;
    QTest::addRow("d2 90 deg, y parabola") << 2 << 90.0 << false << 1.0 << 0.1;
    QTest::addRow("d2 45 deg, x parabola") << 2 << 45.0 << true << 0.5 << 0.05;
    QTest::addRow("d2 90 deg, x parabola") << 2 << 90.0 << true << 0.0 << 1e-2;
}

// The sign and scale promised by DerivativeSpec, through applyFilter.
void TestFilter::derivativeDirection()
{
    QFETCH(int, order);
    QFETCH(double, angle);
    QFETCH(bool, alongX);
    QFETCH(double, expected);
    QFETCH(double, tolerance);

    const int n = 64;
    const int centre = n / 2;
    cv::Mat1f image(n, n);
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            const double t = (alongX ? x : y) - centre;
            image(y, x) = static_cast<float>(order == 1 ? t : 0.5 * t * t);
        }
    }
    const ks::DerivativeSpec spec{.order = order, .angle_deg = angle, .sigma = 2.0, .ksize = 21};
    ks::FilterOptions options;
    options.border = BorderMode::Replicate;
    const ks::Response response = ks::applyFilter(image, spec, options);
    QCOMPARE(response.values.type(), CV_32FC1);
    const double value = response.values.at<float>(centre, centre);
    QVERIFY2(std::abs(value - expected) <= tolerance,
             qPrintable(QStringLiteral("response %1, expected %2 +- %3")
                            .arg(value, 0, 'g', 8)
                            .arg(expected)
                            .arg(tolerance)));
}

void TestFilter::rejectsUnsupportedImages_data()
{
    QTest::addColumn<int>("type"); // -1: an empty image
    QTest::addRow("empty") << -1;
    QTest::addRow("8UC2") << int{CV_8UC2};
    QTest::addRow("16UC2") << int{CV_16UC2};
    QTest::addRow("8UC5") << int{CV_8UC(5)};
    QTest::addRow("64FC1") << int{CV_64FC1};
    QTest::addRow("64FC3") << int{CV_64FC3};
    QTest::addRow("8SC1") << int{CV_8SC1};
    QTest::addRow("8SC3") << int{CV_8SC3};
    QTest::addRow("16SC1") << int{CV_16SC1};
    QTest::addRow("32SC1") << int{CV_32SC1};
}

void TestFilter::rejectsUnsupportedImages()
{
    QFETCH(int, type);
    cv::Mat image;
    if (type >= 0) {
        // Not via cv::Scalar: it holds at most 4 channels.
        image = cv::Mat(8, 8, type);
        std::memset(image.data, 1, image.total() * image.elemSize());
    }

    std::string message;
    bool rightType = false;
    try {
        (void)ks::applyFilter(image, ks::GaussianSpec{.ksize = 3, .sigma = 1.0});
        message = "no exception";
    } catch (const std::invalid_argument &e) {
        rightType = true;
        message = e.what();
    } catch (const std::exception &e) {
        message = std::string("wrong exception type: ") + e.what();
    } catch (...) {
        message = "unknown exception";
    }
    QVERIFY2(rightType, message.c_str());
    QVERIFY2(isOneLine(message), qPrintable(QStringLiteral("what() is not one non-empty line: '%1'")
                                                .arg(QString::fromStdString(message))));
}

void TestFilter::rejectsInvalidSpecs_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<QString>("key"); // expected ParameterError::key(), empty: not checked
    QTest::addRow("gabor ksize 4")
        << ks::FilterSpec{ks::GaborSpec{.ksize = 4}} << QStringLiteral("ksize");
    QTest::addRow("gaussian ksize 4")
        << ks::FilterSpec{ks::GaussianSpec{.ksize = 4}} << QStringLiteral("ksize");
    QTest::addRow("box ksize 4") << ks::FilterSpec{ks::BoxSpec{.ksize = 4}}
                                 << QStringLiteral("ksize");
    QTest::addRow("derivative order 3")
        << ks::FilterSpec{ks::DerivativeSpec{.order = 3}} << QStringLiteral("order");
    QTest::addRow("custom size mismatch")
        << ks::FilterSpec{ks::CustomSpec{.rows = 2, .cols = 2, .values = {1, 2, 3}}} << "";
    QTest::addRow("custom zero-sum normalized")
        << ks::FilterSpec{ks::CustomSpec{
               .rows = 1, .cols = 3, .values = {1, 0, -1}, .normalize = true}}
        << QString();
}

void TestFilter::rejectsInvalidSpecs()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(QString, key);
    const cv::Mat image = randomImage(16, 16, CV_8UC3, 1);

    std::string message;
    std::string actualKey;
    bool rightType = false;
    try {
        (void)ks::applyFilter(image, spec);
        message = "no exception";
    } catch (const ks::ParameterError &e) {
        rightType = true;
        message = e.what();
        actualKey = e.key();
    } catch (const std::exception &e) {
        message = std::string("wrong exception type: ") + e.what();
    } catch (...) {
        message = "unknown exception";
    }
    QVERIFY2(rightType, message.c_str());
    QVERIFY2(isOneLine(message), qPrintable(QStringLiteral("what() is not one non-empty line: '%1'")
                                                .arg(QString::fromStdString(message))));
    if (!key.isEmpty())
        QCOMPARE(QString::fromStdString(actualKey), key);
}

void TestFilter::cancelledBeforeStart()
{
    const cv::Mat image = randomImage(64, 48, CV_8UC3, 5);
    std::stop_source source;
    source.request_stop();
    ks::RunControl control;
    control.stop = source.get_token();
    QVERIFY_THROWS_EXCEPTION(ks::Cancelled,
                             ks::applyFilter(image, ks::GaborSpec{}, ks::FilterOptions{}, control));
}

// A 12-megapixel colour Gabor (31x31) runs far longer than the 100 ms before
// the stop request; the call must notice the request within 50 ms.
void TestFilter::cancelStopsWithin50ms()
{
    const cv::Mat image = randomImage(3000, 4000, CV_8UC3, 12);
    const CancelOutcome outcome = runAndCancel(
        [image](std::stop_token token) {
            ks::RunControl control;
            control.stop = std::move(token);
            (void)ks::applyFilter(image, ks::GaborSpec{.ksize = 31}, ks::FilterOptions{}, control);
        },
        std::chrono::milliseconds(100));

    QVERIFY2(outcome.finished, "applyFilter was still running 60 s after the stop request");
    QVERIFY2(!outcome.returned, "applyFilter returned instead of throwing Cancelled");
    QVERIFY2(outcome.otherError.empty(),
             qPrintable(QStringLiteral("unexpected exception: %1")
                            .arg(QString::fromStdString(outcome.otherError))));
    QVERIFY(outcome.cancelled);
    qInfo("applyFilter threw Cancelled %.1f ms after the stop request", outcome.msAfterRequest);
    QVERIFY2(
        outcome.msAfterRequest <= 50.0,
        qPrintable(QStringLiteral("Cancelled thrown %1 ms after the stop request (limit 50 ms)")
                       .arg(outcome.msAfterRequest, 0, 'f', 1)));
}

// RunControl: fractions in [0, 1], non-decreasing over the whole call (not
// restarting for each channel), on the calling thread.
void TestFilter::progressIsMonotonicAcrossChannels()
{
    const cv::Mat image = randomImage(240, 320, CV_8UC4, 8);
    std::mutex mutex;
    std::vector<double> fractions;
    std::vector<std::thread::id> callers;
    std::thread::id callingThread;
    ks::Response response;
    std::string error;

    std::thread worker([&] {
        callingThread = std::this_thread::get_id();
        ks::RunControl control;
        control.progress = [&](double fraction) {
            const std::lock_guard lock(mutex);
            fractions.push_back(fraction);
            callers.push_back(std::this_thread::get_id());
        };
        try {
            response = ks::applyFilter(image, ks::GaussianSpec{.ksize = 9, .sigma = 2.0},
                                       ks::FilterOptions{}, control);
        } catch (const std::exception &e) {
            error = e.what();
        }
    });
    worker.join();

    QVERIFY2(error.empty(), error.c_str());
    QCOMPARE(response.values.type(), CV_32FC3);
    QVERIFY2(!fractions.empty(), "progress was never reported");
    for (size_t k = 0; k < fractions.size(); ++k) {
        QVERIFY2(fractions[k] >= 0.0 && fractions[k] <= 1.0,
                 qPrintable(QStringLiteral("progress %1 outside [0, 1]").arg(fractions[k])));
        if (k > 0)
            QVERIFY2(fractions[k] >= fractions[k - 1],
                     qPrintable(QStringLiteral("progress went back from %1 to %2")
                                    .arg(fractions[k - 1])
                                    .arg(fractions[k])));
        QVERIFY2(callers[k] == callingThread, "progress reported on another thread");
    }
}

QTEST_APPLESS_MAIN(TestFilter)

#include "tst_filter.moc"
