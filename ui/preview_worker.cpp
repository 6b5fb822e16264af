#include "preview_worker.h"

#include "image_convert.h"

#include "core/errors.h"
#include "core/preview_scale.h"

#include <QCoreApplication>
#include <QStringList>
#include <QThread>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <exception>
#include <string>
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

PreviewWorker::PreviewWorker(QObject *parent) : QObject(parent)
{
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
            const PreviewResult quick = quickResult(request, control, observer);
            if (stale())
                return;
            emit resultReady(quick);
        }
        if (!request.visible.empty()) {
            const std::optional<PreviewResult> partial = partialResult(request, control, observer);
            if (stale())
                return;
            if (partial)
                emit resultReady(*partial);
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
        emit resultReady(exact);
    } catch (const Cancelled &) {
        cancelled_.fetch_add(1);
    } catch (const std::exception &e) {
        if (!stale())
            emit failed(request.generation, QString::fromLocal8Bit(e.what()));
    } catch (...) {
        if (!stale())
            emit failed(request.generation, tr("the preview failed with an unknown error"));
    }
}

PreviewResult PreviewWorker::quickResult(const PreviewRequest &request, const RunControl &control,
                                         const std::function<void()> &observer)
{
    // A viewport change restarts a generation without changing the quick
    // stage's inputs: reuse its result.
    if (quick_.sourceId != request.sourceId || quick_.scale != request.quickScale ||
        quick_.document != request.document) {
        const cv::Mat &small = downscaledSource(request);
        const ScaledDocument scaled = scaleDocument(request.document, request.quickScale);
        beforePipeline(observer);
        const PipelineOutput out =
            runPipeline(small, scaled.document, CV_8U, control, kPreviewTolerance);
        quick_.result = PreviewResult{};
        quick_.result.region = QRect(0, 0, request.source.cols, request.source.rows);
        quick_.result.output = out.output;
        quick_.result.response = out.response.values;
        quick_.result.scale = request.quickScale;
        quick_.result.note = QString::fromStdString(scaled.note);
        quick_.document = request.document;
        quick_.scale = request.quickScale;
        quick_.sourceId = request.sourceId;
    }
    PreviewResult result = quick_.result;
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

const cv::Mat &PreviewWorker::downscaledSource(const PreviewRequest &request)
{
    const cv::Mat &source = request.source;
    const cv::Size size(
        std::max(1, static_cast<int>(std::lround(source.cols * request.quickScale))),
        std::max(1, static_cast<int>(std::lround(source.rows * request.quickScale))));
    if (downscaled_.sourceId != request.sourceId || downscaled_.size != size) {
        downscaled_ = Downscaled{};
        cv::resize(source, downscaled_.image, size, 0, 0, cv::INTER_AREA);
        downscaled_.size = size;
        downscaled_.sourceId = request.sourceId;
    }
    return downscaled_.image;
}

} // namespace ks
