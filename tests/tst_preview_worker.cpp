// Tests for ui/preview_controller.h and ui/preview_worker.h: the live preview
// on its worker thread. Expected images come from the engine called directly
// on the test's thread (ks::runPipeline, ks::scaleDocument), never from the
// controller's code; timing is observed through the compute observer hook.

#include "core/document.h"
#include "core/preview_scale.h"
#include "test_fixtures.h"
#include "ui/preview_controller.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

Q_DECLARE_METATYPE(ks::Document)
Q_DECLARE_METATYPE(cv::Mat)

namespace {

using ks::test::identical;

using ks::Document;
using ks::PreviewController;
using ks::PreviewResult;
using Clock = std::chrono::steady_clock;

/// Long enough for any single computation of these tests in a debug or
/// sanitizer build.
constexpr int kTimeoutMs = 300000;

cv::Mat randomImage(cv::Size size, int type, std::uint64_t seed)
{
    return ks::test::randomImage(size, CV_MAT_DEPTH(type), CV_MAT_CN(type), seed);
}

Document withFilter(ks::FilterSpec filter, ks::DisplayMapping display = {})
{
    Document d;
    d.filter = std::move(filter);
    d.display = display;
    return d;
}

ks::Region region(cv::Rect rect, ks::RegionMethod method, double strength, int feather)
{
    ks::Region r;
    r.rect = rect;
    r.method = method;
    r.strength = strength;
    r.feather = feather;
    return r;
}

PreviewResult resultAt(const QSignalSpy &spy, qsizetype i)
{
    return spy.at(i).at(0).value<PreviewResult>();
}

/// The exact result over the full image, the last thing a generation delivers.
bool isFinal(const PreviewResult &r)
{
    return r.exact && !r.partial;
}

bool lastIsFinal(const QSignalSpy &spy)
{
    return !spy.isEmpty() && isFinal(resultAt(spy, spy.size() - 1));
}

/// Records, on the computing thread, when and where each pipeline run starts.
class ComputeLog {
public:
    std::function<void()> observer()
    {
        return [this] {
            const std::lock_guard lock(mutex_);
            threads_.push_back(QThread::currentThread());
            starts_.push_back(Clock::now());
        };
    }
    int runs() const
    {
        const std::lock_guard lock(mutex_);
        return static_cast<int>(starts_.size());
    }
    std::vector<QThread *> threads() const
    {
        const std::lock_guard lock(mutex_);
        return threads_;
    }
    Clock::time_point start(int i) const
    {
        const std::lock_guard lock(mutex_);
        return starts_.at(static_cast<std::size_t>(i));
    }

private:
    mutable std::mutex mutex_;
    std::vector<QThread *> threads_;
    std::vector<Clock::time_point> starts_;
};

double millisecondsBetween(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::milli>(b - a).count();
}

/// A big image and a slow filter: Gabor 61 on 4000 x 3000 takes seconds.
const cv::Mat &bigImage()
{
    static const cv::Mat image = randomImage({4000, 3000}, CV_8UC3, 4);
    return image;
}

/// Seconds of work on 12 MP whatever path the engine takes: a bank of 32
/// large Gabor kernels (one such kernel alone now takes a fifth of a second).
Document slowDocument()
{
    Document document = withFilter(ks::GaborSpec{61, 10.0, 30, 20, 0.5, 0});
    document.bank = ks::BankSpec{16, 2, 1.1, ks::BankCombine::Max};
    return document;
}

} // namespace

class TestPreviewWorker : public QObject {
    Q_OBJECT

private slots:
    void exactEqualsPipeline_data();
    void exactEqualsPipeline();
    void quickBeforeExact_data();
    void quickBeforeExact();
    void draftBeforeQuick_data();
    void draftBeforeQuick();
    void latestWins();
    void cancelsTheRunningComputation();
    void destroyMidComputation_data();
    void destroyMidComputation();
    void failureIsReported_data();
    void failureIsReported();
    void computesOffTheGuiThread();
    void partialWhenZoomedIn_data();
    void partialWhenZoomedIn();
    void noPartialWhen_data();
    void noPartialWhen();
    void viewportStartsGenerationsOnlyWhenNeeded();
    void emptySourceStops();
};

