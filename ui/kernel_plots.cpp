#include "kernel_plots.h"

#include "core/atomic_file.h"
#include "core/kernel_io.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPdfWriter>
#include <QScrollArea>
#include <QSettings>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <variant>

namespace ks {

namespace {

// Bank montage layout, pixels.
constexpr int kRowLabelWidth = 76;
constexpr int kColumnLabelHeight = 22;
constexpr int kFooterHeight = 22;
constexpr int kThumbnailGap = 8;
constexpr int kThumbnailPitch = KernelPlots::kThumbnailSize + kThumbnailGap;

// Exports are at least this large, so a plot in a narrow dock still gives a
// readable file.
constexpr QSize kMinExportSize(640, 480);

/// The shortest text that reads back to the same double.
QString numberText(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QCPColorGradient gradientFrom(std::initializer_list<std::pair<double, QColor>> stops)
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (const auto &[position, colour] : stops)
        gradient.setColorStopAt(position, colour);
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setLevelCount(512);
    return gradient;
}

/// Blue for negative, white at zero, red for positive (ColorBrewer RdBu):
/// a tap's sign reads at a glance.
const QCPColorGradient &divergingGradient()
{
    static const QCPColorGradient gradient = gradientFrom({
        {0.0, QColor(5, 48, 97)},
        {0.1, QColor(33, 102, 172)},
        {0.2, QColor(67, 147, 195)},
        {0.3, QColor(146, 197, 222)},
        {0.4, QColor(209, 229, 240)},
        {0.5, QColor(247, 247, 247)},
        {0.6, QColor(253, 219, 199)},
        {0.7, QColor(244, 165, 130)},
        {0.8, QColor(214, 96, 77)},
        {0.9, QColor(178, 24, 43)},
        {1.0, QColor(103, 0, 31)},
    });
    return gradient;
}

/// Viridis: lightness grows steadily with the value.
const QCPColorGradient &sequentialGradient()
{
    static const QCPColorGradient gradient = gradientFrom({
        {0.0, QColor(68, 1, 84)},
        {0.125, QColor(71, 44, 122)},
        {0.25, QColor(59, 81, 139)},
        {0.375, QColor(44, 113, 142)},
        {0.5, QColor(33, 144, 141)},
        {0.625, QColor(39, 173, 129)},
        {0.75, QColor(92, 200, 99)},
        {0.875, QColor(170, 220, 50)},
        {1.0, QColor(253, 231, 37)},
    });
    return gradient;
}

struct ColourRange {
    QCPRange range;
    bool diverging = false;
};

/// The colour range for values in [low, high]: symmetric about zero when
/// any is negative, else [low, high] (or [0, high], [0, 1] when flat).
ColourRange colourRange(double low, double high)
{
    if (low < 0) {
        const double m = std::max(-low, high);
        return {QCPRange(-m, m), true};
    }
    if (low < high)
        return {QCPRange(low, high), false};
    return {QCPRange(0, high > 0 ? high : 1), false};
}

void showColourRange(QCPColorMap *map, const ColourRange &colours)
{
    map->setGradient(colours.diverging ? divergingGradient() : sequentialGradient());
    map->setDataRange(colours.range);
}

/// The offsets of the cell centres along a kernel side: -anchor to
/// size - 1 - anchor. A single cell gets [-0.5, 0.5], which QCPColorMap
/// draws as that cell (it needs a non-empty range).
QCPRange offsetRange(int size)
{
    if (size == 1)
        return QCPRange(-0.5, 0.5);
    const int anchor = size / 2;
    return QCPRange(-anchor, size - 1 - anchor);
}

/// The coordinates the cells cover, from their centres.
QCPRange cellExtent(const QCPRange &centres, int count)
{
    if (count <= 1)
        return centres;
    const double half = 0.5 * centres.size() / (count - 1);
    return QCPRange(centres.lower - half, centres.upper + half);
}

/// A plot whose axes always show its colour map whole, with square cells,
/// centred, whatever the plot's shape: a 30 degree kernel looks like 30
/// degrees. The fit runs inside every layout pass (screen and export).
class SquareCellPlot : public QCustomPlot {
public:
    using QCustomPlot::QCustomPlot;

