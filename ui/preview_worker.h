// The preview's worker thread (internal to PreviewController), after Qt's
// Mandelbrot example: one long-lived thread; render() copies the request
// under a mutex and wakes the thread or cancels its running computation;
// run() works on its own copy without the lock and sleeps when idle; the
// destructor aborts, wakes and joins. Results leave by value through a
// queue guarded by a std::mutex; the worker thread announces them on an
// eventfd, which a QSocketNotifier on the GUI thread turns into a signal
// there. No Qt object crosses threads on the way, so ThreadSanitizer sees
// the whole hand-off (Qt's queued connections post events through
// futex-based locks inside uninstrumented Qt, which it cannot see).
//
// The thread is a std::thread with std::mutex and std::condition_variable
// rather than a QThread with QMutex and QWaitCondition: ThreadSanitizer sees
// every hand-over between them (Qt's wait condition and QThread::wait
// synchronise inside the uninstrumented Qt library, which it reports as
// double locks and races), so the tsan build checks this class for real.
#pragma once

#include "preview_controller.h"

#include <QObject>
#include <QSocketNotifier>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

namespace ks {

/// What a computation produced: a result, or a failure of its generation.
struct PreviewOutcome {
    std::optional<PreviewResult> result; ///< empty: failed
    quint64 generation = 0;              ///< of the failure
    QString message;                     ///< the failure's one-line reason
};

/// Everything one computation needs, by value.
struct PreviewRequest {
    quint64 generation = 0;
    cv::Mat source;       ///< shared with the GUI thread, never modified; empty: nothing to do
    quint64 sourceId = 0; ///< changes whenever the source does (key of the resize cache)
    Document document;
    double quickScale = 1; ///< < 1: compute the quick stage at this scale first
    cv::Rect visible;      ///< non-empty: compute the exact output over it next, if a crop can
};

class PreviewWorker : public QObject {
    Q_OBJECT

public:
    /// The quick stage's image size (in pixels) from which a draft stage at
    /// half its scale comes first (see PreviewController).
    static constexpr double kDraftMinPixels = 400'000;

    explicit PreviewWorker(QObject *parent = nullptr);
    /// Stops the running computation, wakes the thread and joins it.
    ~PreviewWorker() override;

    /// Makes request the next computation, replacing a pending one, and
    /// cancels the running computation. Starts the thread on first use.
    void render(PreviewRequest request);

    /// Called on the worker thread before every runPipeline call.
    void setComputeObserver(std::function<void()> observer);

    /// Pipeline runs stopped by their cancellation token so far.
    int cancelledComputations() const;

    /// The oldest outcome not yet taken, if any; any thread. Never one of a
    /// generation older than the newest rendered when it was queued.
    std::optional<PreviewOutcome> takeOutcome();

signals:
    /// Emitted on the thread this object lives on (the GUI thread) when
    /// outcomes are waiting: take them with takeOutcome() until it returns
    /// nothing, which also rearms the signal.
    void outcomesQueued();

private:
    void run();
    /// Queues an outcome and announces it.
    void publish(PreviewOutcome outcome);
    void compute(const PreviewRequest &request, const std::stop_token &stop,
                 const std::function<void()> &observer);
    struct Downscaled {
        quint64 sourceId = 0;
        cv::Size size;
        cv::Mat image;
    };
    struct Quick {
        quint64 sourceId = 0;
        double scale = 0;
        Document document;
        PreviewResult result;
    };

    /// The pipeline on the source resized by scale, with the document scaled
    /// alike, through the cache slots given (one pair for the quick stage,
    /// one for the draft).
    PreviewResult scaledResult(const PreviewRequest &request, double scale, Quick &cache,
                               Downscaled &downscaled, const RunControl &control,
                               const std::function<void()> &observer);
    /// The draft stage's scale for a request: half the quick scale when the
    /// quick stage's image is large enough to take longer than a frame; 0
    /// for no draft.
    static double draftScale(const PreviewRequest &request);
    static bool isCached(const Quick &cache, const PreviewRequest &request, double scale)
    {
        return cache.sourceId == request.sourceId && cache.scale == scale &&
               cache.document == request.document;
    }
    std::optional<PreviewResult> partialResult(const PreviewRequest &request,
                                               const RunControl &control,
                                               const std::function<void()> &observer);
    static const cv::Mat &downscaledSource(const PreviewRequest &request, double scale,
                                           Downscaled &cache);

    std::thread thread_; ///< started by the first render(); GUI thread only

    // Shared with the worker thread, guarded by mutex_.
    std::mutex mutex_;
    std::condition_variable condition_;
    PreviewRequest pending_;
    bool hasPending_ = false;
    std::atomic<bool> abort_{false};
    std::stop_source running_; ///< of the computation in progress
    std::function<void()> observer_;

    std::atomic<quint64> newest_{0}; ///< generation of the newest rendered request
    std::atomic<int> cancelled_{0};

    std::mutex outcomesMutex_;
    std::deque<PreviewOutcome> outcomes_; ///< guarded by outcomesMutex_
    bool announced_ = false;              ///< guarded by outcomesMutex_: wake_ is readable
    int wake_ = -1;                       ///< eventfd: the worker writes, the GUI thread reads
    std::unique_ptr<QSocketNotifier> wakeNotifier_; ///< GUI thread

    // Worker thread only.
    Downscaled downscaled_;
    Quick quick_;
    Downscaled draftSource_;
    Quick draft_;
};

} // namespace ks
