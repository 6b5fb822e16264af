// Tests for ui/kernel_plots.cpp: what the plots hold (read back from
// QCustomPlot's own data), where it is drawn, hover read-outs, exports and
// the bank montage.
//
// Expected values come from the kernels themselves, closed forms (the Gabor
// passband at +-(cos theta, sin theta) / lambda) and kernelProfile (tested
// on its own in tst_kernel_spectrum).

#include "core/atomic_file.h"
#include "core/filter_spec.h"
#include "core/kernel_io.h"
#include "core/kernel_spectrum.h"
#include "core/kernels.h"
#include "ui/kernel_plots.h"

#include "test_fixtures.h"

#include <opencv2/core.hpp>

#include <qcustomplot.h>

#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

Q_DECLARE_METATYPE(cv::Mat)
Q_DECLARE_METATYPE(ks::FilterSpec)
Q_DECLARE_METATYPE(ks::KernelPlots::Tab)

using ks::KernelPlots;
using Tab = ks::KernelPlots::Tab;

namespace {

constexpr double kPi = 3.14159265358979323846;

/// rows x cols taps 1, 2, 3, ... in row-major order: every tap distinct.
cv::Mat countingKernel(int rows, int cols, double scale = 1.0)
{
    cv::Mat k(rows, cols, CV_64FC1);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            k.at<double>(i, j) = (i * cols + j + 1) * scale;
    return k;
}

ks::GaborSpec gabor(int ksize, double theta, double lambda, double sigma = 4.0)
{
    ks::GaborSpec g;
    g.ksize = ksize;
    g.theta_deg = theta;
    g.lambda = lambda;
    g.sigma = sigma;
    return g;
}

/// The kernel of spec, shown.
cv::Mat show(KernelPlots &plots, const ks::FilterSpec &spec)
{
    const cv::Mat kernel = ks::makeKernel(spec);
    plots.setKernel(kernel, spec);
    return kernel;
}

bool sameColour(QRgb a, QRgb b, int tolerance = 2)
{
    return std::abs(qRed(a) - qRed(b)) <= tolerance &&
           std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

QByteArray fileStart(const QString &path, int n)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(n);
}

const QByteArray kPngMagic("\x89PNG\r\n\x1a\n", 8);
const QByteArray kPdfMagic("%PDF-");

/// Sends a mouse move to a plot, as the window system would.
void moveMouse(QWidget *widget, QPointF pos)
{
    QMouseEvent event(QEvent::MouseMove, pos, widget->mapToGlobal(pos), Qt::NoButton, Qt::NoButton,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &event);
}

/// The cell with the largest value among those where keep(key, value)
/// holds, as (key, value) coordinates.
template <typename Keep> QPointF argmaxCell(QCPColorMapData *cells, Keep keep)
{
    QPointF best;
    double bestValue = -HUGE_VAL;
    for (int v = 0; v < cells->valueSize(); ++v) {
        for (int u = 0; u < cells->keySize(); ++u) {
            double key = 0;
            double value = 0;
            cells->cellToCoord(u, v, &key, &value);
            if (keep(key, value) && cells->cell(u, v) > bestValue) {
                bestValue = cells->cell(u, v);
                best = {key, value};
            }
        }
    }
    return best;
}

} // namespace

class TestKernelPlots : public QObject {
    Q_OBJECT

private slots:
    void heatmapCellsEqualKernel_data();
    void heatmapCellsEqualKernel();

    void heatmapOrientationOnScreen();

    void colourRange_data();
    void colourRange();

    void frequencyPeak_data();
    void frequencyPeak();

    void frequencyDecibel();

    void profiles_data();
    void profiles();

    void hiddenTabsCatchUp();

    void hoverShowsExactValue();

    void exportPlot_data();
    void exportPlot();

    void exportBadPath_data();
    void exportBadPath();

    void exportKernelValues();

    void montage();
    void montageExport();
    void noBank();
    void bankSizeMismatch();

    void emptyKernelClears();

    void largeKernels_data();
    void largeKernels();
};