    void setMap(QCPColorMap *map) { map_ = map; }

protected:
    void updateLayout() override
    {
        QCustomPlot::updateLayout();
        // The ticks, and so the margins, follow the ranges: lay out again
        // after a fit, until the axis rect stops changing (once or twice).
        for (int pass = 0; pass < 3 && fitRanges(); ++pass)
            QCustomPlot::updateLayout();
    }

private:
    /// True when the ranges changed.
    bool fitRanges()
    {
        const QCPColorMapData *cells = map_ ? map_->data() : nullptr;
        const QRect rect = axisRect()->rect();
        if (!cells || cells->isEmpty() || rect.width() <= 0 || rect.height() <= 0)
            return false;
        const QCPRange x = cellExtent(cells->keyRange(), cells->keySize());
        const QCPRange y = cellExtent(cells->valueRange(), cells->valueSize());
        const double perUnit = std::min(rect.width() / x.size(), rect.height() / y.size());
        const QCPRange fittedX(x.center() - rect.width() / perUnit / 2,
                               x.center() + rect.width() / perUnit / 2);
        const QCPRange fittedY(y.center() - rect.height() / perUnit / 2,
                               y.center() + rect.height() / perUnit / 2);
        const auto same = [](const QCPRange &a, const QCPRange &b) {
            const double tolerance = 1e-9 * b.size();
            return std::abs(a.lower - b.lower) <= tolerance &&
                   std::abs(a.upper - b.upper) <= tolerance;
        };
        if (same(xAxis->range(), fittedX) && same(yAxis->range(), fittedY))
            return false;
        xAxis->setRange(fittedX);
        yAxis->setRange(fittedY);
        return true;
    }

