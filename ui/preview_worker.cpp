#include "preview_worker.h"

#include "image_convert.h"

#include "core/errors.h"
#include "core/preview_scale.h"

#include <QCoreApplication>
#include <QStringList>
#include <QThread>

#include <opencv2/imgproc.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <exception>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace ks {

namespace {

/// The filters run only here, never on the GUI thread (debug builds check).
void beforePipeline(const std::function<void()> &observer)
{
    Q_ASSERT(QCoreApplication::instance() == nullptr ||
             QThread::currentThread() != QCoreApplication::instance()->thread());
    if (observer)
        observer();
}

QString joined(const std::vector<std::string> &lines)
{
    QStringList list;
    for (const std::string &line : lines)
        list << QString::fromStdString(line);
    return list.join(QStringLiteral("; "));
}

} // namespace

PreviewWorker::PreviewWorker(QObject *parent)
    : QObject(parent), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (wake_ < 0)
        throw std::system_error(errno, std::generic_category(),
                                "the preview cannot create its wake-up descriptor");
    wakeNotifier_ = std::make_unique<QSocketNotifier>(wake_, QSocketNotifier::Read);
    connect(wakeNotifier_.get(), &QSocketNotifier::activated, this, &PreviewWorker::outcomesQueued);
}

PreviewWorker::~PreviewWorker()
{
    {
        const std::lock_guard lock(mutex_);
        abort_ = true;
        running_.request_stop();
    }
    condition_.notify_one();
    if (thread_.joinable())
        thread_.join();
    wakeNotifier_.reset(); // before its descriptor closes
    ::close(wake_);
}

void PreviewWorker::render(PreviewRequest request)
{
    const std::lock_guard lock(mutex_);
    newest_.store(request.generation);
    pending_ = std::move(request);
    hasPending_ = true;
    running_.request_stop();
    if (!thread_.joinable())
        thread_ = std::thread(&PreviewWorker::run, this);
    else
        condition_.notify_one();
}

void PreviewWorker::setComputeObserver(std::function<void()> observer)
{
    const std::lock_guard lock(mutex_);
    observer_ = std::move(observer);
}

int PreviewWorker::cancelledComputations() const
{
    return cancelled_.load();
}

void PreviewWorker::publish(PreviewOutcome outcome)
{
    const std::lock_guard lock(outcomesMutex_);
    outcomes_.push_back(std::move(outcome));
    if (!announced_) {
        // One increment until the GUI thread has taken everything: the
        // counter cannot overflow, so the write cannot fail.
        const std::uint64_t one = 1;
        [[maybe_unused]] const ssize_t written = ::write(wake_, &one, sizeof one);
        announced_ = true;
    }
}

std::optional<PreviewOutcome> PreviewWorker::takeOutcome()
{
    const std::lock_guard lock(outcomesMutex_);
    if (outcomes_.empty()) {
        if (announced_) {
            // Everything taken: clear the descriptor so the notifier rests.
            std::uint64_t count = 0;
            [[maybe_unused]] const ssize_t drained = ::read(wake_, &count, sizeof count);
            announced_ = false;
        }
        return std::nullopt;
    }
    PreviewOutcome outcome = std::move(outcomes_.front());
    outcomes_.pop_front();
    return outcome;
}

void PreviewWorker::run()
{
    for (;;) {
        std::unique_lock lock(mutex_);
        condition_.wait(lock, [this] { return hasPending_ || abort_; });
        if (abort_)
            return;
        const PreviewRequest request = std::exchange(pending_, PreviewRequest{});
        hasPending_ = false;
        running_ = std::stop_source();
        const std::stop_token stop = running_.get_token();
        const std::function<void()> observer = observer_;
        lock.unlock();

        compute(request, stop, observer);
    }
}