void TestKernelPlots::heatmapCellsEqualKernel_data()
{
    QTest::addColumn<cv::Mat>("kernel");

    QTest::newRow("3x5 counting") << countingKernel(3, 5);
    QTest::newRow("5x3 counting") << countingKernel(5, 3, -0.25);
    QTest::newRow("4x6 even") << countingKernel(4, 6, 0.5);
    QTest::newRow("1x7 row") << countingKernel(1, 7);
    QTest::newRow("1x1") << countingKernel(1, 1, 3);
    QTest::newRow("gabor 31, 30 degrees") << ks::makeKernel(gabor(31, 30, 10));
}

void TestKernelPlots::heatmapCellsEqualKernel()
{
    QFETCH(cv::Mat, kernel);

    KernelPlots plots;
    plots.setKernel(kernel, ks::CustomSpec{});
    QCPColorMap *map = plots.colorMap();
    QCPColorMapData *cells = map->data();
    QCOMPARE(cells->keySize(), kernel.cols);
    QCOMPARE(cells->valueSize(), kernel.rows);
    QVERIFY(!map->interpolate());
    QVERIFY(plots.heatmapPlot()->yAxis->rangeReversed());
    QVERIFY(!plots.heatmapPlot()->xAxis->rangeReversed());

    const int ax = kernel.cols / 2;
    const int ay = kernel.rows / 2;
    for (int i = 0; i < kernel.rows; ++i) {
        for (int j = 0; j < kernel.cols; ++j) {
            // Kernel row i, column j: key (x) index j, value (y) index i ...
            QCOMPARE(cells->cell(j, i), kernel.at<double>(i, j));
            // ... whose centre is at offset (j - ax, i - ay).
            if (kernel.cols > 1 && kernel.rows > 1) {
                double x = 0;
                double y = 0;
                cells->cellToCoord(j, i, &x, &y);
                QCOMPARE(x, static_cast<double>(j - ax));
                QCOMPARE(y, static_cast<double>(i - ay));
            }
            QCOMPARE(cells->data(j - ax, i - ay), kernel.at<double>(i, j));
        }
    }
}

void TestKernelPlots::heatmapOrientationOnScreen()
{
    // 3 x 5, taps 1..15: tap 5 (row 0, column 4) is at offset (2, -1), the
    // top right as the kernel lies on the image; tap 11 (row 2, column 0)
    // is at (-2, 1), the bottom left.
    KernelPlots plots;
    const cv::Mat kernel = countingKernel(3, 5);
    plots.setKernel(kernel, ks::CustomSpec{});
    QCustomPlot *plot = plots.heatmapPlot();
    const QImage image = plot->toPixmap(500, 400).toImage();
    QCPColorGradient gradient = plots.colorMap()->gradient();
    const QCPRange range = plots.colorMap()->dataRange();

    for (int i = 0; i < kernel.rows; ++i) {
        for (int j = 0; j < kernel.cols; ++j) {
            const int px = static_cast<int>(plot->xAxis->coordToPixel(j - 2));
            const int py = static_cast<int>(plot->yAxis->coordToPixel(i - 1));
            const QRgb expected = gradient.color(kernel.at<double>(i, j), range);
            QVERIFY2(sameColour(image.pixel(px, py), expected),
                     qPrintable(QStringLiteral("tap (%1, %2) at pixel (%3, %4)")
                                    .arg(i)
                                    .arg(j)
                                    .arg(px)
                                    .arg(py)));
        }
    }
    // Right and down on screen are +dx and +dy.
    QVERIFY(plot->xAxis->coordToPixel(2) > plot->xAxis->coordToPixel(-2));
    QVERIFY(plot->yAxis->coordToPixel(1) > plot->yAxis->coordToPixel(-1));
    // Square cells: one tap is as wide as it is tall.
    const double width = plot->xAxis->coordToPixel(1) - plot->xAxis->coordToPixel(0);
    const double height = plot->yAxis->coordToPixel(1) - plot->yAxis->coordToPixel(0);
    QVERIFY2(std::abs(width - height) < 0.5,
             qPrintable(QStringLiteral("cell %1 x %2 px").arg(width).arg(height)));
}