    QCPColorMap *map_ = nullptr;
};

struct ColourMapPlot {
    SquareCellPlot *plot;
    QCPColorMap *map;
    QCPColorScale *scale;
};

/// A square-cell colour map with its colour scale in the next column, the
/// y axis pointing down like image rows.
ColourMapPlot makeColourMapPlot(QWidget *parent, const QString &xLabel, const QString &yLabel)
{
    auto *plot = new SquareCellPlot(parent);
    plot->setMouseTracking(true);
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    plot->yAxis->setRangeReversed(true);
    plot->axisRect()->setupFullAxesBox(true);

    auto *map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->setInterpolate(false);
    plot->setMap(map);

    auto *scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(12);
    map->setColorScale(scale);
    auto *margins = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    return {plot, map, scale};
}

/// The cell under a widget position, when the position is inside the axis
/// rect and over the map.
std::optional<QPoint> cellAt(const QCustomPlot *plot, const QCPColorMap *map, QPointF pos)
{
    const QCPColorMapData *cells = map->data();
    if (cells->isEmpty() || !plot->axisRect()->rect().contains(pos.toPoint()))
        return std::nullopt;
    const auto index = [](double coord, const QCPRange &range, int count) {
        if (count == 1)
            return std::abs(coord) <= 0.5 ? 0L : -1L;
        return std::lround((coord - range.lower) / range.size() * (count - 1));
    };
    const long key = index(plot->xAxis->pixelToCoord(pos.x()), cells->keyRange(), cells->keySize());
    const long value =
        index(plot->yAxis->pixelToCoord(pos.y()), cells->valueRange(), cells->valueSize());
    if (key < 0 || key >= cells->keySize() || value < 0 || value >= cells->valueSize())
        return std::nullopt;
    return QPoint(static_cast<int>(key), static_cast<int>(value));
}

enum class ImageFormat { Png, Pdf };

std::optional<ImageFormat> imageFormatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return ImageFormat::Png;
    if (suffix == QLatin1String("pdf"))
        return ImageFormat::Pdf;
    return std::nullopt;
}

QString saveError(const QString &path, const QString &reason)
{
    return QStringLiteral("cannot save '%1': %2").arg(path, reason);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

QByteArray pngBytes(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG"))
        bytes.clear();
    return bytes;
}

/// A one-page PDF the size of size pixels at dpi, painted by paint in pixel
/// coordinates: text and lines keep the proportions they have on screen.
QByteArray pdfBytes(QSize size, int dpi, const QString &title,
                    const std::function<void(QCPPainter &)> &paint)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setCreator(QStringLiteral("Kernelscope"));
        writer.setTitle(title);
        writer.setResolution(dpi);
        writer.setPageSize(QPageSize(QSizeF(size) * 72.0 / dpi, QPageSize::Point, QString(),
                                     QPageSize::ExactMatch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter;
        if (!painter.begin(&writer))
            return {};
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        paint(painter);
        painter.end();
    }
    return bytes;
}

/// Writes bytes through the project's atomic writer.
bool saveBytes(const QString &path, const QByteArray &bytes, QString *error)
{
    try {
        const std::span<const char> chars(bytes.constData(),
                                          static_cast<std::size_t>(bytes.size()));
        writeFileAtomically(std::filesystem::path(path.toStdString()), std::as_bytes(chars));
        return true;
    } catch (const FileError &e) {
        setError(error, QString::fromUtf8(e.what()));
        return false;
    }
}

bool saveImage(const QString &path, const QImage &image, int dpi, const QString &title,
               QString *error)
{
    const std::optional<ImageFormat> format = imageFormatOf(path);
    if (!format) {
        setError(error, saveError(path, QStringLiteral("unknown extension (use .png or .pdf)")));
        return false;
    }
    const QByteArray bytes =
        *format == ImageFormat::Png
            ? pngBytes(image)
            : pdfBytes(image.size(), dpi, title, [&](QCPPainter &p) { p.drawImage(0, 0, image); });
    if (bytes.isEmpty()) {
        setError(error, saveError(path, QStringLiteral("the image could not be encoded")));
        return false;
    }
    return saveBytes(path, bytes, error);
}

QString degreesText(double degrees)
{
    return numberText(degrees) + QStringLiteral("°");
}

/// The thumbnail of kernel, nearest-neighbour sampled to size x size.
QImage thumbnail(const cv::Mat &kernel, const QCPRange &range, QCPColorGradient &gradient, int size)
{
    QImage image(size, size, QImage::Format_RGB32);
    for (int y = 0; y < size; ++y) {
        const auto *row = kernel.ptr<double>(y * kernel.rows / size);
        auto *out = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < size; ++x)
            out[x] = gradient.color(row[x * kernel.cols / size], range);
    }
    return image;
}

QImage renderMontage(const std::vector<cv::Mat> &kernels, int orientations, int scales,
                     const std::vector<GaborSpec> &specs, const QFont &font)
{
    double low = HUGE_VAL;
    double high = -HUGE_VAL;
    for (const cv::Mat &k : kernels) {
        double kLow = 0;
        double kHigh = 0;
        cv::minMaxLoc(k, &kLow, &kHigh);
        low = std::min(low, kLow);
        high = std::max(high, kHigh);
    }
    // One range for the whole bank, so the thumbnails compare.
    const ColourRange colours = colourRange(low, high);
    QCPColorGradient gradient = colours.diverging ? divergingGradient() : sequentialGradient();

    QImage image(KernelPlots::bankMontageSize(orientations, scales), QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setFont(font);
    painter.setPen(Qt::black);
    for (int i = 0; i < orientations; ++i) {
        const QRect cell = KernelPlots::bankThumbnailRect(0, i);
        const QString label = specs.empty() ? QStringLiteral("θ #%1").arg(i + 1)
                                            : QStringLiteral("θ %1").arg(degreesText(
                                                  specs[static_cast<std::size_t>(i)].theta_deg));
        painter.drawText(
            QRect(cell.left() - kThumbnailGap / 2, 0, kThumbnailPitch, kColumnLabelHeight),
            Qt::AlignCenter, label);
    }
    for (int s = 0; s < scales; ++s) {
        const QRect cell = KernelPlots::bankThumbnailRect(s, 0);
        const std::size_t first = static_cast<std::size_t>(s * orientations);
        const QString label = specs.empty() ? QStringLiteral("scale %1").arg(s + 1)
                                            : QStringLiteral("σ %1\nλ %2")
                                                  .arg(numberText(specs[first].sigma),
                                                       numberText(specs[first].lambda));
        painter.drawText(QRect(4, cell.top(), kRowLabelWidth - 8, cell.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, label);
        for (int i = 0; i < orientations; ++i) {
            const cv::Mat &k = kernels[first + static_cast<std::size_t>(i)];
            painter.drawImage(KernelPlots::bankThumbnailRect(s, i).topLeft(),
                              thumbnail(k, colours.range, gradient, KernelPlots::kThumbnailSize));
        }
    }
    const QString rangeText =
        QStringLiteral("colours: %1 to %2 (%3 × %4 taps)")
            .arg(numberText(colours.range.lower), numberText(colours.range.upper))
            .arg(kernels.front().cols)
            .arg(kernels.front().rows);
    painter.drawText(QRect(4, image.height() - kFooterHeight, image.width() - 8, kFooterHeight),
                     Qt::AlignLeft | Qt::AlignVCenter, rangeText);
    return image;
}

} // namespace

KernelPlots::KernelPlots(QWidget *parent)
    : QWidget(parent), tabs_(new QTabWidget(this)), scaleBox_(new QComboBox(this)),
      exportButton_(new QToolButton(this)), hover_(new QLabel(this))
{
    const ColourMapPlot heat = makeColourMapPlot(this, tr("dx (px)"), tr("dy (px)"));
    heatmap_ = heat.plot;
    colorMap_ = heat.map;
    colorScale_ = heat.scale;
    colorScale_->axis()->setLabel(tr("tap value"));
    // One tick per tap while they fit, multiples of one beyond.
    QSharedPointer<QCPAxisTickerFixed> taps(new QCPAxisTickerFixed);
    taps->setTickStep(1);
    taps->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    heatmap_->xAxis->setTicker(taps);
    heatmap_->yAxis->setTicker(taps);
    heatmap_->setObjectName(QStringLiteral("heatmap"));

    const ColourMapPlot freq = makeColourMapPlot(this, tr("fx (cycles/px)"), tr("fy (cycles/px)"));
    frequency_ = freq.plot;
    frequencyMap_ = freq.map;
    frequencyScaleBar_ = freq.scale;
    frequency_->setObjectName(QStringLiteral("frequency"));

    profiles_ = new QCustomPlot(this);
    profiles_->setObjectName(QStringLiteral("profiles"));
    profiles_->xAxis->setLabel(tr("offset from the centre (px)"));
    profiles_->yAxis->setLabel(tr("tap value"));
    profiles_->legend->setVisible(true);
    const struct {
        QColor colour;
        QCPScatterStyle::ScatterShape shape;
    } styles[] = {{QColor(31, 119, 180), QCPScatterStyle::ssCircle},
                  {QColor(255, 127, 14), QCPScatterStyle::ssSquare}};
    for (const auto &style : styles) {
        QCPGraph *graph = profiles_->addGraph();
        graph->setPen(QPen(style.colour, 1.5));
        graph->setScatterStyle(QCPScatterStyle(style.shape, style.colour, 4));
    }
    along_ = profiles_->graph(0);
    across_ = profiles_->graph(1);

    bankView_ = new QLabel(tr("Turn on Bank in the Gabor parameters"));
    bankView_->setObjectName(QStringLiteral("bank"));
    bankView_->setAlignment(Qt::AlignCenter);
    bankView_->setWordWrap(true);
    bankArea_ = new QScrollArea(this);
    bankArea_->setWidget(bankView_);
    bankArea_->setWidgetResizable(true);
    bankArea_->setAlignment(Qt::AlignCenter);

    tabs_->addTab(heatmap_, tr("Heatmap"));
    tabs_->addTab(frequency_, tr("Frequency"));
    tabs_->addTab(profiles_, tr("Profiles"));
    tabs_->addTab(bankArea_, tr("Bank"));
    tabs_->setTabToolTip(0, tr("The kernel's taps, as they lie on the image (dy grows "
                               "downwards). Blue is negative, red positive."));
    tabs_->setTabToolTip(1, tr("The magnitude of the kernel's frequency response: which "
                               "stripes it passes, in cycles per pixel."));
    tabs_->setTabToolTip(2, tr("The kernel through its centre, along and across its "
                               "orientation (Gabor, Derivative) or along x and y."));
    tabs_->setTabToolTip(3, tr("The Gabor bank: scales in rows, orientations in columns."));

    scaleBox_->setObjectName(QStringLiteral("frequencyScale"));
    scaleBox_->addItem(tr("Linear"));
    scaleBox_->addItem(tr("dB"));
    scaleBox_->setToolTip(tr("Show |H| on a linear scale, or in decibels (20 log10 |H|) over "
                             "the top %1 dB.")
                              .arg(kDecibelRange));

    exportButton_->setText(tr("Export"));
    exportButton_->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(exportButton_);
    menu->addAction(tr("Plot as PNG or PDF…"), this, &KernelPlots::exportDialog);
    menu->addAction(tr("Kernel values (CSV, NumPy, JSON)…"), this,
                    &KernelPlots::kernelExportRequested);
    exportButton_->setMenu(menu);

    hover_->setObjectName(QStringLiteral("hover"));
    hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    hover_->setMinimumHeight(hover_->fontMetrics().height());

    auto *controls = new QHBoxLayout;
    controls->addWidget(scaleBox_);
    controls->addStretch(1);
    controls->addWidget(exportButton_);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(tabs_, 1);
    layout->addWidget(hover_);

    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        scaleBox_->setVisible(currentTab() == Tab::Frequency);
        setHoverText({});
        refreshCurrentTab();
    });
    connect(scaleBox_, &QComboBox::currentIndexChanged, this, [this](int index) {
        setFrequencyScale(index == 1 ? FrequencyScale::Decibel : FrequencyScale::Linear);
    });
    connect(heatmap_, &QCustomPlot::mouseMove, this, &KernelPlots::heatmapHovered);
    connect(frequency_, &QCustomPlot::mouseMove, this, &KernelPlots::frequencyHovered);
    heatmap_->installEventFilter(this);
    frequency_->installEventFilter(this);
    scaleBox_->setVisible(false);
}

