// Tests for ks::correlate (core/correlate.h).
//
// Reference values come from a naive double-precision correlation written
// here, with its own border extension (checked against cv::borderInterpolate),
// never from the engine itself.
#include "core/correlate.h"
#include "naive_reference.h"

#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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

int openCvBorderOf(BorderMode mode)
{
    switch (mode) {
    case BorderMode::Reflect101:
        return cv::BORDER_REFLECT_101;
    case BorderMode::Reflect:
        return cv::BORDER_REFLECT;
    case BorderMode::Replicate:
        return cv::BORDER_REPLICATE;
    case BorderMode::Constant:
        return cv::BORDER_CONSTANT;
    case BorderMode::Wrap:
        return cv::BORDER_WRAP;
    }
    return -1;
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

cv::Mat randomImage(int rows, int cols, int depth, uint64 seed)
{
    cv::RNG rng(seed);
    cv::Mat image(rows, cols, CV_MAKETYPE(depth, 1));
    switch (depth) {
    case CV_8U:
        rng.fill(image, cv::RNG::UNIFORM, 0, 256);
        break;
    case CV_16U:
        rng.fill(image, cv::RNG::UNIFORM, 0, 65536);
        break;
    default:
        rng.fill(image, cv::RNG::UNIFORM, -1000.0, 1000.0);
        break;
    }
    return image;
}

enum class TestKernel {
    One,
    Random3x3,
    Ramp5x5,
    Random7x3,
    Random4x4,
    Random2x5,
    Random15x15,
    Gabor31
};

const char *kernelLabel(TestKernel kernel)
{
    switch (kernel) {
    case TestKernel::One:
        return "1x1";
    case TestKernel::Random3x3:
        return "3x3";
    case TestKernel::Ramp5x5:
        return "5x5";
    case TestKernel::Random7x3:
        return "7x3";
    case TestKernel::Random4x4:
        return "4x4";
    case TestKernel::Random2x5:
        return "2x5";
    case TestKernel::Random15x15:
        return "15x15";
    case TestKernel::Gabor31:
        return "gabor31";
    }
    return "?";
}

cv::Mat1d randomKernel(int rows, int cols, uint64 seed)
{
    cv::RNG rng(seed);
    cv::Mat1d kernel(rows, cols);
    rng.fill(kernel, cv::RNG::UNIFORM, -1.0, 1.0);
    return kernel;
}

/// Every kernel is asymmetric so that a flipped (convolution) kernel or a
/// wrong anchor shows up. Sizes are rows x cols.
cv::Mat1d makeTestKernel(TestKernel kernel)
{
    switch (kernel) {
    case TestKernel::One:
        return cv::Mat1d(1, 1, -1.25);
    case TestKernel::Random3x3:
        return randomKernel(3, 3, 33);
    case TestKernel::Ramp5x5: {
        cv::Mat1d k(5, 5);
        for (int i = 0; i < 5; ++i)
            for (int j = 0; j < 5; ++j)
                k(i, j) = 0.1 * (5 * i + j) - 1.2 + 0.01 * j * j;
        return k;
    }
    case TestKernel::Random7x3:
        return randomKernel(7, 3, 73);
    case TestKernel::Random4x4:
        return randomKernel(4, 4, 44);
    case TestKernel::Random2x5:
        return randomKernel(2, 5, 25);
    case TestKernel::Random15x15:
        return randomKernel(15, 15, 1515);
    case TestKernel::Gabor31:
        // Odd phase (psi = 90 degrees) and an oblique angle: not symmetric.
        return cv::getGaborKernel(cv::Size(31, 31), 4.0, CV_PI / 6, 10.0, 0.5, CV_PI / 2, CV_64F);
    }
    return {};
}

double absoluteTolerance(int depth)
{
    return depth == CV_16U ? 1e-3 * 257 : 1e-3;
}

struct Comparison {
    double maxError = 0;
    double maxReference = 0;
    cv::Point worst{-1, -1};
    double actualAtWorst = 0;
    double referenceAtWorst = 0;
};

Comparison compareWithReference(const cv::Mat &actual, const cv::Mat1d &reference)
{
    Comparison result;
    for (int y = 0; y < reference.rows; ++y) {
        for (int x = 0; x < reference.cols; ++x) {
            const double ref = reference(y, x);
            const double got = actual.at<float>(y, x);
            result.maxReference = std::max(result.maxReference, std::abs(ref));
            const double error = std::isfinite(got) ? std::abs(got - ref) : HUGE_VAL;
            if (error > result.maxError || result.worst.x < 0) {
                result.maxError = error;
                result.worst = {x, y};
                result.actualAtWorst = got;
                result.referenceAtWorst = ref;
            }
        }
    }
    return result;
}

/// Runs job(token) on its own thread, requests stop after delay and reports
/// how long after the request the job threw Cancelled. The thread owns copies
/// of everything it touches, so a job that never stops can be abandoned.
struct CancelOutcome {
    bool finished = false;  ///< the job ended (in any way) before the deadline
    bool cancelled = false; ///< it ended by throwing ks::Cancelled
    bool returned = false;  ///< it returned normally
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

} // namespace

Q_DECLARE_METATYPE(ks::BorderMode)
Q_DECLARE_METATYPE(TestKernel)

class TestCorrelate : public QObject {
    Q_OBJECT

private slots:
    void borderExtensionMatchesOpenCv_data();
    void borderExtensionMatchesOpenCv();
    void matchesNaiveReference_data();
    void matchesNaiveReference();
    void nonContinuousInputs_data();
    void nonContinuousInputs();
    void cancelledBeforeStart_data();
    void cancelledBeforeStart();
    void cancelStopsWithin50ms();
    void progressIsMonotonicOnCallingThread_data();
    void progressIsMonotonicOnCallingThread();
};

void TestCorrelate::borderExtensionMatchesOpenCv_data()
{
    QTest::addColumn<BorderMode>("border");
    for (const BorderMode border : ks::kAllBorderModes)
        QTest::addRow("%s", borderLabel(border)) << border;
}

// The reference's own border function must agree with OpenCV's, also far
// outside the image (repeated reflection) and for 1-pixel axes.
void TestCorrelate::borderExtensionMatchesOpenCv()
{
    QFETCH(BorderMode, border);
    for (int len = 1; len <= 12; ++len) {
        for (int p = -4 * len - 40; p <= 5 * len + 40; ++p) {
            const int expected = cv::borderInterpolate(p, len, openCvBorderOf(border));
            const int actual = extendIndex(p, len, border);
            QVERIFY2(actual == expected, qPrintable(QStringLiteral("len %1, p %2: %3 != %4")
                                                        .arg(len)
                                                        .arg(p)
                                                        .arg(actual)
                                                        .arg(expected)));
        }
    }
}

void TestCorrelate::matchesNaiveReference_data()
{
    QTest::addColumn<BorderMode>("border");
    QTest::addColumn<int>("depth");
    QTest::addColumn<TestKernel>("kernel");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");

    const TestKernel kernels[] = {TestKernel::One,         TestKernel::Random3x3,
                                  TestKernel::Ramp5x5,     TestKernel::Random7x3,
                                  TestKernel::Random4x4,   TestKernel::Random2x5,
                                  TestKernel::Random15x15, TestKernel::Gabor31};
    // (width, height)
    const cv::Size smallSizes[] = {{23, 17}, {1, 1}, {1, 9}, {9, 1}, {5, 4}};
    const int depths[] = {CV_8U, CV_16U, CV_32F};
    for (const BorderMode border : ks::kAllBorderModes) {
        for (const int depth : depths) {
            for (const TestKernel kernel : kernels) {
                for (const cv::Size size : smallSizes)
                    QTest::addRow("%s/%s/k%s/%dx%d", borderLabel(border), depthLabel(depth),
                                  kernelLabel(kernel), size.height, size.width)
                        << border << depth << kernel << size.height << size.width;
            }
            // The big image only for a few kernels, to keep the Debug runtime low.
            for (const TestKernel kernel :
                 {TestKernel::Random3x3, TestKernel::Random4x4, TestKernel::Random15x15})
                QTest::addRow("%s/%s/k%s/150x200", borderLabel(border), depthLabel(depth),
                              kernelLabel(kernel))
                    << border << depth << kernel << 150 << 200;
        }
    }
    // One big case with the 31x31 kernel.
    QTest::addRow("reflect101/32F/kgabor31/150x200")
        << BorderMode::Reflect101 << int{CV_32F} << TestKernel::Gabor31 << 150 << 200;
}

void TestCorrelate::matchesNaiveReference()
{
    QFETCH(BorderMode, border);
    QFETCH(int, depth);
    QFETCH(TestKernel, kernel);
    QFETCH(int, rows);
    QFETCH(int, cols);

    const uint64 seed = static_cast<uint64>(1000 * rows + cols + 7 * depth + 1);
    const cv::Mat src = randomImage(rows, cols, depth, seed);
    const cv::Mat srcCopy = src.clone();
    const cv::Mat1d taps = makeTestKernel(kernel);
    const cv::Mat1d reference = naiveCorrelation(src, taps, border);

    const cv::Mat actual = ks::correlate(src, taps, border);

    QCOMPARE(actual.type(), CV_32FC1);
    QCOMPARE(actual.rows, rows);
    QCOMPARE(actual.cols, cols);
    QCOMPARE(cv::norm(src, srcCopy, cv::NORM_INF), 0.0);

    const Comparison c = compareWithReference(actual, reference);
    // Float output: allow the absolute bound, or 1e-6 of the largest value
    // where values are so large that float rounding alone exceeds it.
    const double tolerance = std::max(absoluteTolerance(depth), 1e-6 * c.maxReference);
    QVERIFY2(c.maxError <= tolerance,
             qPrintable(QStringLiteral("max error %1 > %2 at (x %3, y %4): got %5, expected %6 "
                                       "(max |reference| %7)")
                            .arg(c.maxError, 0, 'g', 8)
                            .arg(tolerance, 0, 'g', 8)
                            .arg(c.worst.x)
                            .arg(c.worst.y)
                            .arg(c.actualAtWorst, 0, 'g', 10)
                            .arg(c.referenceAtWorst, 0, 'g', 10)
                            .arg(c.maxReference, 0, 'g', 8)));
}

void TestCorrelate::nonContinuousInputs_data()
{
    QTest::addColumn<int>("depth");
    QTest::addRow("8U") << int{CV_8U};
    QTest::addRow("16U") << int{CV_16U};
    QTest::addRow("32F") << int{CV_32F};
}

// A region of a larger image (row stride != cols) and a kernel that is itself
// a region of a larger matrix. Pixels whose footprint lies inside the region
// must match the reference computed on a compact copy (at the edges, a region
// may legitimately read its parent's pixels like cv::filter2D, so they are
// not compared).
void TestCorrelate::nonContinuousInputs()
{
    QFETCH(int, depth);
    const cv::Mat parent = randomImage(60, 80, depth, 21);
    const cv::Mat src = parent(cv::Rect(7, 5, 41, 33));
    const cv::Mat1d bigKernel = randomKernel(9, 9, 99);
    const cv::Mat1d taps = bigKernel(cv::Rect(2, 1, 5, 7)); // 7 rows x 5 cols
    QVERIFY(!src.isContinuous());
    QVERIFY(!taps.isContinuous());

    const cv::Mat actual = ks::correlate(src, taps, BorderMode::Reflect101);
    QCOMPARE(actual.type(), CV_32FC1);
    QCOMPARE(actual.size(), src.size());

    const cv::Mat1d reference = naiveCorrelation(src.clone(), taps.clone(), BorderMode::Reflect101);
    const cv::Rect inner(taps.cols / 2, taps.rows / 2, src.cols - taps.cols + 1,
                         src.rows - taps.rows + 1);
    const Comparison c = compareWithReference(actual(inner), reference(inner));
    const double tolerance = std::max(absoluteTolerance(depth), 1e-6 * c.maxReference);
    QVERIFY2(c.maxError <= tolerance,
             qPrintable(QStringLiteral("max error %1 > %2 at inner (x %3, y %4)")
                            .arg(c.maxError)
                            .arg(tolerance)
                            .arg(c.worst.x)
                            .arg(c.worst.y)));
}

void TestCorrelate::cancelledBeforeStart_data()
{
    QTest::addColumn<int>("depth");
    QTest::addRow("8U") << int{CV_8U};
    QTest::addRow("16U") << int{CV_16U};
    QTest::addRow("32F") << int{CV_32F};
}

void TestCorrelate::cancelledBeforeStart()
{
    QFETCH(int, depth);
    const cv::Mat src = randomImage(64, 48, depth, 5);
    std::stop_source source;
    source.request_stop();
    ks::RunControl control;
    control.stop = source.get_token();
    QVERIFY_THROWS_EXCEPTION(
        ks::Cancelled,
        ks::correlate(src, makeTestKernel(TestKernel::Random3x3), BorderMode::Reflect101, control));
}

// A 12-megapixel float image with a 31x31 kernel takes far longer than the
// 100 ms before the stop request; the call must notice it within 50 ms.
void TestCorrelate::cancelStopsWithin50ms()
{
    const cv::Mat src = randomImage(3000, 4000, CV_32F, 12);
    const cv::Mat1d taps = makeTestKernel(TestKernel::Gabor31);
    const CancelOutcome outcome = runAndCancel(
        [src, taps](std::stop_token token) {
            ks::RunControl control;
            control.stop = std::move(token);
            (void)ks::correlate(src, taps, BorderMode::Reflect101, control);
        },
        std::chrono::milliseconds(100));

    QVERIFY2(outcome.finished, "correlate was still running 60 s after the stop request");
    QVERIFY2(!outcome.returned, "correlate returned instead of throwing Cancelled");
    QVERIFY2(outcome.otherError.empty(),
             qPrintable(QStringLiteral("unexpected exception: %1")
                            .arg(QString::fromStdString(outcome.otherError))));
    QVERIFY(outcome.cancelled);
    qInfo("correlate threw Cancelled %.1f ms after the stop request", outcome.msAfterRequest);
    QVERIFY2(
        outcome.msAfterRequest <= 50.0,
        qPrintable(QStringLiteral("Cancelled thrown %1 ms after the stop request (limit 50 ms)")
                       .arg(outcome.msAfterRequest, 0, 'f', 1)));
}

void TestCorrelate::progressIsMonotonicOnCallingThread_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<TestKernel>("kernel");
    QTest::addColumn<bool>("onWorkerThread");
    QTest::addRow("1x1 main") << 1 << 1 << TestKernel::One << false;
    QTest::addRow("200x300 main") << 200 << 300 << TestKernel::Random15x15 << false;
    QTest::addRow("1x1 worker") << 1 << 1 << TestKernel::One << true;
    QTest::addRow("200x300 worker") << 200 << 300 << TestKernel::Random15x15 << true;
    QTest::addRow("600x800 worker") << 600 << 800 << TestKernel::Random7x3 << true;
}