void TestKernelPlots::colourRange_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<bool>("hasNegative");

    QTest::newRow("gabor") << ks::FilterSpec(gabor(31, 30, 10)) << true;
    QTest::newRow("gabor odd") << ks::FilterSpec([] {
        ks::GaborSpec g = gabor(21, 60, 8);
        g.psi_deg = 90;
        return g;
    }()) << true;
    QTest::newRow("derivative") << ks::FilterSpec(ks::DerivativeSpec{}) << true;
    QTest::newRow("sharpen") << ks::FilterSpec(ks::CustomSpec{}) << true;
    QTest::newRow("mostly negative")
        << ks::FilterSpec(ks::CustomSpec{1, 3, {-4, -1, 0.5}, false}) << true;
    QTest::newRow("gaussian") << ks::FilterSpec(ks::GaussianSpec{15, 2}) << false;
    QTest::newRow("box") << ks::FilterSpec(ks::BoxSpec{5, true}) << false;
    QTest::newRow("identity") << ks::FilterSpec(ks::IdentitySpec{}) << false;
    QTest::newRow("zeros") << ks::FilterSpec(ks::CustomSpec{2, 2, {0, 0, 0, 0}, false}) << false;
}

void TestKernelPlots::colourRange()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(bool, hasNegative);

    KernelPlots plots;
    const cv::Mat kernel = show(plots, spec);
    double low = 0;
    double high = 0;
    cv::minMaxLoc(kernel, &low, &high);
    const QCPRange range = plots.colorMap()->dataRange();
    QCPColorGradient gradient = plots.colorMap()->gradient();
    const QColor zero = QColor::fromRgb(gradient.color(0, QCPRange(-1, 1)));
    if (hasNegative) {
        const double m = std::max(std::abs(low), std::abs(high));
        QCOMPARE(range.lower, -m);
        QCOMPARE(range.upper, m);
        // Diverging: white in the middle, blue below, red above.
        QVERIFY(zero.lightness() > 235);
        const QColor negative = QColor::fromRgb(gradient.color(-1, QCPRange(-1, 1)));
        const QColor positive = QColor::fromRgb(gradient.color(1, QCPRange(-1, 1)));
        QVERIFY(negative.blue() > negative.red());
        QVERIFY(positive.red() > positive.blue());
    } else {
        if (low < high) {
            QCOMPARE(range.lower, low);
            QCOMPARE(range.upper, high);
        } else {
            QCOMPARE(range.lower, 0.0);
            QCOMPARE(range.upper, high > 0 ? high : 1.0);
        }
        // Sequential: dark at the bottom, light at the top.
        QVERIFY(QColor::fromRgb(gradient.color(0, QCPRange(0, 1))).lightness() <
                QColor::fromRgb(gradient.color(1, QCPRange(0, 1))).lightness());
    }
    QCOMPARE(plots.colorScale()->dataRange(), range);
}

void TestKernelPlots::frequencyPeak_data()
{
    QTest::addColumn<double>("theta");
    QTest::addColumn<double>("lambda");

    for (const double theta : {0.0, 30.0, 90.0, 135.0, 250.0})
        for (const double lambda : {5.0, 10.0})
            QTest::addRow("theta %g lambda %g", theta, lambda) << theta << lambda;
}

void TestKernelPlots::frequencyPeak()
{
    QFETCH(double, theta);
    QFETCH(double, lambda);

    KernelPlots plots;
    show(plots, gabor(31, theta, lambda, 0.56 * lambda));
    plots.setCurrentTab(Tab::Frequency);
    QCPColorMapData *cells = plots.frequencyMap()->data();
    const int n = cells->keySize();
    QCOMPARE(cells->valueSize(), n);
    QVERIFY(n >= KernelPlots::kFrequencyMinSize);
    QCOMPARE(cells->keyRange(), QCPRange(-0.5, 0.5 - 1.0 / n));
    QCOMPARE(cells->valueRange(), QCPRange(-0.5, 0.5 - 1.0 / n));
    QVERIFY(plots.frequencyPlot()->yAxis->rangeReversed());
    QVERIFY(!plots.frequencyMap()->interpolate());

    const double fx0 = std::cos(theta * kPi / 180) / lambda;
    const double fy0 = std::sin(theta * kPi / 180) / lambda;
    for (const double sign : {1.0, -1.0}) {
        const QPointF peak = argmaxCell(
            cells, [&](double fx, double fy) { return sign * (fx * fx0 + fy * fy0) > 0; });
        QVERIFY2(std::abs(peak.x() - sign * fx0) <= 1.0 / n &&
                     std::abs(peak.y() - sign * fy0) <= 1.0 / n,
                 qPrintable(QStringLiteral("peak at (%1, %2), expected (%3, %4)")
                                .arg(peak.x())
                                .arg(peak.y())
                                .arg(sign * fx0)
                                .arg(sign * fy0)));
    }
}