KernelPlots::~KernelPlots() = default;

void KernelPlots::setKernel(const cv::Mat &kernel64F, const FilterSpec &spec)
{
    if (!kernel64F.empty() && kernel64F.type() != CV_64FC1)
        throw std::invalid_argument("KernelPlots::setKernel: the kernel must be CV_64FC1");
    // A copy: the caller may reuse its buffer while the hidden tabs wait.
    kernel_ = kernel64F.clone();
    spec_ = spec;
    heatmapStale_ = spectrumStale_ = frequencyStale_ = profilesStale_ = true;
    refreshCurrentTab();
}

void KernelPlots::setBank(const std::vector<cv::Mat> &kernels, int orientations, int scales,
                          const std::vector<GaborSpec> &specs)
{
    if (!kernels.empty() && (orientations < 1 || scales < 1 ||
                             kernels.size() != static_cast<std::size_t>(orientations) *
                                                   static_cast<std::size_t>(scales)))
        throw std::invalid_argument("KernelPlots::setBank: expected orientations * scales kernels");
    if (!specs.empty() && specs.size() != kernels.size())
        throw std::invalid_argument("KernelPlots::setBank: expected one spec per kernel");
    for (const cv::Mat &k : kernels)
        if (k.empty() || k.type() != CV_64FC1)
            throw std::invalid_argument("KernelPlots::setBank: the kernels must be CV_64FC1");

    if (kernels.empty()) {
        montage_ = QImage();
        bankView_->setPixmap(QPixmap());
        bankView_->setText(tr("Turn on Bank in the Gabor parameters"));
        return;
    }
    montage_ = renderMontage(kernels, orientations, scales, specs, font());
    bankView_->setPixmap(QPixmap::fromImage(montage_));
}

