// Stress tests for ui/preview_controller.h (and the window around it): many
// random edits of the document, the regions, the source and the viewport with
// short random pauses, after which the last exact result must be the
// engine's own result for the final state (ks::runPipeline, called here),
// results must arrive in generation order, and memory must come back to its
// level after a warm-up; and shutdown in the middle of a long exact
// computation must be quick.
//
// The random sequence is fixed by kSeed (printed in the log), so a failure
// can be replayed.

#include "core/document.h"
#include "core/gabor_bank.h"
#include "core/parameters.h"
#include "ui/main_window.h"
#include "ui/preview_controller.h"

#include <opencv2/core.hpp>

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::uint32_t kSeed = 20240611;
constexpr int kChanges = 10000;
constexpr int kWarmUpChanges = 1000;

/// Long enough for any single computation here in a debug or sanitizer build.
constexpr int kTimeoutMs = 300000;

cv::Mat randomImage(cv::Size size, int type, std::uint64_t seed)
{
    cv::Mat image(size, type);
    cv::RNG rng(seed);
    const int depth = CV_MAT_DEPTH(type);
    const double high = depth == CV_8U ? 256 : depth == CV_16U ? 65536 : 1;
    rng.fill(image, cv::RNG::UNIFORM, 0, high);
    return image;
}

bool identical(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    cv::Mat difference;
    cv::compare(a.reshape(1), b.reshape(1), difference, cv::CMP_NE);
    return cv::countNonZero(difference) == 0;
}

/// Resident memory of this process in KiB (VmRSS), after returning the
/// allocator's free pages to the system, so that it measures what is held.
long residentKiB()
{
    malloc_trim(0);
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    return -1;
}

/// Random edits within the descriptors' ranges, capped so that every kernel
/// stays small (at most 15 x 15, sigma at most 5 px) and a computation takes
/// milliseconds.
class RandomEdits {
public:
    explicit RandomEdits(std::uint32_t seed) : random_(seed) {}

    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
    double uniform(double low, double high)
    {
        return std::uniform_real_distribution<double>(low, high)(random_);
    }
    bool chance(double p) { return uniform(0, 1) < p; }

    double valueFor(const ks::ParamDescriptor &d)
    {
        double high = d.max;
        if (d.key == "ksize")
            high = std::min(high, 15.0);
        else if (d.key == "sigma")
            high = std::min(high, 5.0);
        else if (d.key == "lambda")
            high = std::min(high, 40.0);
        switch (d.type) {
        case ks::ParamType::Real:
            return uniform(d.min, high);
        case ks::ParamType::Integer:
            return d.min + below(static_cast<int>(high - d.min) + 1);
        case ks::ParamType::OddInteger: {
            if (d.zeroIsAuto && chance(0.3))
                return 0;
            const int lowest = static_cast<int>(std::max(1.0, d.min));
            return lowest + 2 * below((static_cast<int>(high) - lowest) / 2 + 1);
        }
        case ks::ParamType::Boolean:
            return below(2);
        }
        return d.defaultValue;
    }

    ks::CustomSpec customKernel()
    {
        ks::CustomSpec spec;
        spec.rows = 1 + below(7);
        spec.cols = 1 + below(7);
        spec.values.resize(static_cast<std::size_t>(spec.rows * spec.cols));
        double sum = 0;
        for (double &v : spec.values) {
            v = uniform(-1, 1);
            sum += v;
        }
        spec.normalize = std::abs(sum) > 0.1 && chance(0.5);
        return spec;
    }

    /// A new filter of a random kind with random parameters.
    ks::FilterSpec filter()
    {
        const auto kind = ks::kAllFilterKinds[below(std::size(ks::kAllFilterKinds))];
        ks::FilterSpec spec =
            kind == ks::FilterKind::Custom ? customKernel() : ks::defaultSpec(kind);
        for (const ks::ParamDescriptor &d : ks::parameterDescriptors(kind))
            if (d.key != "normalize")
                ks::setParameter(spec, d.key, valueFor(d));
        return spec;
    }

    /// The filter with one of its parameters changed, as a slider does.
    void nudge(ks::FilterSpec &spec)
    {
        const auto descriptors = ks::parameterDescriptors(ks::kindOf(spec));
        if (descriptors.empty() || ks::kindOf(spec) == ks::FilterKind::Custom) {
            spec = filter();
            return;
        }
        const ks::ParamDescriptor &d =
            descriptors[static_cast<std::size_t>(below(static_cast<int>(descriptors.size())))];
        ks::setParameter(spec, d.key, valueFor(d));
    }

    ks::Region region(cv::Size image)
    {
        const auto method = static_cast<ks::RegionMethod>(below(3));
        ks::Region r;
        r.method = method;
        r.rect = cv::Rect(below(image.width + 20) - 10, below(image.height + 20) - 10,
                          1 + below(image.width / 2), 1 + below(image.height / 2));
        for (const ks::ParamDescriptor &d : ks::regionParameterDescriptors(method)) {
            double value = valueFor(d);
            if (d.key == "cell")
                value = std::min(value, 10.0);
            if (d.key == "feather")
                r.feather = static_cast<int>(std::min(value, 5.0));
            else
                r.strength = value;
        }
        return r;
    }

