// The live preview: turns edits of the source, the document and the viewport
// into results computed on one long-lived worker thread, newest first.
//
// Every setSource / setDocument (and setViewport when it matters, see there)
// starts a new generation. For each generation the worker delivers, in order:
//
//   1. a quick result: the pipeline run on the source resized (INTER_AREA)
//      to the view's size, with the document scaled by the same factor
//      (scaleDocument), so it looks like the exact result scaled down. Only
//      when the image is larger than the view. The resized source is cached,
//      so a slider move does not resize the full image again.
//      When that resized image has PreviewWorker::kDraftMinPixels or more
//      (a view of about 800 x 500 device pixels), a draft comes first: the
//      same at half the scale, a quarter of the pixels and a smaller kernel,
//      so several times cheaper. A slider sends a change every frame, and a
//      quick stage that takes longer than a frame would be cancelled by the
//      next one every time; the draft finishes, so the picture follows the
//      mouse, and the sharper quick result replaces it once the slider rests.
//   2. when zoomed in, a partial exact result: the pipeline run on the crop of
//      the source that determines the visible rectangle (exactSourceRect), cut
//      to that rectangle: the full result's pixels (to within the engine's
//      float rounding, see exactSourceRect). Skipped when the display mapping
//      depends on global statistics (Abs/Offset with automatic gain,
//      Normalize): a crop's minimum and maximum are not the image's, so the
//      partial result would flash at a different brightness and then be
//      replaced; the quick result (whose statistics are close to the full
//      image's) stays up until the exact one instead. Also skipped for Wrap
//      borders at the image's edge and when the crop covers more than half
//      the image (computing it would delay the full result by nearly its own
//      cost).
//   3. the exact result over the full image, runPipeline(source, document,
//      CV_8U) itself.
//
// Latest wins: a new generation replaces the pending request (requests never
// queue up) and cancels the running computation through its stop token;
// results of older generations are dropped both by the worker and here, on
// the GUI thread, so resultReady only ever carries the newest generation.
// Engine errors arrive as failed(), never as exceptions.
//
// Thread affinity: the controller lives on the GUI thread and all its
// functions must be called there; the filters never run on it.
#pragma once

#include "core/document.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QObject>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <QString>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include <functional>
#include <memory>

namespace ks {

class PreviewWorker;

struct PreviewResult {
    quint64 generation = 0;
    bool exact = false;   ///< false: quick stage
    bool partial = false; ///< exact stage, visible region only
    bool draft = false;   ///< quick stage's draft, at half the quick scale
    QRect region;         ///< image coordinates covered (full image unless partial)
    /// Display-mapped output for `region`, at `scale`: CV_8U, or CV_32F for
    /// DisplayMode::Raw (values in source units; toQImage maps 0..1).
    cv::Mat output;
    cv::Mat response;     ///< CV_32F response values (same size as output) for readouts
    double scale = 1.0;   ///< output pixels per image pixel (quick stage < 1)
    QString note;         ///< quick stage: the scaleDocument note; exact: region warnings
    double elapsedMs = 0; ///< from the request to delivery on the GUI thread
};

class PreviewController : public QObject {
    Q_OBJECT

public:
    explicit PreviewController(QObject *parent = nullptr);
    /// Cancels the running computation and joins the worker: returns within
    /// the engine's cancellation latency (about 0.2 s measured for a Gabor 61
    /// on 12 MP; region blurs stop only between regions).
    ~PreviewController() override;

    /// The image to filter. Shallow copy: the pixels are shared with the
    /// caller, who must not modify them while the controller holds them
    /// (pass source.clone() to be free to). An empty Mat stops the preview.
    void setSource(const cv::Mat &source);

    /// The document to apply. An invalid one is reported through failed().
    void setDocument(const Document &document);

    /// The view's size in device pixels and the part of the image it shows,
    /// in image coordinates. The quick stage is computed at the scale that
    /// fits the whole image into viewPixels; a visibleImageRect smaller than
    /// the image (zoomed in) gets the partial exact stage. Starts a new
    /// generation only when it changes that plan (the quick scale or, when
    /// zoomed in, the visible rectangle) while the newest generation is still
    /// being computed: once its exact result is delivered it covers every
    /// viewport, so there is nothing to recompute. Until the first call there
    /// is neither a quick nor a partial stage.
    void setViewport(QSize viewPixels, QRectF visibleImageRect);

    /// The newest request's generation (0 before the first).
    quint64 generation() const;

    /// True from a request until its exact result or failure is delivered.
    bool isBusy() const;

    /// Test and benchmark hook: called on the computing thread right before
    /// every pipeline run. Set it before the first request.
    void setComputeObserver(std::function<void()> observer);

    /// How many pipeline runs were stopped by their cancellation token.
    int cancelledComputations() const;

signals:
    /// Only results of the newest generation, quick then partial then exact.
    void resultReady(const ks::PreviewResult &result);
    void busyChanged(bool busy);
    /// The newest generation failed: message is the engine's, one line.
    void failed(quint64 generation, const QString &message);

private:
    /// What the worker computes for the current state besides the exact result.
    struct Plan {
        double quickScale = 1; ///< < 1: a quick stage at this scale
        cv::Rect visible;      ///< non-empty: a partial stage over this rectangle
        bool operator==(const Plan &) const = default;
    };

    Plan plan() const;
    void request();
    /// Delivers the worker's queued outcomes, in order.
    void drain();
    void deliver(const PreviewResult &result);
    void fail(quint64 generation, const QString &message);
    void updateBusy();

    std::unique_ptr<PreviewWorker> worker_;
    cv::Mat source_;
    quint64 sourceId_ = 0; ///< changes with every setSource: the worker's cache key
    Document document_;
    QSize viewPixels_;
    QRectF visibleImageRect_;
    Plan requestedPlan_;     ///< the plan of the newest generation
    quint64 generation_ = 0; ///< newest generation
    quint64 completed_ = 0;  ///< newest generation whose exact result or failure arrived
    bool busy_ = false;
    QElapsedTimer sinceRequest_;
};

} // namespace ks

Q_DECLARE_METATYPE(ks::PreviewResult)