void KernelPlots::setFrequencyScale(FrequencyScale scale)
{
    {
        const QSignalBlocker blocker(scaleBox_);
        scaleBox_->setCurrentIndex(scale == FrequencyScale::Decibel ? 1 : 0);
    }
    if (scale == frequencyScale_)
        return;
    frequencyScale_ = scale;
    frequencyStale_ = true;
    refreshCurrentTab();
}

void KernelPlots::setCurrentTab(Tab tab)
{
    tabs_->setCurrentIndex(static_cast<int>(tab));
}

KernelPlots::Tab KernelPlots::currentTab() const
{
    return static_cast<Tab>(tabs_->currentIndex());
}

QString KernelPlots::hoverText() const
{
    return hover_->text();
}

QSize KernelPlots::bankMontageSize(int orientations, int scales)
{
    return {kRowLabelWidth + orientations * kThumbnailPitch,
            kColumnLabelHeight + scales * kThumbnailPitch + kFooterHeight};
}

QRect KernelPlots::bankThumbnailRect(int scale, int orientation)
{
    return {kRowLabelWidth + orientation * kThumbnailPitch,
            kColumnLabelHeight + scale * kThumbnailPitch, kThumbnailSize, kThumbnailSize};
}

bool KernelPlots::exportPlot(const QString &path, QString *error)
{
    if (currentTab() == Tab::Bank)
        return exportMontage(path, error);
    const std::optional<ImageFormat> format = imageFormatOf(path);
    if (!format) {
        setError(error, saveError(path, QStringLiteral("unknown extension (use .png or .pdf)")));
        return false;
    }
    refreshCurrentTab();
    QCustomPlot *plot = currentPlot();
    const QSize size = plot->size().expandedTo(kMinExportSize);
    const QByteArray bytes =
        *format == ImageFormat::Png
            ? pngBytes(plot->toPixmap(size.width(), size.height()).toImage())
            : pdfBytes(size, logicalDpiY(), tabs_->tabText(tabs_->currentIndex()),
                       [&](QCPPainter &painter) {
                           plot->toPainter(&painter, size.width(), size.height());
                       });
    if (bytes.isEmpty()) {
        setError(error, saveError(path, QStringLiteral("the plot could not be rendered")));
        return false;
    }
    return saveBytes(path, bytes, error);
}