void TestKernelPlots::frequencyDecibel()
{
    KernelPlots plots;
    const cv::Mat kernel = show(plots, gabor(31, 30, 10));
    plots.setCurrentTab(Tab::Frequency);
    const ks::KernelSpectrum spectrum = ks::kernelSpectrum(kernel, 256);
    QCPColorMapData *cells = plots.frequencyMap()->data();
    QCOMPARE(cells->keySize(), spectrum.size);
    double peak = 0;
    cv::minMaxLoc(spectrum.magnitude, nullptr, &peak);
    QCOMPARE(plots.frequencyMap()->dataRange(), QCPRange(0, peak));

    auto *box = plots.findChild<QComboBox *>(QStringLiteral("frequencyScale"));
    QVERIFY(box);
    box->setCurrentIndex(1); // as the user would
    QCOMPARE(plots.frequencyScale(), KernelPlots::FrequencyScale::Decibel);
    const double top = 20 * std::log10(peak);
    QCOMPARE(plots.frequencyMap()->dataRange(), QCPRange(top - KernelPlots::kDecibelRange, top));
    for (const auto &[row, col] : {std::pair{128, 128}, {120, 150}, {0, 0}, {255, 17}}) {
        const double magnitude = spectrum.magnitude.at<double>(row, col);
        const double expected = 20 * std::log10(std::max(magnitude, peak * 1e-6));
        QVERIFY(std::abs(cells->cell(col, row) - expected) < 1e-9);
    }

    plots.setFrequencyScale(KernelPlots::FrequencyScale::Linear);
    QCOMPARE(box->currentIndex(), 0);
    QCOMPARE(cells->cell(120, 150), spectrum.magnitude.at<double>(150, 120));
}

void TestKernelPlots::profiles_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");
    QTest::addColumn<double>("angle");
    QTest::addColumn<QString>("alongName");
    QTest::addColumn<QString>("acrossName");

    QTest::newRow("gabor 30") << ks::FilterSpec(gabor(31, 30, 10)) << 30.0
                              << QStringLiteral("along θ (30°)")
                              << QStringLiteral("across θ (120°)");
    QTest::newRow("derivative 45")
        << ks::FilterSpec(ks::DerivativeSpec{1, 45, 2, 15}) << 45.0
        << QStringLiteral("along the angle (45°)") << QStringLiteral("across the angle (135°)");
    QTest::newRow("gaussian") << ks::FilterSpec(ks::GaussianSpec{15, 2}) << 0.0
                              << QStringLiteral("x") << QStringLiteral("y");
    QTest::newRow("custom 3x5")
        << ks::FilterSpec(
               ks::CustomSpec{3, 5, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, false})
        << 0.0 << QStringLiteral("x") << QStringLiteral("y");
}

void TestKernelPlots::profiles()
{
    QFETCH(ks::FilterSpec, spec);
    QFETCH(double, angle);
    QFETCH(QString, alongName);
    QFETCH(QString, acrossName);

    KernelPlots plots;
    plots.setCurrentTab(Tab::Profiles);
    const cv::Mat kernel = show(plots, spec);
    QCOMPARE(plots.alongGraph()->name(), alongName);
    QCOMPARE(plots.acrossGraph()->name(), acrossName);
    for (QCPGraph *graph : {plots.alongGraph(), plots.acrossGraph()}) {
        const std::vector<ks::ProfileSample> expected =
            ks::kernelProfile(kernel, graph == plots.alongGraph() ? angle : angle + 90);
        QCOMPARE(graph->dataCount(), static_cast<int>(expected.size()));
        for (int i = 0; i < graph->dataCount(); ++i) {
            QCOMPARE(graph->dataMainKey(i), expected[static_cast<std::size_t>(i)].offset);
            QCOMPARE(graph->dataMainValue(i), expected[static_cast<std::size_t>(i)].value);
        }
    }
    if (alongName == QLatin1String("x")) {
        // Along x through the centre: the centre row itself.
        const QCPGraph *x = plots.alongGraph();
        QCOMPARE(x->dataCount(), kernel.cols);
        for (int j = 0; j < kernel.cols; ++j)
            QCOMPARE(x->dataMainValue(j), kernel.at<double>(kernel.rows / 2, j));
    }
}

