// kernelscope-bench preview: the live preview as a person drives it.
//
// Drives the same PreviewController the main window uses, headless, on a
// 12-megapixel RGB image shown in a 1280 x 800 view: per case, 200 parameter
// changes at 60 per second, then measures
//   - quick_p50_ms / quick_p95_ms: from a change to its quick result (at the
//     view's size),
//   - draft_p50_ms, drafts: the same for the draft stage (half the quick
//     scale), and how many were shown,
//   - changes_shown: of the 200 changes, how many got a picture on screen
//     (a draft or a quick result): how well the image follows the slider,
//   - stale_shown: results delivered for anything but the newest request
//     (must be 0),
//   - exact_ms: from the last change to the exact full-resolution result.

#include "preview_bench.h"

#include "core/document.h"
#include "ui/preview_controller.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ks {

namespace {

constexpr int kChanges = 200;
constexpr double kChangeIntervalMs = 1000.0 / 60.0;
const QSize kView(1280, 800);

struct PreviewCase {
    std::string name;
    Document document;
    /// The i-th parameter change (i from 0), applied to the document.
    std::function<void(Document &, int)> change;
};

Document withFilter(FilterSpec spec)
{
    Document d;
    d.filter = std::move(spec);
    d.display.mode = defaultDisplayMode(d.filter);
    return d;
}

std::vector<PreviewCase> previewCases()
{
    std::vector<PreviewCase> cases;
    cases.push_back(
        {"gabor_k31", withFilter(GaborSpec{31, 4, 0, 10, 0.5, 0}),
         [](Document &d, int i) { std::get<GaborSpec>(d.filter).theta_deg = (i * 7) % 180; }});
    cases.push_back({"gaussian_k31_s5", withFilter(GaussianSpec{31, 5}), [](Document &d, int i) {
                         std::get<GaussianSpec>(d.filter).sigma = 4 + 0.01 * (i % 200);
                     }});
    cases.push_back({"gaussian_s30", withFilter(GaussianSpec{0, 30}), [](Document &d, int i) {
                         std::get<GaussianSpec>(d.filter).sigma = 29 + 0.01 * (i % 200);
                     }});
    cases.push_back({"box_k31", withFilter(BoxSpec{31, true}), [](Document &d, int i) {
                         std::get<BoxSpec>(d.filter).ksize = i % 2 == 0 ? 29 : 31;
                     }});
    cases.push_back(
        {"derivative_k31", withFilter(DerivativeSpec{1, 0, 4, 31}),
         [](Document &d, int i) { std::get<DerivativeSpec>(d.filter).angle_deg = (i * 7) % 360; }});
    CustomSpec custom;
    custom.rows = custom.cols = 31;
    custom.values.resize(31 * 31);
    cv::RNG rng(12345);
    for (double &v : custom.values)
        v = rng.uniform(-1.0, 1.0) / 31;
    cases.push_back({"custom_k31", withFilter(custom), [](Document &d, int i) {
                         std::get<CustomSpec>(d.filter).values[480] = 0.01 * (i % 50);
                     }});
    return cases;
}

/// A 4000 x 3000 RGB photograph: the embedded sample scaled up, with fine
/// deterministic noise so that no filter sees flat areas.
cv::Mat benchImage()
{
    cv::Mat sample = cv::imread(KERNELSCOPE_SAMPLE_IMAGE, cv::IMREAD_COLOR);
    if (sample.empty())
        throw std::runtime_error("cannot read the sample image " +
                                 std::string(KERNELSCOPE_SAMPLE_IMAGE));
    cv::Mat image;
    cv::resize(sample, image, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    cv::Mat noise(image.size(), CV_8UC3);
    cv::RNG rng(2026);
    rng.fill(noise, cv::RNG::UNIFORM, 0, 9);
    image += noise;
    return image;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return std::nan("");
    std::sort(values.begin(), values.end());
    const double index = p * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(index));
    const auto hi = static_cast<std::size_t>(std::ceil(index));
    return values[lo] + (values[hi] - values[lo]) * (index - static_cast<double>(lo));
}

struct PreviewFigures {
    double quickP50 = 0;
    double quickP95 = 0;
    int quickCount = 0;
    double draftP50 = 0;
    int draftCount = 0;
    int changesShown = 0;
    int stale = 0;
    double exactMs = 0;
};

/// Waits (running the event loop) until done() or timeoutMs passed. The
/// thread sleeps between events, as the window's event loop does: a 1 ms
/// timer wakes it to check done(). (processEvents with a time limit never
/// sleeps: it would spin one of the two cores the workers run on.)
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.start(1);
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

PreviewFigures runCase(const cv::Mat &source, const PreviewCase &c)
{
    PreviewController controller;
    PreviewFigures figures;
    std::vector<double> quick;
    std::vector<double> draft;
    std::vector<quint64> shownGenerations;
    bool failed = false;
    quint64 exactGeneration = 0;
    QElapsedTimer sinceLastChange;

    QObject::connect(
        &controller, &PreviewController::resultReady, &controller, [&](const PreviewResult &r) {
            if (r.generation != controller.generation())
                ++figures.stale;
            if (!r.exact)
                (r.draft ? draft : quick).push_back(r.elapsedMs);
            if (!r.exact && (shownGenerations.empty() || shownGenerations.back() != r.generation))
                shownGenerations.push_back(r.generation);
            if (r.exact && !r.partial)
                exactGeneration = r.generation;
        });
    QObject::connect(&controller, &PreviewController::failed, &controller,
                     [&](quint64, const QString &message) {
                         std::fprintf(stderr, "kernelscope-bench: %s: %s\n", c.name.c_str(),
                                      qPrintable(message));
                         failed = true;
                     });

    // Warm up: the first request resizes the source for the quick stage.
    Document document = c.document;
    controller.setSource(source);
    controller.setViewport(kView, QRectF(0, 0, source.cols, source.rows));
    controller.setDocument(document);
    if (!waitFor([&] { return failed || exactGeneration == controller.generation(); }, 120000))
        throw std::runtime_error(c.name + ": no exact result for the first request");
    quick.clear();
    draft.clear();
    shownGenerations.clear();
    figures.stale = 0;

    // 200 changes at 60 per second, each sent on time however late the
    // results are, like a slider dragged by a person.
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < kChanges; ++i) {
        const double due = i * kChangeIntervalMs;
        waitFor([&] { return static_cast<double>(clock.nsecsElapsed()) / 1e6 >= due; }, 1000);
        c.change(document, i);
        controller.setDocument(document);
        sinceLastChange.start();
    }
    if (!waitFor([&] { return failed || exactGeneration == controller.generation(); }, 120000))
        throw std::runtime_error(c.name + ": no exact result after the last change");
    figures.exactMs = static_cast<double>(sinceLastChange.nsecsElapsed()) / 1e6;
    figures.quickP50 = percentile(quick, 0.5);
    figures.quickP95 = percentile(quick, 0.95);
    figures.quickCount = static_cast<int>(quick.size());
    figures.draftP50 = percentile(draft, 0.5);
    figures.draftCount = static_cast<int>(draft.size());
    figures.changesShown = static_cast<int>(shownGenerations.size());
    return figures;
}

} // namespace