bool KernelPlots::exportMontage(const QString &path, QString *error)
{
    if (montage_.isNull()) {
        setError(error, saveError(path, QStringLiteral("there is no Gabor bank (turn on Bank in "
                                                       "the Gabor parameters)")));
        return false;
    }
    return saveImage(path, montage_, logicalDpiY(), tr("Gabor bank"), error);
}

bool KernelPlots::exportKernel(const QString &path, QString *error)
{
    if (kernel_.empty()) {
        setError(error, saveError(path, QStringLiteral("there is no kernel")));
        return false;
    }
    try {
        saveKernels(std::filesystem::path(path.toStdString()), {kernel_}, spec_);
        return true;
    } catch (const KernelIoError &e) {
        setError(error, QString::fromUtf8(e.what()));
    } catch (const FileError &e) {
        setError(error, QString::fromUtf8(e.what()));
    }
    return false;
}

bool KernelPlots::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Leave && (watched == heatmap_ || watched == frequency_))
        setHoverText({});
    return QWidget::eventFilter(watched, event);
}

QCustomPlot *KernelPlots::currentPlot() const
{
    switch (currentTab()) {
    case Tab::Heatmap:
        return heatmap_;
    case Tab::Frequency:
        return frequency_;
    case Tab::Profiles:
        return profiles_;
    case Tab::Bank:
        break;
    }
    return nullptr;
}