// ---------------------------------------------------------------- exact stage

void TestPreviewWorker::exactEqualsPipeline_data()
{
    QTest::addColumn<cv::Mat>("source");
    QTest::addColumn<Document>("document");
    const cv::Mat bgr = randomImage({320, 240}, CV_8UC3, 1);
    QTest::newRow("gaussian") << bgr << withFilter(ks::GaussianSpec{0, 2.0});
    QTest::newRow("gabor offset auto")
        << bgr << withFilter(ks::GaborSpec{}, {ks::DisplayMode::Offset, 0});
    QTest::newRow("derivative normalize")
        << bgr << withFilter(ks::DerivativeSpec{}, {ks::DisplayMode::Normalize, 0});
    Document regions = withFilter(ks::BoxSpec{5, true});
    regions.regions = {region({40, 30, 80, 60}, ks::RegionMethod::Pixelate, 9, 4)};
    QTest::newRow("box with region") << bgr << regions;
    QTest::newRow("16-bit gray abs")
        << randomImage({300, 200}, CV_16UC1, 2)
        << withFilter(ks::DerivativeSpec{2, 0, 2.0, 15}, {ks::DisplayMode::Abs, 2.0});
    QTest::newRow("bgra raw") << randomImage({200, 150}, CV_8UC4, 3)
                              << withFilter(ks::GaussianSpec{5, 1.0}, {ks::DisplayMode::Raw, 0});
}

void TestPreviewWorker::exactEqualsPipeline()
{
    QFETCH(cv::Mat, source);
    QFETCH(Document, document);
    PreviewController controller;
    QSignalSpy results(&controller, &PreviewController::resultReady);
    QSignalSpy busy(&controller, &PreviewController::busyChanged);
    controller.setSource(source);
    controller.setDocument(document);
    QVERIFY(controller.isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);

    // Without a viewport there is neither a quick nor a partial stage.
    QCOMPARE(results.size(), 1);
    const PreviewResult r = resultAt(results, 0);
    QCOMPARE(r.generation, controller.generation());
    QCOMPARE(r.generation, quint64{2});
    QVERIFY(r.exact);
    QVERIFY(!r.partial);
    QCOMPARE(r.region, QRect(0, 0, source.cols, source.rows));
    QCOMPARE(r.scale, 1.0);
    QVERIFY(r.elapsedMs > 0);

    const ks::PipelineOutput expected = ks::runPipeline(source, document, CV_8U);
    QVERIFY(identical(r.output, expected.output));
    QVERIFY(identical(r.response, expected.response.values));

    QVERIFY(!controller.isBusy());
    QCOMPARE(busy.size(), 2);
    QCOMPARE(busy.at(0).at(0).toBool(), true);
    QCOMPARE(busy.at(1).at(0).toBool(), false);
}

// ---------------------------------------------------------------- quick stage

