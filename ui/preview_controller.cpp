#include "preview_controller.h"

#include "preview_worker.h"

#include <algorithm>
#include <cmath>

namespace ks {

PreviewController::PreviewController(QObject *parent)
    : QObject(parent), worker_(std::make_unique<PreviewWorker>())
{
    qRegisterMetaType<PreviewResult>();
    // The worker announces its outcomes on our thread (see PreviewWorker).
    connect(worker_.get(), &PreviewWorker::outcomesQueued, this, &PreviewController::drain);
}

PreviewController::~PreviewController()
{
    // Joins the thread while this object is still whole; outcomes it queued
    // and nobody took are destroyed with the worker.
    worker_.reset();
}

void PreviewController::setSource(const cv::Mat &source)
{
    source_ = source;
    ++sourceId_;
    request();
}

void PreviewController::setDocument(const Document &document)
{
    document_ = document;
    request();
}

void PreviewController::setViewport(QSize viewPixels, QRectF visibleImageRect)
{
    viewPixels_ = viewPixels;
    visibleImageRect_ = visibleImageRect;
    if (source_.empty() || completed_ == generation_ || plan() == requestedPlan_)
        return;
    request();
}

quint64 PreviewController::generation() const
{
    return generation_;
}

bool PreviewController::isBusy() const
{
    return busy_;
}

void PreviewController::setComputeObserver(std::function<void()> observer)
{
    worker_->setComputeObserver(std::move(observer));
}

int PreviewController::cancelledComputations() const
{
    return worker_->cancelledComputations();
}

PreviewController::Plan PreviewController::plan() const
{
    Plan p;
    if (source_.empty() || viewPixels_.isEmpty())
        return p;
    const double fit = std::min(static_cast<double>(viewPixels_.width()) / source_.cols,
                                static_cast<double>(viewPixels_.height()) / source_.rows);
    if (fit < 1)
        p.quickScale = fit;

    const QRectF visible = visibleImageRect_.intersected(QRectF(0, 0, source_.cols, source_.rows));
    if (visible.isEmpty())
        return p;
    // Whole pixels that are at least partly visible.
    const int left = static_cast<int>(std::floor(visible.left()));
    const int top = static_cast<int>(std::floor(visible.top()));
    const int right = static_cast<int>(std::ceil(visible.right()));
    const int bottom = static_cast<int>(std::ceil(visible.bottom()));
    const cv::Rect whole(0, 0, source_.cols, source_.rows);
    const cv::Rect rect = cv::Rect(left, top, right - left, bottom - top) & whole;
    if (!rect.empty() && rect != whole)
        p.visible = rect;
    return p;
}

void PreviewController::request()
{
    ++generation_;
    requestedPlan_ = plan();
    sinceRequest_.start();
    PreviewRequest request;
    request.generation = generation_;
    request.source = source_;
    request.sourceId = sourceId_;
    request.document = document_;
    request.quickScale = requestedPlan_.quickScale;
    request.visible = requestedPlan_.visible;
    // Sent even without a source: it cancels whatever is still running.
    worker_->render(std::move(request));
    if (source_.empty())
        completed_ = generation_;
    updateBusy();
}

void PreviewController::drain()
{
    // One at a time: a receiver that runs the event loop drains the newer
    // ones itself, still in order.
    while (worker_) {
        std::optional<PreviewOutcome> outcome = worker_->takeOutcome();
        if (!outcome)
            return;
        if (outcome->result)
            deliver(*outcome->result);
        else
            fail(outcome->generation, outcome->message);
    }
}

void PreviewController::deliver(const PreviewResult &result)
{
    if (result.generation != generation_)
        return; // a newer request is on its way
    PreviewResult delivered = result;
    delivered.elapsedMs = static_cast<double>(sinceRequest_.nsecsElapsed()) / 1e6;
    if (delivered.exact && !delivered.partial)
        completed_ = generation_;
    emit resultReady(delivered);
    // A receiver may have started a new generation meanwhile.
    updateBusy();
}

void PreviewController::fail(quint64 generation, const QString &message)
{
    if (generation != generation_)
        return;
    completed_ = generation_;
    emit failed(generation, message);
    updateBusy();
}

void PreviewController::updateBusy()
{
    const bool busy = completed_ != generation_;
    if (busy == busy_)
        return;
    busy_ = busy;
    emit busyChanged(busy_);
}

} // namespace ks