    void editRegions(std::vector<ks::Region> &regions, cv::Size image)
    {
        if (!regions.empty() && chance(0.3))
            regions.erase(regions.begin() + below(static_cast<int>(regions.size())));
        else if (regions.size() < 3 && chance(0.6))
            regions.push_back(region(image));
        else if (!regions.empty())
            regions[static_cast<std::size_t>(below(static_cast<int>(regions.size())))] =
                region(image);
    }

    ks::DisplayMapping display()
    {
        ks::DisplayMapping mapping;
        mapping.mode = ks::kAllDisplayModes[below(std::size(ks::kAllDisplayModes))];
        if (mapping.mode == ks::DisplayMode::Abs || mapping.mode == ks::DisplayMode::Offset)
            mapping.gain = chance(0.5) ? 0.0 : uniform(0.5, 4);
        return mapping;
    }

    ks::FilterOptions options()
    {
        ks::FilterOptions o;
        o.border = ks::kAllBorderModes[below(std::size(ks::kAllBorderModes))];
        o.color = chance(0.3) ? ks::ColorMode::Gray : ks::ColorMode::PerChannel;
        return o;
    }

private:
    std::mt19937 random_;
};

/// What arrived from the controller, checked as it arrives.
struct Delivery {
    quint64 generation = 0;
    int stage = -1; ///< 0 quick, 1 partial, 2 exact
    int results = 0;
    int failures = 0;
    QString outOfOrder; ///< the first result that broke the order, if any
    std::optional<ks::PreviewResult> lastExact;
};

} // namespace

class TestPreviewStress : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void randomEditsEndInTheExactResult();
    void controllerShutdownDuringExactGabor();
    void windowShutdownDuringExactGabor();
    void cleanupTestCase();
};

void TestPreviewStress::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("KernelscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_preview_stress"));
    QSettings().clear();
}

void TestPreviewStress::cleanupTestCase()
{
    QSettings().clear();
}

void TestPreviewStress::randomEditsEndInTheExactResult()
{
    qInfo("seed %u, %d changes", kSeed, kChanges);
    RandomEdits random(kSeed);
    const std::vector<cv::Mat> sources{
        randomImage({160, 120}, CV_8UC3, 1), randomImage({96, 128}, CV_8UC1, 2),
        randomImage({200, 100}, CV_16UC3, 3), randomImage({128, 96}, CV_8UC4, 4),
        randomImage({120, 90}, CV_32FC3, 5)};
    const QSize view(80, 60);

    ks::PreviewController controller;
    Delivery delivery;
    connect(&controller, &ks::PreviewController::resultReady, this,
            [&](const ks::PreviewResult &result) {
                ++delivery.results;
                const int stage = !result.exact ? 0 : result.partial ? 1 : 2;
                const bool inOrder =
                    result.generation > delivery.generation ||
                    (result.generation == delivery.generation && stage > delivery.stage);
                if ((!inOrder || result.generation > controller.generation()) &&
                    delivery.outOfOrder.isEmpty())
                    delivery.outOfOrder = QStringLiteral("generation %1 stage %2 after %3 stage %4")
                                              .arg(result.generation)
                                              .arg(stage)
                                              .arg(delivery.generation)
                                              .arg(delivery.stage);
                delivery.generation = result.generation;
                delivery.stage = stage;
                if (stage == 2)
                    delivery.lastExact = result;
            });
    connect(&controller, &ks::PreviewController::failed, this,
            [&](quint64, const QString &message) {
                ++delivery.failures;
                qWarning("failed: %s", qPrintable(message));
            });

    std::size_t sourceIndex = 0;
    cv::Mat source = sources[0];
    ks::Document document;
    document.filter = random.filter();
    controller.setViewport(view, QRectF(0, 0, source.cols, source.rows));
    controller.setSource(source);
    controller.setDocument(document);

    const auto waitUntilIdle = [&] {
        return QTest::qWaitFor([&] { return !controller.isBusy(); }, kTimeoutMs);
    };
    long warmedUpKiB = 0;
    QElapsedTimer timer;
    timer.start();
    for (int change = 1; change <= kChanges; ++change) {
        const int action = random.below(100);
        if (action < 60) {
            random.nudge(document.filter);
            controller.setDocument(document);
        } else if (action < 70) {
            document.filter = random.filter();
            controller.setDocument(document);
        } else if (action < 80) {
            random.editRegions(document.regions, source.size());
            controller.setDocument(document);
        } else if (action < 85) {
            if (random.chance(0.5))
                document.display = random.display();
            else
                document.options = random.options();
            controller.setDocument(document);
        } else if (action < 90) {
            sourceIndex =
                (sourceIndex + 1 +
                 static_cast<std::size_t>(random.below(static_cast<int>(sources.size()) - 1))) %
                sources.size();
            source = sources[sourceIndex];
            controller.setSource(source);
        } else {
            // Zoom in on a random part, or fit the whole image.
            QRectF visible(0, 0, source.cols, source.rows);
            if (random.chance(0.6)) {
                const double w = random.uniform(8, source.cols);
                const double h = random.uniform(8, source.rows);
                visible = QRectF(random.uniform(0, source.cols - w),
                                 random.uniform(0, source.rows - h), w, h);
            }
            controller.setViewport(view, visible);
        }

        const int pause = random.below(100);
        if (pause < 20)
            QTest::qWait(random.below(3));
        else if (pause < 50)
            QCoreApplication::processEvents();

        if (change == kWarmUpChanges) {
            QVERIFY(waitUntilIdle());
            warmedUpKiB = residentKiB();
        }
    }
    QVERIFY(waitUntilIdle());
    const qint64 elapsed = timer.elapsed();
    const long finalKiB = residentKiB();

    qInfo("%d changes in %lld ms: %d results, final generation %llu; VmRSS after warm-up %ld "
          "KiB, at the end %ld KiB",
          kChanges, static_cast<long long>(elapsed), delivery.results,
          static_cast<unsigned long long>(controller.generation()), warmedUpKiB, finalKiB);
    QVERIFY2(delivery.outOfOrder.isEmpty(), qPrintable(delivery.outOfOrder));
    QCOMPARE(delivery.failures, 0);
    QVERIFY(delivery.lastExact);
    QCOMPARE(delivery.lastExact->generation, controller.generation());
    const cv::Mat expected = ks::runPipeline(source, document, CV_8U).output;
    QVERIFY(identical(delivery.lastExact->output, expected));
    QVERIFY(warmedUpKiB > 0 && finalKiB > 0);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // (The sanitizers' allocators keep freed memory in quarantine.)
    QVERIFY2(finalKiB <= warmedUpKiB + warmedUpKiB / 10,
             qPrintable(QStringLiteral("%1 KiB after warm-up, %2 KiB at the end")
                            .arg(warmedUpKiB)
                            .arg(finalKiB)));
#endif
}