void TestKernelPlots::hiddenTabsCatchUp()
{
    KernelPlots plots;
    show(plots, ks::GaussianSpec{15, 2});
    plots.setCurrentTab(Tab::Frequency);
    QCOMPARE(plots.frequencyMap()->data()->keySize(), 256);
    plots.setCurrentTab(Tab::Heatmap);

    // Changed while the other tabs are hidden: they follow when shown.
    const cv::Mat kernel = show(plots, gabor(301, 45, 20, 30));
    QCOMPARE(plots.colorMap()->data()->keySize(), 301);
    plots.setCurrentTab(Tab::Frequency);
    QCOMPARE(plots.frequencyMap()->data()->keySize(), 512);
    const ks::KernelSpectrum spectrum = ks::kernelSpectrum(kernel, 256);
    QCOMPARE(plots.frequencyMap()->data()->cell(300, 200), spectrum.magnitude.at<double>(200, 300));
    plots.setCurrentTab(Tab::Profiles);
    QCOMPARE(plots.alongGraph()->name(), QStringLiteral("along θ (45°)"));
}

void TestKernelPlots::hoverShowsExactValue()
{
    KernelPlots plots;
    plots.resize(600, 500);
    plots.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plots));
    cv::Mat kernel = countingKernel(3, 5);
    kernel.at<double>(0, 4) = 0.1 + 0.2; // 0.30000000000000004: every digit must show
    plots.setKernel(kernel, ks::CustomSpec{});
    QCustomPlot *plot = plots.heatmapPlot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    QSignalSpy spy(&plots, &KernelPlots::hoverTextChanged);

    moveMouse(plot, {plot->xAxis->coordToPixel(2), plot->yAxis->coordToPixel(-1)});
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toString(), QStringLiteral("offset (2, -1): 0.30000000000000004"));
    QCOMPARE(plots.hoverText(), spy.last().at(0).toString());

    moveMouse(plot, {plot->xAxis->coordToPixel(-2) + 3, plot->yAxis->coordToPixel(1) - 3});
    QCOMPARE(spy.last().at(0).toString(), QStringLiteral("offset (-2, 1): 11"));

    // Outside the taps, and leaving the plot, clear it.
    moveMouse(plot, {plot->xAxis->coordToPixel(-2.6), plot->yAxis->coordToPixel(0)});
    QCOMPARE(spy.last().at(0).toString(), QString());
    moveMouse(plot, {plot->xAxis->coordToPixel(0), plot->yAxis->coordToPixel(0)});
    QCOMPARE(spy.last().at(0).toString(), QStringLiteral("offset (0, 0): 8"));
    QEvent leave(QEvent::Leave);
    QCoreApplication::sendEvent(plot, &leave);
    QCOMPARE(spy.last().at(0).toString(), QString());

    // The frequency plot reads out the bin.
    plots.setCurrentTab(Tab::Frequency);
    QCustomPlot *freq = plots.frequencyPlot();
    freq->replot(QCustomPlot::rpImmediateRefresh);
    moveMouse(freq, {freq->xAxis->coordToPixel(0), freq->yAxis->coordToPixel(0)});
    QVERIFY2(spy.last().at(0).toString().startsWith(
                 QStringLiteral("frequency (0, 0) cycles/px: |H| = %1 ")
                     .arg(QString::number(cv::sum(kernel)[0], 'g', 17))),
             qPrintable(spy.last().at(0).toString()));
}

void TestKernelPlots::exportPlot_data()
{
    QTest::addColumn<Tab>("tab");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("magic");

    QTest::newRow("heatmap png") << Tab::Heatmap << "heat.png" << kPngMagic;
    QTest::newRow("heatmap pdf") << Tab::Heatmap << "heat.pdf" << kPdfMagic;
    QTest::newRow("frequency png") << Tab::Frequency << "freq.PNG" << kPngMagic;
    QTest::newRow("frequency pdf") << Tab::Frequency << "freq.pdf" << kPdfMagic;
    QTest::newRow("profiles png") << Tab::Profiles << "prof.png" << kPngMagic;
    QTest::newRow("profiles pdf") << Tab::Profiles << "prof.pdf" << kPdfMagic;
}