void PreviewWorker::compute(const PreviewRequest &request, const std::stop_token &stop,
                            const std::function<void()> &observer)
{
    if (request.source.empty())
        return;
    // A stopped or superseded computation emits nothing: the GUI thread
    // checks again, as a newer request may arrive while a result is queued.
    const auto stale = [&] {
        return stop.stop_requested() || request.generation != newest_.load();
    };
    const RunControl control{stop, nullptr};
    try {
        if (request.quickScale < 1) {
            // While a slider moves, a change arrives every frame and cancels
            // a quick stage that takes longer: the draft, four times cheaper,
            // is what keeps the picture following the mouse. Not needed when
            // the quick result is already at hand (a viewport change).
            const double draft = draftScale(request);
            if (draft > 0 && !isCached(quick_, request, request.quickScale)) {
                PreviewResult result =
                    scaledResult(request, draft, draft_, draftSource_, control, observer);
                result.draft = true;
                if (stale())
                    return;
                publish({std::move(result), 0, {}});
            }
            const PreviewResult quick =
                scaledResult(request, request.quickScale, quick_, downscaled_, control, observer);
            if (stale())
                return;
            publish({quick, 0, {}});
        }
        if (!request.visible.empty()) {
            const std::optional<PreviewResult> partial = partialResult(request, control, observer);
            if (stale())
                return;
            if (partial)
                publish({*partial, 0, {}});
        }
        beforePipeline(observer);
        const PipelineOutput out = runPipeline(request.source, request.document, CV_8U, control);
        if (stale())
            return;
        PreviewResult exact;
        exact.generation = request.generation;
        exact.exact = true;
        exact.region = QRect(0, 0, request.source.cols, request.source.rows);
        exact.output = out.output;
        exact.response = out.response.values;
        exact.note = joined(out.warnings);
        publish({std::move(exact), 0, {}});
    } catch (const Cancelled &) {
        cancelled_.fetch_add(1);
    } catch (const std::exception &e) {
        if (!stale())
            publish({std::nullopt, request.generation, QString::fromLocal8Bit(e.what())});
    } catch (...) {
        if (!stale())
            publish(
                {std::nullopt, request.generation, tr("the preview failed with an unknown error")});
    }
}

double PreviewWorker::draftScale(const PreviewRequest &request)
{
    const double quickPixels =
        static_cast<double>(request.source.total()) * request.quickScale * request.quickScale;
    return quickPixels >= kDraftMinPixels ? request.quickScale / 2 : 0;
}

PreviewResult PreviewWorker::scaledResult(const PreviewRequest &request, double scale, Quick &cache,
                                          Downscaled &downscaled, const RunControl &control,
                                          const std::function<void()> &observer)
{
    // A viewport change restarts a generation without changing this stage's
    // inputs: reuse its result.
    if (!isCached(cache, request, scale)) {
        const cv::Mat &small = downscaledSource(request, scale, downscaled);
        const ScaledDocument scaled = scaleDocument(request.document, scale);
        beforePipeline(observer);
        const PipelineOutput out =
            runPipeline(small, scaled.document, CV_8U, control, kPreviewTolerance);
        cache.result = PreviewResult{};
        cache.result.region = QRect(0, 0, request.source.cols, request.source.rows);
        cache.result.output = out.output;
        cache.result.response = out.response.values;
        cache.result.scale = scale;
        cache.result.note = QString::fromStdString(scaled.note);
        cache.document = request.document;
        cache.scale = scale;
        cache.sourceId = request.sourceId;
    }
    PreviewResult result = cache.result;
    result.generation = request.generation;
    return result;
}

std::optional<PreviewResult> PreviewWorker::partialResult(const PreviewRequest &request,
                                                          const RunControl &control,
                                                          const std::function<void()> &observer)
{
    const cv::Mat &source = request.source;
    const std::optional<cv::Rect> crop =
        exactSourceRect(request.document, source.size(), source.depth(), request.visible);
    // Beyond half the image the partial run would delay the full one by
    // nearly its own cost.
    if (!crop || 2.0 * crop->area() > static_cast<double>(source.total()))
        return std::nullopt;
    const cv::Rect visible = request.visible & cv::Rect(0, 0, source.cols, source.rows);
    beforePipeline(observer);
    const PipelineOutput out =
        runPipeline(source(*crop), cropDocument(request.document, *crop), CV_8U, control);
    const cv::Rect inCrop = visible - crop->tl();
    PreviewResult result;
    result.generation = request.generation;
    result.exact = true;
    result.partial = true;
    result.region = toQRect(visible);
    result.output = out.output(inCrop).clone();
    result.response = out.response.values(inCrop).clone();
    return result;
}

const cv::Mat &PreviewWorker::downscaledSource(const PreviewRequest &request, double scale,
                                               Downscaled &cache)
{
    const cv::Mat &source = request.source;
    const cv::Size size(std::max(1, static_cast<int>(std::lround(source.cols * scale))),
                        std::max(1, static_cast<int>(std::lround(source.rows * scale))));
    if (cache.sourceId != request.sourceId || cache.size != size) {
        cache = Downscaled{};
        cv::resize(source, cache.image, size, 0, 0, cv::INTER_AREA);
        cache.size = size;
        cache.sourceId = request.sourceId;
    }
    return cache.image;
}

} // namespace ks