namespace {

/// A 12-megapixel photo-sized image and a Gabor document whose exact result
/// takes seconds on any engine path: a bank of 32 Gabor 61 kernels (one such
/// kernel alone takes about a fifth of a second in Release, which the
/// quick stage and a 150 ms wait could outlast).
cv::Mat twelveMegapixels()
{
    return randomImage({4000, 3000}, CV_8UC3, 9);
}

ks::Document longGabor()
{
    ks::Document document;
    ks::GaborSpec gabor;
    gabor.ksize = 61;
    gabor.theta_deg = 30;
    document.filter = gabor;
    document.bank = ks::BankSpec{16, 2, 1.1, ks::BankCombine::Max};
    return document;
}

} // namespace

void TestPreviewStress::controllerShutdownDuringExactGabor()
{
    const cv::Mat source = twelveMegapixels();
    auto controller = std::make_unique<ks::PreviewController>();
    std::atomic<int> runs{0};
    controller->setComputeObserver([&runs] { ++runs; });
    // The document first (without a source nothing runs), then the source:
    // one generation, and without a viewport its exact stage is its only run.
    controller->setDocument(longGabor());
    controller->setSource(source);
    QVERIFY(QTest::qWaitFor([&] { return runs.load() >= 1; }, kTimeoutMs));
    QTest::qWait(150); // well inside the exact computation
    QVERIFY(controller->isBusy());

    QElapsedTimer timer;
    timer.start();
    controller.reset();
    const qint64 elapsed = timer.elapsed();

    qInfo("PreviewController destroyed during the exact Gabor: returned after %lld ms",
          static_cast<long long>(elapsed));
    QVERIFY2(elapsed < 1000, qPrintable(QString::number(elapsed)));
}

void TestPreviewStress::windowShutdownDuringExactGabor()
{
    auto window = std::make_unique<ks::MainWindow>();
    window->resize(1000, 700);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QVERIFY(QTest::qWaitFor([&] { return !window->previewController()->isBusy(); }, kTimeoutMs));

    QSignalSpy results(window->previewController(), &ks::PreviewController::resultReady);
    window->setSource(twelveMegapixels(), QStringLiteral("12 MP"));
    window->setDocument(longGabor());
    const quint64 generation = window->previewController()->generation();
    // The quick result first; then the worker is on the exact one.
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (const QList<QVariant> &arguments : results)
                if (arguments.at(0).value<ks::PreviewResult>().generation == generation)
                    return true;
            return false;
        },
        kTimeoutMs));
    QTest::qWait(150);
    QVERIFY(window->previewController()->isBusy());

    QElapsedTimer timer;
    timer.start();
    window.reset();
    const qint64 elapsed = timer.elapsed();

    qInfo("MainWindow destroyed during the exact Gabor: returned after %lld ms",
          static_cast<long long>(elapsed));
    QVERIFY2(elapsed < 1000, qPrintable(QString::number(elapsed)));
}

QTEST_MAIN(TestPreviewStress)
#include "tst_preview_stress.moc"