void TestKernelPlots::exportPlot()
{
    QFETCH(Tab, tab);
    QFETCH(QString, name);
    QFETCH(QByteArray, magic);

    KernelPlots plots;
    show(plots, gabor(31, 30, 10));
    plots.setCurrentTab(tab);
    QTemporaryDir dir;
    const QString path = dir.filePath(name);
    QString error;
    QVERIFY2(plots.exportPlot(path, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(fileStart(path, magic.size()), magic);
    QVERIFY(QFileInfo(path).size() > 1000);
    if (magic == kPngMagic) {
        const QImage image(path);
        QVERIFY(image.width() >= 640 && image.height() >= 480);
    }
    QCOMPARE(ks::test::entries(ks::test::folderOf(dir)), QStringList{name});
}

void TestKernelPlots::exportBadPath_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("reason");

    QTest::newRow("missing folder png") << "missing/plot.png"
                                        << "does not exist";
    QTest::newRow("missing folder pdf") << "missing/plot.pdf"
                                        << "does not exist";
    QTest::newRow("unknown extension") << "plot.bmp"
                                       << "unknown extension";
    QTest::newRow("no extension") << "plot"
                                  << "unknown extension";
}

void TestKernelPlots::exportBadPath()
{
    QFETCH(QString, name);
    QFETCH(QString, reason);

    KernelPlots plots;
    show(plots, gabor(31, 30, 10));
    QTemporaryDir dir;
    const QString path = dir.filePath(name);
    QString error;
    QVERIFY(!plots.exportPlot(path, &error));
    QVERIFY2(error.contains(QStringLiteral("'%1'").arg(path)), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QVERIFY(ks::test::entries(ks::test::folderOf(dir)).isEmpty());
    QVERIFY(!plots.exportPlot(path, nullptr)); // no error wanted: still refused
}

void TestKernelPlots::exportKernelValues()
{
    KernelPlots plots;
    const cv::Mat kernel = show(plots, gabor(15, 30, 6));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("kernel.csv"));
    QString error;
    QVERIFY2(plots.exportKernel(path, &error), qPrintable(error));
    const ks::CustomSpec read = ks::loadCustomKernel(path.toStdString());
    QCOMPARE(read.rows, 15);
    QCOMPARE(read.cols, 15);
    QCOMPARE(read.values, std::vector<double>(kernel.begin<double>(), kernel.end<double>()));

    QVERIFY(!plots.exportKernel(dir.filePath(QStringLiteral("missing/kernel.npy")), &error));
    QVERIFY2(error.contains(dir.filePath(QStringLiteral("missing/kernel.npy"))), qPrintable(error));
}

void TestKernelPlots::montage()
{
    // 4 orientations x 2 scales of constant kernels -3.5, -2.5, ..., 3.5:
    // thumbnail (s, i) must be filled with value s * 4 + i - 3.5 on the
    // shared range [-3.5, 3.5].
    const int orientations = 4;
    const int scales = 2;
    std::vector<cv::Mat> kernels;
    for (int k = 0; k < orientations * scales; ++k)
        kernels.emplace_back(9, 9, CV_64FC1, cv::Scalar(k - 3.5));
    KernelPlots plots;
    plots.setBank(kernels, orientations, scales);
    const QImage montage = plots.bankMontage();
    QCOMPARE(montage.size(), KernelPlots::bankMontageSize(orientations, scales));
    QVERIFY(montage.width() >= orientations * KernelPlots::kThumbnailSize);
    QVERIFY(montage.height() >= scales * KernelPlots::kThumbnailSize);

    // The heat map of a signed kernel uses the same diverging gradient.
    plots.setKernel(cv::Mat(1, 2, CV_64FC1, cv::Scalar(-1)), ks::CustomSpec{});
    QCPColorGradient gradient = plots.colorMap()->gradient();
    const QCPRange range(-3.5, 3.5);
    for (int s = 0; s < scales; ++s) {
        for (int i = 0; i < orientations; ++i) {
            const QRect cell = KernelPlots::bankThumbnailRect(s, i);
            QCOMPARE(cell.size(), QSize(KernelPlots::kThumbnailSize, KernelPlots::kThumbnailSize));
            QVERIFY(QRect(QPoint(0, 0), montage.size()).contains(cell));
            const QRgb expected = gradient.color(s * orientations + i - 3.5, range);
            for (const QPoint p : {cell.topLeft(), cell.center(), cell.bottomRight()})
                QVERIFY2(sameColour(montage.pixel(p), expected, 0),
                         qPrintable(QStringLiteral("thumbnail (%1, %2)").arg(s).arg(i)));
        }
    }

    // A Gabor bank: the centre pixel of each thumbnail is its centre tap.
    std::vector<cv::Mat> bank;
    std::vector<ks::GaborSpec> specs;
    for (int s = 0; s < scales; ++s) {
        for (int i = 0; i < orientations; ++i) {
            specs.push_back(gabor(31, i * 45.0, 6.0 * (s + 1), 2.0 * (s + 1)));
            bank.push_back(ks::makeKernel(specs.back()));
        }
    }
    plots.setBank(bank, orientations, scales, specs);
    double m = 0;
    for (const cv::Mat &k : bank)
        m = std::max(m, cv::norm(k, cv::NORM_INF));
    for (int k = 0; k < orientations * scales; ++k) {
        const QRect cell = KernelPlots::bankThumbnailRect(k / orientations, k % orientations);
        const QPoint centre(cell.left() + KernelPlots::kThumbnailSize / 2,
                            cell.top() + KernelPlots::kThumbnailSize / 2);
        QVERIFY(sameColour(
            plots.bankMontage().pixel(centre),
            gradient.color(bank[static_cast<std::size_t>(k)].at<double>(15, 15), QCPRange(-m, m)),
            0));
    }
}

void TestKernelPlots::montageExport()
{
    std::vector<cv::Mat> bank;
    for (int i = 0; i < 6; ++i)
        bank.push_back(ks::makeKernel(gabor(21, i * 30.0, 8)));
    KernelPlots plots;
    plots.setBank(bank, 6, 1);
    QTemporaryDir dir;

    const QString path = dir.filePath(QStringLiteral("bank.png"));
    QString error;
    QVERIFY2(plots.exportMontage(path, &error), qPrintable(error));
    QCOMPARE(fileStart(path, 8), kPngMagic);
    QCOMPARE(QImage(path).size(), KernelPlots::bankMontageSize(6, 1));
    QCOMPARE(QImage(path).convertToFormat(QImage::Format_RGB32),
             plots.bankMontage().convertToFormat(QImage::Format_RGB32));

    // From the Bank tab, exportPlot saves the montage too.
    plots.setCurrentTab(Tab::Bank);
    const QString pdf = dir.filePath(QStringLiteral("bank.pdf"));
    QVERIFY2(plots.exportPlot(pdf, &error), qPrintable(error));
    QCOMPARE(fileStart(pdf, 5), kPdfMagic);
    QCOMPARE(ks::test::entries(ks::test::folderOf(dir)),
             (QStringList{QStringLiteral("bank.pdf"), QStringLiteral("bank.png")}));
}

void TestKernelPlots::noBank()
{
    KernelPlots plots;
    plots.setBank({ks::makeKernel(gabor(21, 0, 8)), ks::makeKernel(gabor(21, 90, 8))}, 2, 1);
    QVERIFY(!plots.bankMontage().isNull());
    plots.setBank({}, 0, 0);
    QVERIFY(plots.bankMontage().isNull());
    auto *view = plots.findChild<QLabel *>(QStringLiteral("bank"));
    QVERIFY(view);
    QCOMPARE(view->text(), QStringLiteral("Turn on Bank in the Gabor parameters"));

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bank.png"));
    QString error;
    QVERIFY(!plots.exportMontage(path, &error));
    QVERIFY2(error.contains(QStringLiteral("'%1'").arg(path)), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("no Gabor bank")), qPrintable(error));
    QVERIFY(ks::test::entries(ks::test::folderOf(dir)).isEmpty());
}