int runPreviewBenchmark(int argc, char *argv[])
{
    bool json = false;
    std::string only;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (std::strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            std::fprintf(stderr, "usage: kernelscope-bench preview [--json] [--case SUBSTRING]\n");
            return 2;
        }
    }
    QCoreApplication app(argc, argv);
    const cv::Mat source = benchImage();
    if (!json)
        std::printf("%-18s %12s %12s %8s %12s %8s %8s %6s %10s\n", "case", "quick p50 ms",
                    "quick p95 ms", "quick n", "draft p50 ms", "drafts", "shown", "stale",
                    "exact ms");
    for (const PreviewCase &c : previewCases()) {
        if (!only.empty() && c.name.find(only) == std::string::npos)
            continue;
        const PreviewFigures f = runCase(source, c);
        if (json)
            std::printf("{\"case\": \"%s\", \"quick_p50_ms\": %.2f, \"quick_p95_ms\": %.2f, "
                        "\"quick_shown\": %d, \"draft_p50_ms\": %.2f, \"drafts_shown\": %d, "
                        "\"changes_shown\": %d, \"stale_shown\": %d, \"exact_ms\": %.1f}\n",
                        c.name.c_str(), f.quickP50, f.quickP95, f.quickCount, f.draftP50,
                        f.draftCount, f.changesShown, f.stale, f.exactMs);
        else
            std::printf("%-18s %12.2f %12.2f %8d %12.2f %8d %8d %6d %10.1f\n", c.name.c_str(),
                        f.quickP50, f.quickP95, f.quickCount, f.draftP50, f.draftCount,
                        f.changesShown, f.stale, f.exactMs);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace ks