void TestPreviewWorker::quickBeforeExact_data()
{
    QTest::addColumn<QSize>("imageSize");
    QTest::addColumn<QSize>("view");
    QTest::addColumn<Document>("document");
    QTest::addColumn<double>("scale"); // 1: no quick stage
    QTest::addColumn<QSize>("quickSize");
    QTest::addColumn<QString>("note");
    QTest::newRow("half") << QSize(1200, 900) << QSize(600, 450)
                          << withFilter(ks::GaborSpec{}, {ks::DisplayMode::Offset, 0}) << 0.5
                          << QSize(600, 450) << "";
    // Width limits: 640 / 1000; 300 * 0.64 = 192.
    QTest::newRow("wide") << QSize(1000, 300) << QSize(640, 480)
                          << withFilter(ks::GaussianSpec{0, 3.0}) << 0.64 << QSize(640, 192) << "";
    // Height limits: 50 / 700; 600 / 14 = 42.9 -> 43. The derivative's 15
    // taps would become 1: kept at 3.
    QTest::newRow("tall") << QSize(600, 700) << QSize(800, 50)
                          << withFilter(ks::DerivativeSpec{}, {ks::DisplayMode::Abs, 3.0})
                          << 1.0 / 14 << QSize(43, 50) << "kernel too small";
    QTest::newRow("custom 3x3 note")
        << QSize(800, 600) << QSize(400, 300) << withFilter(ks::CustomSpec{}) << 0.5
        << QSize(400, 300) << "kernel too small";
    ks::CustomSpec wide;
    wide.rows = 3;
    wide.cols = 9;
    wide.values.assign(27, 1.0 / 27);
    QTest::newRow("custom resampled")
        << QSize(800, 600) << QSize(400, 300) << withFilter(wide) << 0.5 << QSize(400, 300)
        << "custom kernel resampled to 3 x 5";
    QTest::newRow("fits the view") << QSize(500, 400) << QSize(1000, 1000)
                                   << withFilter(ks::GaborSpec{}) << 1.0 << QSize() << "";
}

void TestPreviewWorker::quickBeforeExact()
{
    QFETCH(QSize, imageSize);
    QFETCH(QSize, view);
    QFETCH(Document, document);
    QFETCH(double, scale);
    QFETCH(QSize, quickSize);
    QFETCH(QString, note);
    const cv::Mat source = randomImage({imageSize.width(), imageSize.height()}, CV_8UC3, 7);
    PreviewController controller;
    QSignalSpy results(&controller, &PreviewController::resultReady);
    controller.setViewport(view, QRectF(0, 0, imageSize.width(), imageSize.height()));
    controller.setDocument(document);
    controller.setSource(source);
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);

    const PreviewResult exact = resultAt(results, results.size() - 1);
    QVERIFY(identical(exact.output, ks::runPipeline(source, document, CV_8U).output));
    if (scale == 1.0) {
        QCOMPARE(results.size(), 1);
        return;
    }
    QCOMPARE(results.size(), 2);
    const PreviewResult quick = resultAt(results, 0);
    QVERIFY(!quick.exact);
    QVERIFY(!quick.partial);
    QCOMPARE(quick.generation, exact.generation);
    QCOMPARE(quick.region, QRect(QPoint(0, 0), imageSize));
    QVERIFY(qFuzzyCompare(quick.scale, scale));
    QCOMPARE(quick.output.cols, quickSize.width());
    QCOMPARE(quick.output.rows, quickSize.height());
    QCOMPARE(quick.response.size(), quick.output.size());
    QVERIFY(quick.elapsedMs <= exact.elapsedMs);
    QVERIFY2(quick.note.contains(note), qPrintable(quick.note));
    QCOMPARE(quick.note.isEmpty(), note.isEmpty());
    QVERIFY(exact.note.isEmpty());

    // The engine on the resized source with the scaled document.
    cv::Mat small;
    cv::resize(source, small, cv::Size(quickSize.width(), quickSize.height()), 0, 0,
               cv::INTER_AREA);
    const ks::ScaledDocument scaled = ks::scaleDocument(document, scale);
    QVERIFY(identical(
        quick.output,
        ks::runPipeline(small, scaled.document, CV_8U, {}, ks::kPreviewTolerance).output));
}

void TestPreviewWorker::draftBeforeQuick_data()
{
    QTest::addColumn<QSize>("imageSize");
    QTest::addColumn<QSize>("view");
    QTest::addColumn<double>("scale");
    QTest::addColumn<QSize>("draftSize"); // empty: no draft
    // 1000 x 750 = 750000 quick pixels: a draft at 0.3125 comes first.
    QTest::newRow("draft") << QSize(1600, 1200) << QSize(1000, 750) << 0.625 << QSize(500, 375);
    // 700 x 525 = 367500 < 400000: cheap enough without a draft.
    QTest::newRow("no draft") << QSize(1200, 900) << QSize(700, 525) << 700.0 / 1200 << QSize();
}