void TestKernelPlots::bankSizeMismatch()
{
    KernelPlots plots;
    const std::vector<cv::Mat> three(3, ks::makeKernel(gabor(21, 0, 8)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, plots.setBank(three, 2, 2));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             plots.setBank(three, 3, 1, std::vector<ks::GaborSpec>(2)));
}

void TestKernelPlots::emptyKernelClears()
{
    KernelPlots plots;
    show(plots, gabor(31, 30, 10));
    plots.setKernel(cv::Mat(), ks::IdentitySpec{});
    QVERIFY(plots.colorMap()->data()->isEmpty());
    plots.setCurrentTab(Tab::Profiles);
    QCOMPARE(plots.alongGraph()->dataCount(), 0);
    plots.setCurrentTab(Tab::Frequency);
    QVERIFY(plots.frequencyMap()->data()->isEmpty());
    QTemporaryDir dir;
    QString error;
    QVERIFY(!plots.exportKernel(dir.filePath(QStringLiteral("kernel.csv")), &error));
    QVERIFY2(error.contains(QStringLiteral("no kernel")), qPrintable(error));
    QVERIFY(ks::test::entries(ks::test::folderOf(dir)).isEmpty());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             plots.setKernel(cv::Mat::ones(3, 3, CV_32FC1), ks::IdentitySpec{}));
}