void KernelPlots::refreshCurrentTab()
{
    switch (currentTab()) {
    case Tab::Heatmap:
        if (heatmapStale_)
            refreshHeatmap();
        break;
    case Tab::Frequency:
        if (spectrumStale_ || frequencyStale_)
            refreshFrequency();
        break;
    case Tab::Profiles:
        if (profilesStale_)
            refreshProfiles();
        break;
    case Tab::Bank:
        break;
    }
}

void KernelPlots::refreshHeatmap()
{
    heatmapStale_ = false;
    QCPColorMapData *cells = colorMap_->data();
    if (kernel_.empty()) {
        cells->clear();
        heatmap_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    // Resizing reallocates; a slider that keeps the size only rewrites cells.
    if (cells->keySize() != kernel_.cols || cells->valueSize() != kernel_.rows)
        cells->setSize(kernel_.cols, kernel_.rows);
    cells->setRange(offsetRange(kernel_.cols), offsetRange(kernel_.rows));
    // Kernel row i is dy = i - anchor: value index i, drawn downwards.
    for (int i = 0; i < kernel_.rows; ++i) {
        const auto *row = kernel_.ptr<double>(i);
        for (int j = 0; j < kernel_.cols; ++j)
            cells->setCell(j, i, row[j]);
    }
    double low = 0;
    double high = 0;
    cv::minMaxLoc(kernel_, &low, &high);
    showColourRange(colorMap_, colourRange(low, high));
    heatmap_->replot(QCustomPlot::rpQueuedReplot);
}

void KernelPlots::refreshFrequency()
{
    if (spectrumStale_) {
        spectrumStale_ = false;
        spectrum_ = kernel_.empty() ? KernelSpectrum{} : kernelSpectrum(kernel_, kFrequencyMinSize);
    }
    refreshFrequencyCells();
}

void KernelPlots::refreshFrequencyCells()
{
    frequencyStale_ = false;
    QCPColorMapData *cells = frequencyMap_->data();
    const int n = spectrum_.size;
    if (n == 0) {
        cells->clear();
        frequency_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    if (cells->keySize() != n || cells->valueSize() != n)
        cells->setSize(n, n);
    const QCPRange frequencies(spectrum_.frequency(0), spectrum_.frequency(n - 1));
    cells->setRange(frequencies, frequencies);

    double peak = 0;
    cv::minMaxLoc(spectrum_.magnitude, nullptr, &peak);
    const bool decibel = frequencyScale_ == FrequencyScale::Decibel;
    // Zeros would be -inf dB: show them at the floor.
    const double floorMagnitude = peak > 0 ? peak * 1e-6 : 1e-300;
    for (int v = 0; v < n; ++v) {
        const auto *row = spectrum_.magnitude.ptr<double>(v);
        for (int u = 0; u < n; ++u)
            cells->setCell(u, v,
                           decibel ? 20 * std::log10(std::max(row[u], floorMagnitude)) : row[u]);
    }
    if (decibel) {
        const double top = 20 * std::log10(std::max(peak, floorMagnitude));
        showColourRange(frequencyMap_, {QCPRange(top - kDecibelRange, top), false});
        frequencyScaleBar_->axis()->setLabel(tr("|H| (dB)"));
    } else {
        showColourRange(frequencyMap_, {QCPRange(0, peak > 0 ? peak : 1), false});
        frequencyScaleBar_->axis()->setLabel(tr("|H|"));
    }
    frequency_->replot(QCustomPlot::rpQueuedReplot);
}

void KernelPlots::refreshProfiles()
{
    profilesStale_ = false;
    if (kernel_.empty()) {
        along_->data()->clear();
        across_->data()->clear();
        profiles_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    double angle = 0;
    QString alongName = tr("x");
    QString acrossName = tr("y");
    if (const auto *gabor = std::get_if<GaborSpec>(&spec_)) {
        angle = gabor->theta_deg;
        alongName = tr("along θ (%1)").arg(degreesText(angle));
        acrossName = tr("across θ (%1)").arg(degreesText(angle + 90));
    } else if (const auto *derivative = std::get_if<DerivativeSpec>(&spec_)) {
        angle = derivative->angle_deg;
        alongName = tr("along the angle (%1)").arg(degreesText(angle));
        acrossName = tr("across the angle (%1)").arg(degreesText(angle + 90));
    }

    double low = 0;
    double high = 0;
    double first = 0;
    double last = 0;
    for (QCPGraph *graph : {along_, across_}) {
        const std::vector<ProfileSample> samples =
            kernelProfile(kernel_, graph == along_ ? angle : angle + 90);
        QVector<double> offsets;
        QVector<double> values;
        offsets.reserve(static_cast<qsizetype>(samples.size()));
        values.reserve(static_cast<qsizetype>(samples.size()));
        for (const ProfileSample &s : samples) {
            offsets.append(s.offset);
            values.append(s.value);
            low = std::min(low, s.value);
            high = std::max(high, s.value);
        }
        first = std::min(first, samples.front().offset);
        last = std::max(last, samples.back().offset);
        graph->setData(offsets, values, true);
    }
    along_->setName(alongName);
    across_->setName(acrossName);
    const double margin = high > low ? 0.05 * (high - low) : 1;
    profiles_->xAxis->setRange(first - 0.5, last + 0.5);
    profiles_->yAxis->setRange(low - margin, high + margin);
    profiles_->replot(QCustomPlot::rpQueuedReplot);
}

void KernelPlots::heatmapHovered(QMouseEvent *event)
{
    const std::optional<QPoint> cell = cellAt(heatmap_, colorMap_, event->position());
    if (!cell || kernel_.empty()) {
        setHoverText({});
        return;
    }
    const int dx = cell->x() - kernel_.cols / 2;
    const int dy = cell->y() - kernel_.rows / 2;
    setHoverText(QStringLiteral("offset (%1, %2): %3")
                     .arg(dx)
                     .arg(dy)
                     .arg(numberText(kernel_.at<double>(cell->y(), cell->x()))));
}

void KernelPlots::frequencyHovered(QMouseEvent *event)
{
    const std::optional<QPoint> bin = cellAt(frequency_, frequencyMap_, event->position());
    if (!bin || spectrum_.size == 0) {
        setHoverText({});
        return;
    }
    const double magnitude = spectrum_.magnitude.at<double>(bin->y(), bin->x());
    setHoverText(QStringLiteral("frequency (%1, %2) cycles/px: |H| = %3 (%4 dB)")
                     .arg(numberText(spectrum_.frequency(bin->x())),
                          numberText(spectrum_.frequency(bin->y())), numberText(magnitude),
                          QString::number(20 * std::log10(magnitude), 'f', 1)));
}

void KernelPlots::setHoverText(const QString &text)
{
    if (text == hover_->text())
        return;
    hover_->setText(text);
    emit hoverTextChanged(text);
}

void KernelPlots::exportDialog()
{
    const bool bank = currentTab() == Tab::Bank;
    const QString name =
        bank ? QStringLiteral("gabor-bank.png")
             : QStringLiteral("kernel-%1.png").arg(tabs_->tabText(tabs_->currentIndex()).toLower());
    const QString folder = QSettings().value(QStringLiteral("lastFolder")).toString();
    QString selected;
    QString path =
        QFileDialog::getSaveFileName(this, tr("Export Plot"), QDir(folder).filePath(name),
                                     tr("PNG image (*.png);;PDF document (*.pdf)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QLatin1String("pdf")) ? QStringLiteral(".pdf")
                                                        : QStringLiteral(".png");
    QString error;
    if (!exportPlot(path, &error))
        QMessageBox::warning(this, tr("Export Plot"), error);
}

} // namespace ks