void TestPreviewWorker::draftBeforeQuick()
{
    QFETCH(QSize, imageSize);
    QFETCH(QSize, view);
    QFETCH(double, scale);
    QFETCH(QSize, draftSize);
    const cv::Mat source = randomImage({imageSize.width(), imageSize.height()}, CV_8UC3, 5);
    const Document document = withFilter(ks::GaborSpec{}, {ks::DisplayMode::Offset, 0});
    PreviewController controller;
    QSignalSpy results(&controller, &PreviewController::resultReady);
    controller.setViewport(view, QRectF(0, 0, imageSize.width(), imageSize.height()));
    controller.setDocument(document);
    controller.setSource(source);
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);

    const int stages = draftSize.isEmpty() ? 2 : 3;
    QCOMPARE(results.size(), stages);
    const PreviewResult quick = resultAt(results, stages - 2);
    QVERIFY(!quick.exact);
    QVERIFY(!quick.draft);
    QVERIFY(qFuzzyCompare(quick.scale, scale));
    QVERIFY(resultAt(results, stages - 1).exact);
    if (draftSize.isEmpty())
        return;
    const PreviewResult draft = resultAt(results, 0);
    QVERIFY(!draft.exact);
    QVERIFY(draft.draft);
    QCOMPARE(draft.generation, quick.generation);
    QCOMPARE(draft.region, QRect(QPoint(0, 0), imageSize));
    QVERIFY(qFuzzyCompare(draft.scale, scale / 2));
    QCOMPARE(draft.output.cols, draftSize.width());
    QCOMPARE(draft.output.rows, draftSize.height());
    QVERIFY(draft.elapsedMs <= quick.elapsedMs);
    // The engine on the source resized to the draft's size, document scaled alike.
    cv::Mat small;
    cv::resize(source, small, cv::Size(draftSize.width(), draftSize.height()), 0, 0,
               cv::INTER_AREA);
    const ks::ScaledDocument scaled = ks::scaleDocument(document, scale / 2);
    QVERIFY(identical(
        draft.output,
        ks::runPipeline(small, scaled.document, CV_8U, {}, ks::kPreviewTolerance).output));
}

// ---------------------------------------------------------------- latest wins

void TestPreviewWorker::latestWins()
{
    const cv::Mat source = randomImage({1200, 900}, CV_8UC3, 11);
    PreviewController controller;
    ComputeLog log;
    controller.setComputeObserver(log.observer());
    std::vector<PreviewResult> delivered;
    std::vector<quint64> newestAtDelivery;
    connect(&controller, &PreviewController::resultReady, this, [&](const PreviewResult &r) {
        delivered.push_back(r);
        newestAtDelivery.push_back(controller.generation());
    });
    controller.setViewport(QSize(600, 450), QRectF(0, 0, 1200, 900));
    controller.setSource(source);
    Document last;
    for (int i = 0; i < 50; ++i) {
        last = withFilter(ks::GaborSpec{31, 1.0 + 0.1 * i, 0, 10, 0.5, 0},
                          {ks::DisplayMode::Offset, 0});
        controller.setDocument(last);
        if (i % 10 == 0) // let the worker start (and be cancelled) now and then
            QTest::qWait(5);
    }
    QCOMPARE(controller.generation(), quint64{51});
    QTRY_VERIFY_WITH_TIMEOUT(!delivered.empty() && isFinal(delivered.back()), kTimeoutMs);
    QTest::qWait(100); // nothing else may arrive

    for (std::size_t i = 0; i < delivered.size(); ++i) {
        QCOMPARE(delivered[i].generation, newestAtDelivery[i]); // never a stale one
        if (i > 0)
            QVERIFY(delivered[i].generation >= delivered[i - 1].generation);
    }
    QVERIFY(isFinal(delivered.back()));
    QCOMPARE(delivered.back().generation, controller.generation());
    QVERIFY(identical(delivered.back().output, ks::runPipeline(source, last, CV_8U).output));
    // Requests replace each other instead of queueing up: far fewer runs
    // than the 100 (quick + exact) the 50 requests would need one by one.
    QVERIFY2(log.runs() < 20, qPrintable(QString::number(log.runs())));
    QVERIFY(!controller.isBusy());
}