void TestCorrelate::progressIsMonotonicOnCallingThread()
{
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(TestKernel, kernel);
    QFETCH(bool, onWorkerThread);

    const cv::Mat src = randomImage(rows, cols, CV_8U, 3);
    const cv::Mat1d taps = makeTestKernel(kernel);

    std::mutex mutex;
    std::vector<double> fractions;
    std::vector<std::thread::id> callers;
    std::thread::id callingThread;
    cv::Mat result;
    std::string error;

    const auto run = [&] {
        callingThread = std::this_thread::get_id();
        ks::RunControl control;
        control.progress = [&](double fraction) {
            const std::lock_guard lock(mutex);
            fractions.push_back(fraction);
            callers.push_back(std::this_thread::get_id());
        };
        try {
            result = ks::correlate(src, taps, BorderMode::Reflect, control);
        } catch (const std::exception &e) {
            error = e.what();
        }
    };
    if (onWorkerThread) {
        std::thread worker(run);
        worker.join();
    } else {
        run();
    }

    QVERIFY2(error.empty(), error.c_str());
    QCOMPARE(result.type(), CV_32FC1);
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
    QCOMPARE(fractions.back(), 1.0);
}

QTEST_APPLESS_MAIN(TestCorrelate)

#include "tst_correlate.moc"
