// The kernel dock: the current kernel as a heat map, its frequency response,
// its profiles through the centre, and the Gabor bank as a grid of
// thumbnails, each exportable.
#pragma once

#include "core/filter_spec.h"
#include "core/kernel_spectrum.h"

#include <QImage>
#include <QRect>
#include <QSize>
#include <QString>
#include <QWidget>

#include <opencv2/core/mat.hpp>

#include <vector>

class QCPColorMap;
class QCPColorScale;
class QCPGraph;
class QComboBox;
class QCustomPlot;
class QEvent;
class QLabel;
class QMouseEvent;
class QScrollArea;
class QTabWidget;
class QToolButton;

namespace ks {

/// Plots of one kernel in four tabs:
///  - Heatmap: one cell per tap, no interpolation, axes in tap offsets from
///    the anchor (dx to the right, dy downwards, as the kernel lies on the
///    image), a colour scale beside it. Kernels with a negative tap use a
///    blue-white-red gradient over a range symmetric about zero; others a
///    sequential (viridis-like) one over [min, max] ([0, max] when all taps
///    are equal, [0, 1] when they are all 0).
///  - Frequency: |H| from kernelSpectrum (at least 256 x 256 bins), axes in
///    cycles per pixel from -0.5 to 0.5 with fy downwards like the heat map,
///    linear over [0, max] or in dB (20 log10 |H|) over the top 60 dB.
///  - Profiles: the kernel along and across theta (Gabor) or the angle
///    (Derivative) through the anchor, otherwise along x and y.
///  - Bank: the Gabor bank, scales in rows and orientations in columns, each
///    kernel nearest-neighbour scaled to kThumbnailSize px with the bank's
///    shared colour range; a hint when there is no bank.
/// Hovering a heat-map cell or a frequency bin shows its position and exact
/// value under the tabs (and emits hoverTextChanged).
///
/// Only the current tab is redrawn when the kernel changes; the others catch
/// up when shown, so a slider stays live for kernels up to 301 x 301. The
/// plot accessors below are up to date for the current tab. GUI thread only.
class KernelPlots : public QWidget {
    Q_OBJECT

public:
    enum class Tab { Heatmap, Frequency, Profiles, Bank };
    enum class FrequencyScale { Linear, Decibel };

    static constexpr int kThumbnailSize = 64;     ///< bank thumbnails, pixels
    static constexpr int kFrequencyMinSize = 256; ///< kernelSpectrum's minSize
    static constexpr double kDecibelRange = 60.0; ///< dB shown below the peak

    explicit KernelPlots(QWidget *parent = nullptr);
    ~KernelPlots() override;

    /// Shows kernel64F (CV_64FC1, anchor at (cols / 2, rows / 2)); spec says
    /// which filter made it (profile directions, the kernel export's labels).
    /// An empty kernel clears the plots. Throws std::invalid_argument for a
    /// non-empty kernel of another type.
    void setKernel(const cv::Mat &kernel64F, const FilterSpec &spec);
    const cv::Mat &kernel() const { return kernel_; }

    /// Shows a Gabor bank: kernels in scale-major order (index s *
    /// orientations + i), all CV_64FC1. specs, when given (one per kernel,
    /// like bankSpecs), label the columns with theta and the rows with sigma
    /// and lambda; otherwise they are numbered. No kernels shows the hint
    /// "Turn on Bank in the Gabor parameters". Throws std::invalid_argument
    /// when kernels.size() != orientations * scales or specs has another size.
    void setBank(const std::vector<cv::Mat> &kernels, int orientations, int scales,
                 const std::vector<GaborSpec> &specs = {});

    void setFrequencyScale(FrequencyScale scale);
    FrequencyScale frequencyScale() const { return frequencyScale_; }

    void setCurrentTab(Tab tab);
    Tab currentTab() const;

    /// Saves the current tab, by the extension of path (case-insensitive):
    /// .png or .pdf (vector, except the colour maps' cells). The Bank tab
    /// saves its montage (exportMontage). Written atomically
    /// (writeFileAtomically): on failure nothing is left behind, an existing
    /// file is untouched, and *error (when not null) gets one line naming the
    /// file ("cannot save 'out/plot.png': folder 'out' does not exist").
    bool exportPlot(const QString &path, QString *error);

    /// Saves bankMontage() as PNG (or PDF), atomically, like exportPlot.
    /// Fails with a message when there is no bank.
    bool exportMontage(const QString &path, QString *error);

    /// Saves the current kernel's values with saveKernels (.csv, .npy, .json).
    bool exportKernel(const QString &path, QString *error);

    /// The bank grid as an image: labels, thumbnails and the shared range;
    /// bankMontageSize(orientations, scales). Null when there is no bank.
    QImage bankMontage() const { return montage_; }
    static QSize bankMontageSize(int orientations, int scales);
    /// Where thumbnail (scale, orientation) lies in the montage.
    static QRect bankThumbnailRect(int scale, int orientation);

    // The plots, for tests and the screenshot.
    QCustomPlot *heatmapPlot() const { return heatmap_; }
    QCPColorMap *colorMap() const { return colorMap_; }
    QCPColorScale *colorScale() const { return colorScale_; }
    QCustomPlot *frequencyPlot() const { return frequency_; }
    QCPColorMap *frequencyMap() const { return frequencyMap_; }
    QCustomPlot *profilePlot() const { return profiles_; }
    QCPGraph *alongGraph() const { return along_; }
    QCPGraph *acrossGraph() const { return across_; }
    QString hoverText() const;

signals:
    /// "offset (dx, dy): value" over a heat-map cell, "frequency (fx, fy)
    /// cycles/px: |H| = value" over a frequency bin, "" elsewhere.
    void hoverTextChanged(const QString &text);
    /// The Export menu's "Kernel values" item: the owner asks where and
    /// saves the kernel, or the whole bank (MainWindow's Export Kernel).
    void kernelExportRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QCustomPlot *currentPlot() const;
    void refreshCurrentTab();
    void refreshHeatmap();
    void refreshFrequency();
    void refreshFrequencyCells();
    void refreshProfiles();
    void heatmapHovered(QMouseEvent *event);
    void frequencyHovered(QMouseEvent *event);
    void setHoverText(const QString &text);
    void exportDialog();

    QTabWidget *tabs_ = nullptr;
    QComboBox *scaleBox_ = nullptr;
    QToolButton *exportButton_ = nullptr;
    QLabel *hover_ = nullptr;

    QCustomPlot *heatmap_ = nullptr;
    QCPColorMap *colorMap_ = nullptr;
    QCPColorScale *colorScale_ = nullptr;
    QCustomPlot *frequency_ = nullptr;
    QCPColorMap *frequencyMap_ = nullptr;
    QCPColorScale *frequencyScaleBar_ = nullptr;
    QCustomPlot *profiles_ = nullptr;
    QCPGraph *along_ = nullptr;
    QCPGraph *across_ = nullptr;
    QScrollArea *bankArea_ = nullptr;
    QLabel *bankView_ = nullptr;

    cv::Mat kernel_;
    FilterSpec spec_;
    KernelSpectrum spectrum_;
    FrequencyScale frequencyScale_ = FrequencyScale::Linear;
    bool heatmapStale_ = false;
    bool spectrumStale_ = false;
    bool frequencyStale_ = false;
    bool profilesStale_ = false;
    QImage montage_;
};

} // namespace ks