void TestPreviewWorker::cancelsTheRunningComputation()
{
    PreviewController controller;
    ComputeLog log;
    controller.setComputeObserver(log.observer());
    QSignalSpy results(&controller, &PreviewController::resultReady);
    controller.setDocument(slowDocument()); // no source yet: nothing runs
    QCOMPARE(log.runs(), 0);
    QVERIFY(!controller.isBusy());
    controller.setSource(bigImage());
    const quint64 slow = controller.generation();
    QTRY_COMPARE_WITH_TIMEOUT(log.runs(), 1, kTimeoutMs);
    QTest::qWait(200); // well inside the filter
    QCOMPARE(controller.cancelledComputations(), 0);

    const Clock::time_point requested = Clock::now();
    controller.setDocument(withFilter(ks::GaussianSpec{3, 0.8}));
    QTRY_COMPARE_WITH_TIMEOUT(controller.cancelledComputations(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(log.runs(), 2, kTimeoutMs);
    // The slow run stopped within a few strips: the next one started at once.
    const double latency = millisecondsBetween(requested, log.start(1));
    QVERIFY2(latency < 1000, qPrintable(QString::number(latency)));
    for (qsizetype i = 0; i < results.size(); ++i)
        QVERIFY(resultAt(results, i).generation != slow);
}

void TestPreviewWorker::destroyMidComputation_data()
{
    QTest::addColumn<bool>("waitUntilRunning");
    QTest::addColumn<bool>("withViewport");
    QTest::newRow("in the filter") << true << false;
    QTest::newRow("in the exact stage after a quick one") << true << true;
    QTest::newRow("right after the request") << false << true;
}

void TestPreviewWorker::destroyMidComputation()
{
    QFETCH(bool, waitUntilRunning);
    QFETCH(bool, withViewport);
    ComputeLog log;
    auto controller = std::make_unique<PreviewController>();
    controller->setComputeObserver(log.observer());
    QSignalSpy results(controller.get(), &PreviewController::resultReady);
    if (withViewport)
        controller->setViewport(QSize(1280, 800), QRectF(0, 0, 4000, 3000));
    controller->setDocument(slowDocument());
    controller->setSource(bigImage());
    if (waitUntilRunning) {
        const int exactRun = withViewport ? 2 : 1;
        QTRY_COMPARE_WITH_TIMEOUT(log.runs(), exactRun, kTimeoutMs);
        QTest::qWait(200);
    }
    QElapsedTimer timer;
    timer.start();
    controller.reset();
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(results.isEmpty() || !isFinal(resultAt(results, results.size() - 1)));
}

// ---------------------------------------------------------------- failures

void TestPreviewWorker::failureIsReported_data()
{
    QTest::addColumn<cv::Mat>("source");
    QTest::addColumn<Document>("document");
    QTest::addColumn<bool>("withViewport");
    QTest::addColumn<QString>("message");
    const cv::Mat twoChannels = randomImage({400, 300}, CV_8UC2, 5);
    const cv::Mat good = randomImage({400, 300}, CV_8UC3, 6);
    QTest::newRow("2 channels") << twoChannels << withFilter(ks::GaussianSpec{}) << false
                                << "2 channels";
    QTest::newRow("2 channels, quick stage")
        << twoChannels << withFilter(ks::GaussianSpec{}) << true << "2 channels";
    QTest::newRow("64-bit float") << randomImage({400, 300}, CV_64FC1, 7)
                                  << withFilter(ks::GaussianSpec{}) << true << "64-bit float";
    QTest::newRow("even kernel size")
        << good << withFilter(ks::GaborSpec{30, 4.0, 0, 10, 0.5, 0}) << true << "ksize = 30";
    Document badRegion;
    badRegion.regions = {region({5, 5, 20, 20}, ks::RegionMethod::Gaussian, -1, 0)};
    QTest::newRow("bad region") << good << badRegion << false << "region 1";
    Document badGain = withFilter(ks::DerivativeSpec{}, {ks::DisplayMode::Abs, -2});
    QTest::newRow("negative gain") << good << badGain << true << "gain";
}

void TestPreviewWorker::failureIsReported()
{
    QFETCH(cv::Mat, source);
    QFETCH(Document, document);
    QFETCH(bool, withViewport);
    QFETCH(QString, message);
    PreviewController controller;
    QSignalSpy results(&controller, &PreviewController::resultReady);
    QSignalSpy failures(&controller, &PreviewController::failed);
    if (withViewport)
        controller.setViewport(QSize(200, 150), QRectF(0, 0, 400, 300));
    controller.setDocument(document);
    controller.setSource(source);
    QTRY_COMPARE_WITH_TIMEOUT(failures.size(), 1, kTimeoutMs);
    QCOMPARE(failures.at(0).at(0).value<quint64>(), controller.generation());
    const QString text = failures.at(0).at(1).toString();
    QVERIFY2(text.contains(message), qPrintable(text));
    QVERIFY(results.isEmpty());
    QVERIFY(!controller.isBusy());

    // The controller keeps working after a failure.
    const cv::Mat good = randomImage({100, 80}, CV_8UC3, 8);
    controller.setDocument(withFilter(ks::GaussianSpec{}));
    controller.setSource(good);
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);
    QVERIFY(identical(resultAt(results, results.size() - 1).output,
                      ks::runPipeline(good, withFilter(ks::GaussianSpec{}), CV_8U).output));
    QCOMPARE(failures.size(), 1);
}

// ---------------------------------------------------------------- threads

void TestPreviewWorker::computesOffTheGuiThread()
{
    const cv::Mat source = randomImage({1200, 900}, CV_8UC3, 12);
    PreviewController controller;
    ComputeLog log;
    controller.setComputeObserver(log.observer());
    QSignalSpy results(&controller, &PreviewController::resultReady);
    controller.setViewport(QSize(600, 450), QRectF(100, 100, 300, 225)); // zoomed in
    controller.setSource(source);
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);
    controller.setDocument(withFilter(ks::GaussianSpec{9, 2.0}));
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results) && !controller.isBusy(), kTimeoutMs);

    QThread *gui = QCoreApplication::instance()->thread();
    QCOMPARE(QThread::currentThread(), gui);
    const std::vector<QThread *> threads = log.threads();
    QVERIFY(threads.size() >= 5); // quick, partial and exact stages
    for (QThread *thread : threads) {
        QVERIFY(thread != gui);
        QCOMPARE(thread, threads.front()); // one long-lived worker
    }
}