void TestKernelPlots::largeKernels_data()
{
    QTest::addColumn<ks::FilterSpec>("spec");

    QTest::newRow("gabor 31") << ks::FilterSpec(gabor(31, 30, 10));
    QTest::newRow("gabor 101") << ks::FilterSpec(gabor(101, 30, 20, 15));
    QTest::newRow("gabor 301") << ks::FilterSpec(gabor(301, 30, 40, 45));
    QTest::newRow("gaussian 1001") << ks::FilterSpec(ks::GaussianSpec{1001, 100});
}

void TestKernelPlots::largeKernels()
{
    QFETCH(ks::FilterSpec, spec);

    // Shown at a dock-like size and replotted at once, so the times below
    // are what a slider change costs on screen (printed, not asserted).
    KernelPlots plots;
    plots.resize(480, 420);
    plots.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plots));
    const cv::Mat first = ks::makeKernel(spec);
    QString times;
    for (const Tab tab : {Tab::Heatmap, Tab::Frequency, Tab::Profiles}) {
        plots.setCurrentTab(tab);
        QCustomPlot *plot = tab == Tab::Heatmap     ? plots.heatmapPlot()
                            : tab == Tab::Frequency ? plots.frequencyPlot()
                                                    : plots.profilePlot();
        std::vector<qint64> nanoseconds;
        for (int run = 0; run < 7; ++run) {
            // A different kernel every time, as a slider gives.
            const cv::Mat kernel = first * (1.0 + run * 0.01);
            QElapsedTimer timer;
            timer.start();
            plots.setKernel(kernel, spec);
            plot->replot(QCustomPlot::rpImmediateRefresh);
            nanoseconds.push_back(timer.nsecsElapsed());
        }
        std::sort(nanoseconds.begin(), nanoseconds.end());
        times +=
            QStringLiteral(" %1 %2 ms")
                .arg(tab == Tab::Heatmap     ? QStringLiteral("heatmap")
                     : tab == Tab::Frequency ? QStringLiteral("frequency")
                                             : QStringLiteral("profiles"))
                .arg(static_cast<double>(nanoseconds[nanoseconds.size() / 2]) / 1e6, 0, 'f', 1);
    }
    qInfo("%s: setKernel + replot, median of 7:%s", QTest::currentDataTag(), qPrintable(times));

    const cv::Mat kernel = plots.kernel();
    QCPColorMapData *cells = plots.colorMap()->data();
    QCOMPARE(cells->keySize(), kernel.cols);
    QCOMPARE(cells->cell(0, 0), kernel.at<double>(0, 0));
    QCOMPARE(cells->cell(kernel.cols - 1, 7), kernel.at<double>(7, kernel.cols - 1));
    plots.setCurrentTab(Tab::Frequency);
    QVERIFY(plots.frequencyMap()->data()->keySize() >= kernel.cols);
}

QTEST_MAIN(TestKernelPlots)
#include "tst_kernel_plots.moc"