// ---------------------------------------------------------------- partial stage

void TestPreviewWorker::partialWhenZoomedIn_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<QRectF>("visible");
    QTest::addColumn<QRect>("region"); // whole pixels at least partly visible
    const QRectF middle(300.5, 200.2, 300, 225);
    const QRect middlePixels(300, 200, 301, 226);
    QTest::newRow("gaussian") << withFilter(ks::GaussianSpec{0, 3.0}) << middle << middlePixels;
    QTest::newRow("gabor fixed gain")
        << withFilter(ks::GaborSpec{}, {ks::DisplayMode::Offset, 0.05}) << middle << middlePixels;
    Document regions = withFilter(ks::DerivativeSpec{}, {ks::DisplayMode::Abs, 4.0});
    regions.regions = {region({250, 150, 100, 100}, ks::RegionMethod::Gaussian, 6, 10),
                       region({580, 400, 60, 60}, ks::RegionMethod::Pixelate, 12, 5)};
    QTest::newRow("derivative with regions") << regions << middle << middlePixels;
    QTest::newRow("corner") << withFilter(ks::BoxSpec{9, true}) << QRectF(-50, -50, 250, 200)
                            << QRect(0, 0, 200, 150);
}

void TestPreviewWorker::partialWhenZoomedIn()
{
    QFETCH(Document, document);
    QFETCH(QRectF, visible);
    QFETCH(QRect, region);
    const cv::Mat source = randomImage({1200, 900}, CV_8UC3, 13);
    PreviewController controller;
    QSignalSpy results(&controller, &PreviewController::resultReady);
    controller.setViewport(QSize(600, 450), visible);
    controller.setDocument(document);
    controller.setSource(source);
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);

    QCOMPARE(results.size(), 3); // quick, partial, exact
    const PreviewResult quick = resultAt(results, 0);
    const PreviewResult partial = resultAt(results, 1);
    const PreviewResult exact = resultAt(results, 2);
    QVERIFY(!quick.exact);
    QCOMPARE(quick.scale, 0.5);
    QVERIFY(partial.exact);
    QVERIFY(partial.partial);
    QCOMPARE(partial.region, region);
    QCOMPARE(partial.scale, 1.0);
    QCOMPARE(partial.output.cols, region.width());
    QCOMPARE(partial.output.rows, region.height());
    QCOMPARE(partial.response.size(), partial.output.size());
    QVERIFY(partial.elapsedMs <= exact.elapsedMs);

    const ks::PipelineOutput expected = ks::runPipeline(source, document, CV_8U);
    QVERIFY(identical(exact.output, expected.output));
    const cv::Rect r(region.x(), region.y(), region.width(), region.height());
    QVERIFY(identical(partial.output, exact.output(r)));
    // The responses agree to the engine's float rounding (exactSourceRect).
    const cv::Mat response = expected.response.values(r);
    const double bound = 1e-6 * std::max(1.0, cv::norm(response, cv::NORM_INF));
    const double difference = cv::norm(partial.response, response, cv::NORM_INF);
    QVERIFY2(difference <= bound, qPrintable(QString::number(difference)));
}

void TestPreviewWorker::noPartialWhen_data()
{
    QTest::addColumn<Document>("document");
    QTest::addColumn<QRectF>("visible");
    const QRectF middle(300, 200, 300, 225);
    // Automatic gain: a crop's statistics are not the image's.
    QTest::newRow("offset auto") << withFilter(ks::GaborSpec{}, {ks::DisplayMode::Offset, 0})
                                 << middle;
    QTest::newRow("abs auto") << withFilter(ks::GaborSpec{}, {ks::DisplayMode::Abs, 0}) << middle;
    QTest::newRow("normalize") << withFilter(ks::GaussianSpec{}, {ks::DisplayMode::Normalize, 0})
                               << middle;
    Document wrap = withFilter(ks::GaussianSpec{7, 2.0});
    wrap.options.border = ks::BorderMode::Wrap;
    QTest::newRow("wrap at the edge") << wrap << QRectF(0, 0, 300, 225);
    // The crop would cover more than half the image.
    QTest::newRow("mostly visible")
        << withFilter(ks::GaussianSpec{7, 2.0}) << QRectF(10, 10, 1100, 800);
    QTest::newRow("not zoomed in")
        << withFilter(ks::GaussianSpec{7, 2.0}) << QRectF(-100, -100, 1400, 1100);
}

void TestPreviewWorker::noPartialWhen()
{
    QFETCH(Document, document);
    QFETCH(QRectF, visible);
    const cv::Mat source = randomImage({1200, 900}, CV_8UC3, 14);
    PreviewController controller;
    QSignalSpy results(&controller, &PreviewController::resultReady);
    controller.setViewport(QSize(600, 450), visible);
    controller.setDocument(document);
    controller.setSource(source);
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);
    QCOMPARE(results.size(), 2);
    QVERIFY(!resultAt(results, 0).exact);
    QVERIFY(
        identical(resultAt(results, 1).output, ks::runPipeline(source, document, CV_8U).output));
}

// ---------------------------------------------------------------- viewport

void TestPreviewWorker::viewportStartsGenerationsOnlyWhenNeeded()
{
    const cv::Mat source = randomImage({1200, 900}, CV_8UC3, 15);
    PreviewController controller;
    QSignalSpy results(&controller, &PreviewController::resultReady);
    controller.setViewport(QSize(600, 450), QRectF(0, 0, 1200, 900));
    QCOMPARE(controller.generation(), quint64{0}); // nothing to compute yet
    controller.setSource(source);
    QCOMPARE(controller.generation(), quint64{1});
    QTRY_VERIFY_WITH_TIMEOUT(lastIsFinal(results), kTimeoutMs);

    // Done: the exact result covers any viewport.
    controller.setViewport(QSize(300, 200), QRectF(100, 100, 150, 100));
    QCOMPARE(controller.generation(), quint64{1});
    QVERIFY(!controller.isBusy());

    // While busy: only a change of plan starts a generation.
    const Document document = withFilter(ks::GaborSpec{41, 6.0, 0, 12, 0.5, 0});
    controller.setDocument(document);
    QCOMPARE(controller.generation(), quint64{2});
    controller.setViewport(QSize(300, 200), QRectF(100, 100, 150, 100)); // same plan
    QCOMPARE(controller.generation(), quint64{2});
    controller.setViewport(QSize(300, 200), QRectF(100.2, 100.4, 149.5, 99.3)); // same pixels
    QCOMPARE(controller.generation(), quint64{2});
    controller.setViewport(QSize(300, 200), QRectF(400, 300, 150, 100)); // panned
    QCOMPARE(controller.generation(), quint64{3});
    controller.setViewport(QSize(600, 450), QRectF(400, 300, 150, 100)); // quick scale
    QCOMPARE(controller.generation(), quint64{4});
    controller.setViewport(QSize(600, 450), QRectF(0, 0, 1200, 900)); // zoomed out
    QCOMPARE(controller.generation(), quint64{5});
    controller.setViewport(QSize(600, 450), QRectF(-5, -5, 1300, 1000)); // still everything
    QCOMPARE(controller.generation(), quint64{5});
    controller.setViewport(QSize(600, 450), QRectF(600, 450, 300, 225));
    QCOMPARE(controller.generation(), quint64{6});
    QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy(), kTimeoutMs);

    const PreviewResult exact = resultAt(results, results.size() - 1);
    QCOMPARE(exact.generation, quint64{6});
    const PreviewResult partial = resultAt(results, results.size() - 2);
    QVERIFY(partial.partial);
    QCOMPARE(partial.generation, quint64{6});
    QCOMPARE(partial.region, QRect(600, 450, 300, 225));
    QVERIFY(identical(exact.output, ks::runPipeline(source, document, CV_8U).output));
}

void TestPreviewWorker::emptySourceStops()
{
    PreviewController controller;
    ComputeLog log;
    controller.setComputeObserver(log.observer());
    QSignalSpy results(&controller, &PreviewController::resultReady);
    QSignalSpy busy(&controller, &PreviewController::busyChanged);
    controller.setDocument(slowDocument());
    controller.setSource(bigImage());
    QTRY_COMPARE_WITH_TIMEOUT(log.runs(), 1, kTimeoutMs);
    controller.setSource(cv::Mat());
    QVERIFY(!controller.isBusy());
    QCOMPARE(busy.size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(controller.cancelledComputations(), 1, kTimeoutMs);
    QTest::qWait(50);
    QVERIFY(results.isEmpty());
    QCOMPARE(log.runs(), 1);
}

QTEST_MAIN(TestPreviewWorker)
#include "tst_preview_worker.moc"
