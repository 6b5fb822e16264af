// Tests of the blur-region workflow through the real window, offscreen: the
// Blur Region tool in the image view (ui/image_view.cpp), the region panel,
// undo and redo (ui/document_commands.cpp), export (ui/main_window.cpp), the
// guard against losing unexported regions, and the command line's --region
// (app/cli_options.cpp) giving the same file as the window.
//
// Expected values never come from the code under test: rectangles from the
// documented pixel rule (a drag from image point a to b spans columns
// floor(min x) to floor(max x), rows alike, clipped to the image) applied to
// the image points of the widget points clicked, worked out here from the
// documented placement (image point p lands at offset + p * zoom; the zoom
// and offset are read from the view, and a pan is checked against the
// documented clamping); moves and resizes from the pointer's displacement,
// rounded; pixels from the source itself (bit-identical outside every region
// and its feather, cell means for pixelation); undo states from the
// documents recorded on the way; the command line runs as its own process.

#include "cli_runner.h"
#include "core/display.h"
#include "core/document.h"
#include "core/filter_spec.h"
#include "core/parameters.h"
#include "test_fixtures.h"
#include "ui/image_view.h"
#include "ui/main_window.h"
#include "ui/parameter_control.h"
#include "ui/parameter_panel.h"
#include "ui/region_panel.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

Q_DECLARE_METATYPE(std::vector<ks::Region>)
Q_DECLARE_METATYPE(ks::FilterSpec)

namespace {

using ks::test::kernelscope;

using ks::RegionMethod;
using ks::test::region;

cv::Mat randomImage(int rows, int cols, int type, std::uint64_t seed)
{
    cv::Mat image(rows, cols, type);
    cv::RNG rng(seed);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    return image;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QAction *findAction(const QMainWindow &window, const QString &menuTitle, const QString &text)
{
    for (QAction *menuAction : window.menuBar()->actions()) {
        if (menuAction->text() != menuTitle || !menuAction->menu())
            continue;
        for (QAction *action : menuAction->menu()->actions())
            if (action->text() == text)
                return action;
    }
    return nullptr;
}

/// A document with this filter shown through the clamp mapping, and regions.
ks::Document clampDocument(ks::FilterSpec filter, std::vector<ks::Region> regions = {})
{
    ks::Document document = ks::test::withFilter(std::move(filter));
    document.display = {ks::DisplayMode::Clamp, 0};
    document.regions = std::move(regions);
    return document;
}

/// Where the view draws the image: image point p at offset + p * zoom.
struct Placement {
    double zoom = 1;
    QPointF offset;

    QPointF toImage(QPointF widget) const { return (widget - offset) / zoom; }
};

Placement placementOf(const ks::ImageView &view)
{
    return {view.zoom(), view.imageToWidget(QPointF(0, 0))};
}

/// The widget point (whole pixels, as a mouse gives) nearest to imagePoint,
/// nudged by a pixel if its image point lies on a pixel edge, so the
/// expected rectangle does not hang on rounding.
QPoint widgetPointFor(const ks::ImageView &view, QPointF imagePoint)
{
    const Placement placement = placementOf(view);
    QPoint widget = view.imageToWidget(imagePoint).toPoint();
    auto onEdge = [](double v) { return std::abs(v - std::round(v)) < 1e-6; };
    for (int i = 0; i < 4; ++i) {
        const QPointF image = placement.toImage(widget);
        if (!onEdge(image.x()) && !onEdge(image.y()))
            break;
        widget += QPoint(1, 1);
    }
    return widget;
}

/// The pixel rule: columns floor(min x) .. floor(max x), rows alike, clipped
/// to the image.
cv::Rect expectedDrawnRect(QPointF a, QPointF b, cv::Size image)
{
    const int left = std::max(0, int(std::floor(std::min(a.x(), b.x()))));
    const int top = std::max(0, int(std::floor(std::min(a.y(), b.y()))));
    const int right = std::min(image.width - 1, int(std::floor(std::max(a.x(), b.x()))));
    const int bottom = std::min(image.height - 1, int(std::floor(std::max(a.y(), b.y()))));
    return {left, top, right - left + 1, bottom - top + 1};
}

/// A left-button drag from one widget point to another through a few moves.
void leftDrag(QWidget *widget, QPoint from, QPoint to, int moves = 4)
{
    QTest::mousePress(widget, Qt::LeftButton, Qt::NoModifier, from);
    for (int i = 1; i <= moves; ++i)
        QTest::mouseMove(widget, from + (to - from) * i / moves);
    QTest::mouseRelease(widget, Qt::LeftButton, Qt::NoModifier, to);
}

/// Draws a region with the Blur Region tool between two image points and
/// returns the rectangle the pixel rule gives for the points clicked.
cv::Rect drawRegion(ks::MainWindow &window, QPointF imageA, QPointF imageB)
{
    window.regionToolAction()->setChecked(true);
    ks::ImageView *view = window.imageView();
    const QPoint a = widgetPointFor(*view, imageA);
    const QPoint b = widgetPointFor(*view, imageB);
    const Placement placement = placementOf(*view);
    leftDrag(view, a, b);
    return expectedDrawnRect(placement.toImage(a), placement.toImage(b),
                             cv::Size(window.source().cols, window.source().rows));
}

/// Exports the window's document to path and waits: the error, empty on
/// success.
QString exportAndWait(ks::MainWindow &window, const QString &path)
{
    QSignalSpy exported(&window, &ks::MainWindow::exported);
    window.exportTo(path);
    if (!exported.wait(60000) && exported.isEmpty())
        return QStringLiteral("no exported() within 60 s");
    if (exported.at(0).at(0).toString() != path)
        return QStringLiteral("exported() named another file");
    return exported.at(0).at(1).toString();
}

/// Euclidean distance in pixels from pixel (x, y) to the rectangle's pixels.
double distanceTo(const cv::Rect &r, int x, int y)
{
    const int dx = std::max({r.x - x, 0, x - (r.x + r.width - 1)});
    const int dy = std::max({r.y - y, 0, y - (r.y + r.height - 1)});
    return std::hypot(dx, dy);
}

/// Answers the export dialogs as a user would, from a timer: the file dialog
/// with path, any other dialog (the depth question) with OK. answered lists
/// them: "file", then the other dialogs' titles.
class ExportDialogAnswerer {
public:
    explicit ExportDialogAnswerer(const QString &path)
    {
        timer_.setInterval(20);
        QObject::connect(&timer_, &QTimer::timeout, &timer_, [this, path] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            if (dialog == nullptr || !dialog->isVisible())
                return;
            if (auto *files = qobject_cast<QFileDialog *>(dialog)) {
                // QFileDialog::selectFile leaves alone a file name box that
                // has the focus: type into it instead.
                auto *name = files->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
                if (name == nullptr)
                    return;
                name->setText(path);
                answered << QStringLiteral("file");
            } else {
                answered << dialog->windowTitle();
            }
            dialog->accept();
        });
        timer_.start();
    }

    QStringList answered;

private:
    QTimer timer_;
};

/// "X,Y,W,H:METHOD=S:feather=F", as --region takes it.
QString regionOption(const ks::Region &r)
{
    return QStringLiteral("%1,%2,%3,%4:%5=%6:feather=%7")
        .arg(r.rect.x)
        .arg(r.rect.y)
        .arg(r.rect.width)
        .arg(r.rect.height)
        .arg(QString::fromUtf8(ks::regionMethodName(r.method).data()))
        .arg(r.strength)
        .arg(r.feather);
}

} // namespace

namespace cv {
// For QCOMPARE's message on failure.
char *toString(const Rect &r)
{
    return QTest::toString(
        QStringLiteral("(%1, %2) %3 x %4").arg(r.x).arg(r.y).arg(r.width).arg(r.height));
}
} // namespace cv

class TestRegionWorkflow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void drawingGivesPixelRectangle_data();
    void drawingGivesPixelRectangle();

    void exportBlursOnlyTheRegions_data();
    void exportBlursOnlyTheRegions();

    void undoneRegionExportsIdenticalFile();
    void mixedEditsUndoAndRedoExactly();
    void abandonedDragsLeaveNoStep_data();
    void abandonedDragsLeaveNoStep();

    void windowExportMatchesCommandLine_data();
    void windowExportMatchesCommandLine();

    void closingAsksAboutUnexportedRegions_data();
    void closingAsksAboutUnexportedRegions();
    void closingWithExportFirstExportsThenCloses();
    void openingAnotherImageAsks_data();
    void openingAnotherImageAsks();
    void exportedRegionsNeedNoQuestion();

private:
    QTemporaryDir dir_;
};

void TestRegionWorkflow::initTestCase()
{
    // Keep the developer's own settings out of the tests.
    QCoreApplication::setOrganizationName(QStringLiteral("KernelscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_region_workflow"));
    QSettings().clear();
    QVERIFY(dir_.isValid());
}

// --- Drawing ---------------------------------------------------------------

void TestRegionWorkflow::drawingGivesPixelRectangle_data()
{
    // The view is zoomed about its centre, then panned with a middle-button
    // drag; the drag's ends are image points relative to the pixel under
    // the view's centre.
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPoint>("pan");
    QTest::addColumn<QPointF>("from");
    QTest::addColumn<QPointF>("to");

    QTest::newRow("zoom 0.5") << 0.5 << QPoint(-70, -50) << QPointF(-40.3, -20.6)
                              << QPointF(35.2, 41.7);
    QTest::newRow("zoom 1") << 1.0 << QPoint(45, -33) << QPointF(-60.25, 10.4)
                            << QPointF(20.75, 70.6);
    QTest::newRow("zoom 3") << 3.0 << QPoint(-27, 61) << QPointF(2.4, -9.8) << QPointF(19.1, 3.3);
    QTest::newRow("zoom 3, dragged up and left")
        << 3.0 << QPoint(38, 12) << QPointF(15.6, 12.2) << QPointF(-4.7, -3.9);
    // Panned as far as it goes: an image edge meets the widget's edge, and
    // the drag ends beyond it, outside the widget.
    QTest::newRow("zoom 1, past the bottom-right corner")
        << 1.0 << QPoint(-5000, -5000) << QPointF(-30.5, -20.5) << QPointF(5000.5, 5000.5);
    QTest::newRow("zoom 3, past the top-left corner")
        << 3.0 << QPoint(5000, 5000) << QPointF(-7.5, 9.5) << QPointF(-400.5, -400.5);
}

void TestRegionWorkflow::drawingGivesPixelRectangle()
{
    QFETCH(double, zoom);
    QFETCH(QPoint, pan);
    QFETCH(QPointF, from);
    QFETCH(QPointF, to);

    ks::MainWindow window;
    window.resize(1100, 800);
    window.setDocument(clampDocument(ks::IdentitySpec{}));
    // Larger than the view at every zoom here, so panning moves it.
    const cv::Mat image = randomImage(1600, 2000, CV_8UC3, 11);
    window.setSource(image, QStringLiteral("noise"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    ks::ImageView *view = window.imageView();
    const QPointF centre(view->width() / 2.0, view->height() / 2.0);
    view->setZoom(zoom, centre);
    QCOMPARE(view->zoom(), zoom);
    const QPointF before = placementOf(*view).offset;
    QTest::mousePress(view, Qt::MiddleButton, Qt::NoModifier, centre.toPoint());
    QTest::mouseMove(view, centre.toPoint() + pan / 2);
    QTest::mouseMove(view, centre.toPoint() + pan);
    QTest::mouseRelease(view, Qt::MiddleButton, Qt::NoModifier, centre.toPoint() + pan);
    // A larger image covers the widget, and panning stops at its edges.
    auto clampAxis = [](double value, double widget, double extent) {
        return std::clamp(value, widget - extent, 0.0);
    };
    QVERIFY(image.cols * zoom > view->width());
    QVERIFY(image.rows * zoom > view->height());
    const QPointF panned = placementOf(*view).offset;
    QVERIFY(std::abs(panned.x() -
                     clampAxis(before.x() + pan.x(), view->width(), image.cols * zoom)) < 1e-9);
    QVERIFY(std::abs(panned.y() -
                     clampAxis(before.y() + pan.y(), view->height(), image.rows * zoom)) < 1e-9);
    QVERIFY(window.document().regions.empty());

    window.regionToolAction()->setChecked(true);
    QCOMPARE(view->tool(), ks::ImageView::Tool::BlurRegion);
    QCOMPARE(window.regionToolAction()->shortcut(), QKeySequence(QStringLiteral("B")));

    const Placement placement = placementOf(*view);
    const QPointF pixel(std::floor(placement.toImage(centre).x()),
                        std::floor(placement.toImage(centre).y()));
    const QPoint a = widgetPointFor(*view, pixel + from);
    const QPoint b = widgetPointFor(*view, pixel + to);
    QVERIFY((b - a).manhattanLength() >= QApplication::startDragDistance());
    const cv::Rect expected = expectedDrawnRect(placement.toImage(a), placement.toImage(b),
                                                cv::Size(image.cols, image.rows));
    QVERIFY(!expected.empty());

    QSignalSpy indexChanged(window.undoStack(), &QUndoStack::indexChanged);
    leftDrag(view, a, b, 6);

    const std::vector<ks::Region> &regions = window.document().regions;
    QCOMPARE(regions.size(), std::size_t{1});
    QCOMPARE(regions[0].rect, expected);
    // A new region takes the panel's template, the defaults at first.
    QCOMPARE(regions[0].method, ks::Region{}.method);
    QCOMPARE(regions[0].strength, ks::Region{}.strength);
    QCOMPARE(regions[0].feather, ks::Region{}.feather);
    QCOMPARE(window.undoStack()->count(), 1);
    QCOMPARE(window.undoStack()->undoText(), QStringLiteral("Add region"));
    QCOMPARE(indexChanged.count(), 1);
    QVERIFY(window.hasUnexportedRegions());

    // The panel lists it, selected, and the view outlines it.
    QListWidget *list = window.regionPanel()->list();
    QCOMPARE(list->count(), 1);
    const QString size = QStringLiteral("%1×%2 at (%3, %4)")
                             .arg(expected.width)
                             .arg(expected.height)
                             .arg(expected.x)
                             .arg(expected.y);
    QVERIFY2(list->item(0)->text().endsWith(size), qPrintable(list->item(0)->text()));
    QCOMPARE(window.regionPanel()->selected(), 0);
    QVERIFY(window.regionPanel()->regions() == regions);
    QVERIFY(view->regions() == regions);

    window.undoStack()->undo();
    QVERIFY(window.document().regions.empty());
    QCOMPARE(list->count(), 0);
    QVERIFY(view->regions().empty());
    window.undoStack()->redo();
    QCOMPARE(window.document().regions.size(), std::size_t{1});
    QCOMPARE(window.document().regions[0].rect, expected);
    QCOMPARE(list->count(), 1);
}

// --- Export pixels -----------------------------------------------------------

void TestRegionWorkflow::exportBlursOnlyTheRegions_data()
{
    // On a 200 x 140 noise image, regions whose feathered areas do not meet.
    QTest::addColumn<std::vector<ks::Region>>("regions");

    QTest::newRow("gaussian") << std::vector{
        region({40, 30, 50, 40}, RegionMethod::Gaussian, 4, 0)};
    QTest::newRow("gaussian feathered")
        << std::vector{region({60, 50, 40, 30}, RegionMethod::Gaussian, 3, 6)};
    QTest::newRow("pixelate over the bottom-right edge")
        << std::vector{region({150, 100, 60, 45}, RegionMethod::Pixelate, 7, 0)};
    QTest::newRow("box feathered over the top-left corner")
        << std::vector{region({-10, -8, 45, 35}, RegionMethod::Box, 9, 5)};
    QTest::newRow("gaussian and feathered pixelate")
        << std::vector{region({20, 20, 50, 40}, RegionMethod::Gaussian, 5, 3),
                       region({120, 61, 56, 48}, RegionMethod::Pixelate, 8, 4)};
    QTest::newRow("feathered pixelate on the left edge, box")
        << std::vector{region({0, 70, 33, 41}, RegionMethod::Pixelate, 5, 7),
                       region({110, 10, 37, 29}, RegionMethod::Box, 5, 0)};
}

void TestRegionWorkflow::exportBlursOnlyTheRegions()
{
    QFETCH(std::vector<ks::Region>, regions);

    const cv::Mat source = randomImage(140, 200, CV_8UC3, 23);
    const cv::Rect whole(0, 0, source.cols, source.rows);
    ks::MainWindow window;
    window.setSource(source, QStringLiteral("noise"));
    // No filter and the clamp mapping: outside the regions, the source.
    window.setDocument(clampDocument(ks::IdentitySpec{}, regions));
    QVERIFY(window.document().regions == regions);

    const QString path =
        dir_.filePath(QStringLiteral("export-%1.png").arg(QTest::currentDataTag()));
    QCOMPARE(exportAndWait(window, path), QString());
    const cv::Mat out = cv::imread(path.toStdString(), cv::IMREAD_UNCHANGED);
    QCOMPARE(out.size(), source.size());
    QCOMPARE(out.type(), source.type());

    // Every pixel farther than its feather from every region is the source's.
    int changedOutside = 0;
    for (int y = 0; y < source.rows; ++y) {
        for (int x = 0; x < source.cols; ++x) {
            const bool reached =
                std::any_of(regions.begin(), regions.end(), [&](const ks::Region &r) {
                    return distanceTo(r.rect & whole, x, y) <= r.feather;
                });
            if (!reached && out.at<cv::Vec3b>(y, x) != source.at<cv::Vec3b>(y, x))
                ++changedOutside;
        }
    }
    QCOMPARE(changedOutside, 0);

    for (std::size_t i = 0; i < regions.size(); ++i) {
        const ks::Region &r = regions[i];
        const cv::Rect inside = r.rect & whole;
        // Blurred noise is far from the noise: the mean difference is large.
        cv::Mat difference;
        cv::absdiff(out(inside), source(inside), difference);
        const cv::Scalar mean = cv::mean(difference);
        const double meanDifference = (mean[0] + mean[1] + mean[2]) / 3;
        QVERIFY2(
            meanDifference > 20,
            qPrintable(
                QStringLiteral("region %1: mean difference %2").arg(i + 1).arg(meanDifference)));
        if (r.method != RegionMethod::Pixelate)
            continue;
        // Cells aligned to the rectangle's top-left corner, each one the mean
        // of the source over it.
        const int cell = int(r.strength);
        int cells = 0;
        for (int y = r.rect.y; y + cell <= inside.br().y; y += cell) {
            for (int x = r.rect.x; x + cell <= inside.br().x; x += cell) {
                const cv::Rect c(x, y, cell, cell);
                if ((c & inside) != c)
                    continue;
                const cv::Scalar expected = cv::mean(source(c));
                for (int cy = c.y; cy < c.br().y; ++cy) {
                    for (int cx = c.x; cx < c.br().x; ++cx) {
                        const cv::Vec3b v = out.at<cv::Vec3b>(cy, cx);
                        for (int ch = 0; ch < 3; ++ch)
                            QVERIFY2(std::abs(v[ch] - expected[ch]) <= 0.5 + 1e-9,
                                     qPrintable(QStringLiteral("cell at (%1, %2), pixel (%3, %4)")
                                                    .arg(x)
                                                    .arg(y)
                                                    .arg(cx)
                                                    .arg(cy)));
                    }
                }
                ++cells;
            }
        }
        QVERIFY(cells >= 4);
    }
    QVERIFY(!window.hasUnexportedRegions());
}

// --- Undo ----------------------------------------------------------------

void TestRegionWorkflow::undoneRegionExportsIdenticalFile()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setSource(randomImage(120, 160, CV_8UC3, 31), QStringLiteral("noise"));
    window.setDocument(clampDocument(ks::GaussianSpec{0, 2}));

    const QString first = dir_.filePath(QStringLiteral("undo-before.png"));
    QCOMPARE(exportAndWait(window, first), QString());

    const cv::Rect drawn = drawRegion(window, {30.5, 20.5}, {90.5, 70.5});
    QCOMPARE(window.document().regions.size(), std::size_t{1});
    QCOMPARE(window.document().regions[0].rect, drawn);
    const QString withRegion = dir_.filePath(QStringLiteral("undo-region.png"));
    QCOMPARE(exportAndWait(window, withRegion), QString());

    window.undoStack()->undo();
    QVERIFY(window.document().regions.empty());
    const QString again = dir_.filePath(QStringLiteral("undo-after.png"));
    QCOMPARE(exportAndWait(window, again), QString());

    const QByteArray bytes = fileBytes(first);
    QVERIFY(!bytes.isEmpty());
    QVERIFY(fileBytes(withRegion) != bytes);
    QVERIFY(fileBytes(again) == bytes);
}

void TestRegionWorkflow::mixedEditsUndoAndRedoExactly()
{
    ks::MainWindow window;
    window.resize(1100, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setSource(randomImage(180, 240, CV_8UC3, 41), QStringLiteral("noise"));
    window.setDocument(clampDocument(ks::GaussianSpec{0, 2}));
    ks::ImageView *view = window.imageView();
    QUndoStack *undo = window.undoStack();
    QCOMPARE(undo->count(), 0);

    std::vector<ks::Document> states{window.document()};
    std::vector<QString> texts;
    auto record = [&](const QString &text) {
        states.push_back(window.document());
        texts.push_back(text);
        QCOMPARE(undo->count(), int(texts.size()));
        QCOMPARE(undo->undoText(), text);
        QVERIFY(!(states[states.size() - 1] == states[states.size() - 2]));
    };

    // 1. A drag of the filter's sigma slider: one step.
    QSlider *sigma = window.parameterPanel()->slider(QStringLiteral("sigma"));
    QVERIFY(sigma);
    const int start = sigma->value();
    sigma->setSliderDown(true);
    for (int i = 1; i <= 12; ++i) {
        sigma->setValue(start + 3 * i);
        QCoreApplication::processEvents();
    }
    sigma->setSliderDown(false);
    QVERIFY(ks::parameterValue(window.document().filter, "sigma") > 2);
    record(QStringLiteral("Change sigma"));
    if (QTest::currentTestFailed())
        return;

    // 2, 3. Two regions drawn.
    const cv::Rect a = drawRegion(window, {20.5, 15.5}, {70.5, 55.5});
    QCOMPARE(window.document().regions.back().rect, a);
    record(QStringLiteral("Add region"));
    const cv::Rect b = drawRegion(window, {150.5, 100.5}, {210.5, 160.5});
    QCOMPARE(window.document().regions.back().rect, b);
    record(QStringLiteral("Add region"));
    QCOMPARE(window.document().regions.size(), std::size_t{2});
    if (QTest::currentTestFailed())
        return;

    // 4. The second moved up in the panel: the list is now b, a.
    QCOMPARE(window.regionPanel()->selected(), 1);
    window.regionPanel()->upButton()->click();
    QCOMPARE(window.document().regions[0].rect, b);
    QCOMPARE(window.document().regions[1].rect, a);
    QCOMPARE(window.regionPanel()->selected(), 0);
    record(QStringLiteral("Reorder regions"));

    // 5. a moved by dragging its body, in several moves: whole pixels, the
    // pointer's image displacement rounded.
    window.regionToolAction()->setChecked(false);
    Placement placement = placementOf(*view);
    const QPoint grab =
        widgetPointFor(*view, QPointF(a.x + a.width / 2.0 + 0.3, a.y + a.height / 2.0 + 0.3));
    const QPoint moveBy = (QPointF(17, 11) * placement.zoom).toPoint();
    leftDrag(view, grab, grab + moveBy, 5);
    const QPointF shift = placement.toImage(grab + moveBy) - placement.toImage(grab);
    const cv::Rect moved(a.x + int(std::floor(shift.x() + 0.5)),
                         a.y + int(std::floor(shift.y() + 0.5)), a.width, a.height);
    QCOMPARE(window.document().regions[1].rect, moved);
    QCOMPARE(window.document().regions[0].rect, b);
    QCOMPARE(view->selectedRegion(), 1);
    QCOMPARE(window.regionPanel()->selected(), 1);
    record(QStringLiteral("Move region"));

    // 6. Resized by its bottom-right handle.
    placement = placementOf(*view);
    const QPoint corner =
        view->imageToWidget(QPointF(moved.x + moved.width, moved.y + moved.height)).toPoint();
    const QPoint resizeBy(23, 15);
    leftDrag(view, corner, corner + resizeBy, 4);
    const QPointF grow = placement.toImage(corner + resizeBy) - placement.toImage(corner);
    const cv::Rect resized(moved.x, moved.y, moved.width + int(std::floor(grow.x() + 0.5)),
                           moved.height + int(std::floor(grow.y() + 0.5)));
    QCOMPARE(window.document().regions[1].rect, resized);
    record(QStringLiteral("Resize region"));

    // 7. Its method changed in the panel: a box with the default size.
    QComboBox *methods = window.regionPanel()->methodSelector();
    const int box = methods->findData(int(RegionMethod::Box));
    QVERIFY(box >= 0);
    methods->setCurrentIndex(box);
    QCOMPARE(window.document().regions[1].method, RegionMethod::Box);
    QCOMPARE(window.document().regions[1].strength,
             ks::regionParameterDescriptors(RegionMethod::Box)[0].defaultValue);
    record(QStringLiteral("Change region method"));

    // 8. Its kernel size dragged in the panel: one step.
    ks::ParameterControl *strength = window.regionPanel()->strengthControl();
    QVERIFY(strength);
    QCOMPARE(strength->key(), QStringLiteral("ksize"));
    QSlider *strengthSlider = strength->slider();
    QVERIFY(strengthSlider);
    const int strengthStart = strengthSlider->value();
    strengthSlider->setSliderDown(true);
    for (int i = 1; i <= 8; ++i) {
        strengthSlider->setValue(strengthStart - i);
        QCoreApplication::processEvents();
    }
    strengthSlider->setSliderDown(false);
    QCOMPARE(window.document().regions[1].strength, strength->value());
    QCOMPARE(window.document().regions[1].strength,
             ks::regionParameterDescriptors(RegionMethod::Box)[0].defaultValue - 16);
    record(QStringLiteral("Change region ksize"));

    // 9. Deleted with the Delete key in the view.
    QCOMPARE(view->selectedRegion(), 1);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Delete);
    QCOMPARE(window.document().regions.size(), std::size_t{1});
    QCOMPARE(window.document().regions[0].rect, b);
    record(QStringLiteral("Delete region"));

    // 10. Edit > Clear Regions.
    QAction *clear = findAction(window, QStringLiteral("&Edit"), QStringLiteral("&Clear Regions"));
    QVERIFY(clear);
    QVERIFY(clear->isEnabled());
    clear->trigger();
    QVERIFY(window.document().regions.empty());
    record(QStringLiteral("Clear regions"));
    QVERIFY(!clear->isEnabled());
    if (QTest::currentTestFailed())
        return;

    // Every widget shows the document it returns to.
    auto checkShown = [&](const ks::Document &expected, std::size_t step) {
        const QByteArray where = "at step " + QByteArray::number(qulonglong(step));
        QVERIFY2(window.document() == expected, where.constData());
        QVERIFY2(view->regions() == expected.regions, where.constData());
        ks::RegionPanel *panel = window.regionPanel();
        QVERIFY2(panel->regions() == expected.regions, where.constData());
        QCOMPARE(panel->list()->count(), int(expected.regions.size()));
        QVERIFY2(window.parameterPanel()->filter() == expected.filter, where.constData());
        QCOMPARE(clear->isEnabled(), !expected.regions.empty());
        const int selected = panel->selected();
        QCOMPARE(view->selectedRegion(), selected);
        if (selected < 0)
            return;
        QVERIFY2(selected < int(expected.regions.size()), where.constData());
        const ks::Region &r = expected.regions[std::size_t(selected)];
        QCOMPARE(panel->methodSelector()->currentData().toInt(), int(r.method));
        QCOMPARE(panel->strengthControl()->value(), r.strength);
        QCOMPARE(panel->featherControl()->value(), double(r.feather));
    };
    for (std::size_t step = texts.size(); step > 0; --step) {
        QCOMPARE(undo->undoText(), texts[step - 1]);
        undo->undo();
        checkShown(states[step - 1], step - 1);
    }
    QVERIFY(!undo->canUndo());
    for (std::size_t step = 1; step <= texts.size(); ++step) {
        QCOMPARE(undo->redoText(), texts[step - 1]);
        undo->redo();
        checkShown(states[step], step);
    }
    QVERIFY(!undo->canRedo());
}

void TestRegionWorkflow::abandonedDragsLeaveNoStep_data()
{
    // Gestures on a region (or, drawing, beside it) that end where they
    // began: image displacements of the pointer, then how the drag ends.
    QTest::addColumn<bool>("drawing");
    QTest::addColumn<QPointF>("away");
    QTest::addColumn<bool>("escape");

    QTest::newRow("click") << false << QPointF(0, 0) << false;
    QTest::newRow("moved and brought back") << false << QPointF(14, -9) << false;
    QTest::newRow("moved, then Esc") << false << QPointF(14, -9) << true;
    QTest::newRow("drawing, then Esc") << true << QPointF(30, 25) << true;
}

void TestRegionWorkflow::abandonedDragsLeaveNoStep()
{
    QFETCH(bool, drawing);
    QFETCH(QPointF, away);
    QFETCH(bool, escape);

    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setSource(randomImage(120, 160, CV_8UC3, 43), QStringLiteral("noise"));
    const cv::Rect drawn = drawRegion(window, {40.5, 30.5}, {90.5, 70.5});
    QCOMPARE(window.undoStack()->count(), 1);
    const ks::Document document = window.document();
    QCOMPARE(document.regions.size(), std::size_t{1});
    QCOMPARE(document.regions[0].rect, drawn);

    ks::ImageView *view = window.imageView();
    window.regionToolAction()->setChecked(drawing);
    const Placement placement = placementOf(*view);
    // On the region's body, or on empty image area to draw.
    const QPoint press =
        drawing ? widgetPointFor(*view, {10.5, 90.5}) : widgetPointFor(*view, {60.3, 50.3});
    const QPoint far = press + (away * placement.zoom).toPoint();
    QTest::mousePress(view, Qt::LeftButton, Qt::NoModifier, press);
    QTest::mouseMove(view, press + (far - press) / 2);
    QTest::mouseMove(view, far);
    if (!drawing && far != press) {
        // A move shows at once, in an open undo step.
        QVERIFY(window.document().regions[0].rect != drawn);
        QCOMPARE(window.undoStack()->count(), 2);
    }
    if (escape) {
        QTest::keyClick(view, Qt::Key_Escape);
        QTest::mouseRelease(view, Qt::LeftButton, Qt::NoModifier, far);
    } else {
        QTest::mouseMove(view, press);
        QTest::mouseRelease(view, Qt::LeftButton, Qt::NoModifier, press);
    }

    QVERIFY(window.document() == document);
    QCOMPARE(window.undoStack()->count(), 1);
    QCOMPARE(window.undoStack()->undoText(), QStringLiteral("Add region"));
    QVERIFY(view->regions() == document.regions);
    QVERIFY(window.regionPanel()->regions() == document.regions);
    // The next drag is a step of its own, not merged into a leftover.
    window.regionToolAction()->setChecked(false);
    const QPoint grab = widgetPointFor(*view, {60.3, 50.3});
    const QPoint moveBy = (QPointF(-12, 8) * placement.zoom).toPoint();
    leftDrag(view, grab, grab + moveBy);
    const QPointF shift = placement.toImage(grab + moveBy) - placement.toImage(grab);
    QCOMPARE(window.document().regions[0].rect,
             cv::Rect(drawn.x + int(std::floor(shift.x() + 0.5)),
                      drawn.y + int(std::floor(shift.y() + 0.5)), drawn.width, drawn.height));
    QCOMPARE(window.undoStack()->count(), 2);
    QCOMPARE(window.undoStack()->undoText(), QStringLiteral("Move region"));
    window.undoStack()->undo();
    QVERIFY(window.document() == document);
}

// --- Window and command line ------------------------------------------------

void TestRegionWorkflow::windowExportMatchesCommandLine_data()
{
    QTest::addColumn<int>("sourceType");
    QTest::addColumn<ks::FilterSpec>("filter");
    QTest::addColumn<QStringList>("filterArguments");
    QTest::addColumn<int>("depth");
    QTest::addColumn<std::vector<ks::Region>>("regions");
    // A region drawn in the window, with the panel's defaults, given to the
    // command line as a bare X,Y,W,H: the two sides' defaults agree.
    QTest::addColumn<bool>("drawOne");

    const std::vector<ks::Region> none;
    QTest::newRow("gaussian sigma 2, gaussian and pixelate regions")
        << int(CV_8UC3) << ks::FilterSpec(ks::GaussianSpec{0, 2})
        << QStringList{"--filter", "gaussian", "--sigma", "2"} << int(CV_8U)
        << std::vector{region({20, 15, 60, 40}, RegionMethod::Gaussian, 3.5, 5),
                       region({150, 90, 70, 60}, RegionMethod::Pixelate, 6, 0)}
        << false;
    QTest::newRow("no filter, overlapping box and feathered pixelate")
        << int(CV_8UC3) << ks::FilterSpec(ks::IdentitySpec{}) << QStringList{"--filter", "none"}
        << int(CV_8U)
        << std::vector{region({-5, -5, 80, 50}, RegionMethod::Box, 7, 2),
                       region({40, 30, 90, 70}, RegionMethod::Pixelate, 9, 6)}
        << false;
    QTest::newRow("16-bit grey, gaussian sigma 2, feathered gaussian region")
        << int(CV_16UC1) << ks::FilterSpec(ks::GaussianSpec{0, 2})
        << QStringList{"--filter", "gaussian", "--sigma", "2", "--depth", "16"} << int(CV_16U)
        << std::vector{region({100, 40, 50, 50}, RegionMethod::Gaussian, 6, 8)} << false;
    QTest::newRow("gaussian sigma 2, a drawn region")
        << int(CV_8UC3) << ks::FilterSpec(ks::GaussianSpec{0, 2})
        << QStringList{"--filter", "gaussian", "--sigma", "2"} << int(CV_8U) << none << true;
}

void TestRegionWorkflow::windowExportMatchesCommandLine()
{
    QFETCH(int, sourceType);
    QFETCH(ks::FilterSpec, filter);
    QFETCH(QStringList, filterArguments);
    QFETCH(int, depth);
    QFETCH(std::vector<ks::Region>, regions);
    QFETCH(bool, drawOne);

    const QString input = dir_.filePath(QStringLiteral("cli-in.png"));
    cv::Mat source = randomImage(140, 200, sourceType, 53);
    if (CV_MAT_DEPTH(sourceType) == CV_16U)
        source *= 257; // the whole 16-bit range
    QVERIFY(cv::imwrite(input.toStdString(), source));
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openFile(input));
    QCOMPARE(window.source().type(), sourceType);
    window.setDocument(clampDocument(filter, regions));
    QStringList regionArguments;
    for (const ks::Region &r : regions)
        regionArguments << QStringLiteral("--region") << regionOption(r);
    if (drawOne) {
        const cv::Rect drawn = drawRegion(window, {30.5, 20.5}, {110.5, 95.5});
        QCOMPARE(window.document().regions.size(), std::size_t{1});
        QCOMPARE(window.document().regions[0].rect, drawn);
        regionArguments << QStringLiteral("--region")
                        << QStringLiteral("%1,%2,%3,%4")
                               .arg(drawn.x)
                               .arg(drawn.y)
                               .arg(drawn.width)
                               .arg(drawn.height);
    }

    const QString fromWindow = dir_.filePath(QStringLiteral("cli-window.png"));
    {
        QSignalSpy exported(&window, &ks::MainWindow::exported);
        window.exportTo(fromWindow, depth);
        QVERIFY(exported.wait(60000) || !exported.isEmpty());
        QCOMPARE(exported.at(0).at(1).toString(), QString());
    }

    const QString fromCli = dir_.filePath(QStringLiteral("cli-apply.png"));
    QFile::remove(fromCli);
    const QStringList arguments = QStringList{"apply", input, "-o", fromCli, "--display", "clamp"} +
                                  filterArguments + regionArguments;
    const ks::test::CliRun run = kernelscope(arguments, dir_.path());
    QVERIFY2(run.exitCode == 0, run.err.constData());

    const QByteArray bytes = fileBytes(fromWindow);
    QVERIFY(!bytes.isEmpty());
    QVERIFY(fileBytes(fromCli) == bytes);
    // The file has the depth asked for, and the regions changed it.
    const cv::Mat written = cv::imread(fromWindow.toStdString(), cv::IMREAD_UNCHANGED);
    QCOMPARE(written.depth(), depth);
    const cv::Mat plain = ks::runPipeline(window.source(), clampDocument(filter), depth).output;
    QCOMPARE(written.size(), plain.size());
    QVERIFY(cv::norm(written, plain, cv::NORM_INF) > 0);
}

// --- Unexported regions ---------------------------------------------------------

void TestRegionWorkflow::closingAsksAboutUnexportedRegions_data()
{
    QTest::addColumn<QMessageBox::StandardButton>("answer");
    QTest::addColumn<bool>("closes");
    QTest::newRow("cancel") << QMessageBox::Cancel << false;
    QTest::newRow("discard") << QMessageBox::Discard << true;
}

void TestRegionWorkflow::closingAsksAboutUnexportedRegions()
{
    QFETCH(QMessageBox::StandardButton, answer);
    QFETCH(bool, closes);

    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setSource(randomImage(90, 120, CV_8UC3, 61), QStringLiteral("noise"));
    int asked = 0;
    window.setUnexportedRegionsPrompt([&] {
        ++asked;
        return answer;
    });
    // Without regions nothing is at stake.
    QVERIFY(!window.hasUnexportedRegions());

    drawRegion(window, {10.5, 10.5}, {50.5, 40.5});
    QCOMPARE(window.document().regions.size(), std::size_t{1});
    QVERIFY(window.hasUnexportedRegions());
    const ks::Document document = window.document();

    QCOMPARE(window.close(), closes);
    QCOMPARE(asked, 1);
    QCOMPARE(window.isVisible(), !closes);
    QVERIFY(window.document() == document);
    QCOMPARE(window.undoStack()->count(), 1);
}

void TestRegionWorkflow::closingWithExportFirstExportsThenCloses()
{
    // "Export…" opens the export file dialog (and, for PNG, the depth
    // dialog); ExportDialogAnswerer answers them.
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setSource(randomImage(90, 120, CV_8UC3, 67), QStringLiteral("noise"));
    int asked = 0;
    window.setUnexportedRegionsPrompt([&] {
        ++asked;
        return QMessageBox::Save;
    });
    drawRegion(window, {20.5, 10.5}, {60.5, 50.5});
    const ks::Document document = window.document();
    QCOMPARE(document.regions.size(), std::size_t{1});

    const QString path = dir_.filePath(QStringLiteral("close-export.png"));
    QFile::remove(path);
    ExportDialogAnswerer answerer(path);
    QSignalSpy exported(&window, &ks::MainWindow::exported);
    QVERIFY(!window.close()); // not yet: the export comes first
    QCOMPARE(asked, 1);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
    QCOMPARE(answerer.answered,
             (QStringList{QStringLiteral("file"), QStringLiteral("Export Options")}));
    QCOMPARE(exported.at(0).at(0).toString(), path);
    QCOMPARE(exported.at(0).at(1).toString(), QString());
    QTRY_VERIFY(!window.isVisible());
    QCOMPARE(asked, 1);

    const cv::Mat expected = ks::runPipeline(window.source(), document, CV_8U).output;
    const cv::Mat written = cv::imread(path.toStdString(), cv::IMREAD_UNCHANGED);
    QCOMPARE(written.size(), expected.size());
    QCOMPARE(cv::norm(written, expected, cv::NORM_INF), 0.0);
}

void TestRegionWorkflow::openingAnotherImageAsks_data()
{
    QTest::addColumn<QMessageBox::StandardButton>("answer");
    QTest::addColumn<bool>("opensAtOnce");
    QTest::addColumn<bool>("opens");
    QTest::newRow("cancel") << QMessageBox::Cancel << false << false;
    QTest::newRow("discard") << QMessageBox::Discard << true << true;
    // The export dialogs are answered by ExportDialogAnswerer; the image
    // opens once the export has succeeded.
    QTest::newRow("export first") << QMessageBox::Save << false << true;
}

void TestRegionWorkflow::openingAnotherImageAsks()
{
    QFETCH(QMessageBox::StandardButton, answer);
    QFETCH(bool, opensAtOnce);
    QFETCH(bool, opens);

    const cv::Mat first = randomImage(90, 120, CV_8UC3, 71);
    const cv::Mat second = randomImage(70, 100, CV_8UC3, 73);
    const QString firstPath = dir_.filePath(QStringLiteral("open-first.png"));
    const QString secondPath = dir_.filePath(QStringLiteral("open-second.png"));
    QVERIFY(cv::imwrite(firstPath.toStdString(), first));
    QVERIFY(cv::imwrite(secondPath.toStdString(), second));
    const QString exportPath = dir_.filePath(QStringLiteral("open-export.png"));
    QFile::remove(exportPath);

    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    int asked = 0;
    window.setUnexportedRegionsPrompt([&] {
        ++asked;
        return answer;
    });
    QVERIFY(window.openFile(firstPath));
    QCOMPARE(asked, 0); // no regions yet
    drawRegion(window, {5.5, 5.5}, {45.5, 35.5});
    const ks::Document document = window.document();
    QCOMPARE(document.regions.size(), std::size_t{1});
    QAction *clear = findAction(window, QStringLiteral("&Edit"), QStringLiteral("&Clear Regions"));
    QVERIFY(clear);
    QVERIFY(clear->isEnabled());

    QSignalSpy exported(&window, &ks::MainWindow::exported);
    const ExportDialogAnswerer answerer(exportPath);
    QCOMPARE(window.openFile(secondPath), opensAtOnce);
    QCOMPARE(asked, 1);
    if (answer == QMessageBox::Save) {
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
        QCOMPARE(exported.at(0).at(1).toString(), QString());
        QTRY_COMPARE(window.sourcePath(), QFileInfo(secondPath).absoluteFilePath());
        const cv::Mat written = cv::imread(exportPath.toStdString(), cv::IMREAD_UNCHANGED);
        const cv::Mat expected = ks::runPipeline(first, document, CV_8U).output;
        QCOMPARE(written.size(), expected.size());
        QCOMPARE(cv::norm(written, expected, cv::NORM_INF), 0.0);
    } else {
        QVERIFY(answerer.answered.isEmpty());
        QCOMPARE(exported.count(), 0);
    }
    QCOMPARE(asked, 1);

    const cv::Mat &shown = opens ? second : first;
    QCOMPARE(window.source().size(), shown.size());
    QCOMPARE(cv::norm(window.source(), shown, cv::NORM_INF), 0.0);
    QCOMPARE(window.sourcePath(), QFileInfo(opens ? secondPath : firstPath).absoluteFilePath());
    if (opens) {
        QVERIFY(window.document().regions.empty());
        QCOMPARE(window.regionPanel()->list()->count(), 0);
        QVERIFY(window.imageView()->regions().empty());
        QCOMPARE(window.undoStack()->count(), 0);
        QVERIFY(!window.hasUnexportedRegions());
        // Nothing left to clear.
        QVERIFY(!clear->isEnabled());
    } else {
        QVERIFY(window.document() == document);
        QCOMPARE(window.regionPanel()->list()->count(), 1);
        QCOMPARE(window.undoStack()->count(), 1);
        QVERIFY(window.hasUnexportedRegions());
        QVERIFY(clear->isEnabled());
    }
}

void TestRegionWorkflow::exportedRegionsNeedNoQuestion()
{
    ks::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setSource(randomImage(90, 120, CV_8UC3, 79), QStringLiteral("noise"));
    int asked = 0;
    window.setUnexportedRegionsPrompt([&] {
        ++asked;
        return QMessageBox::Cancel;
    });
    drawRegion(window, {10.5, 10.5}, {50.5, 40.5});
    QVERIFY(window.hasUnexportedRegions());
    QCOMPARE(exportAndWait(window, dir_.filePath(QStringLiteral("guard.png"))), QString());
    QVERIFY(!window.hasUnexportedRegions());

    // Another region is unexported again; undoing it returns to the export.
    drawRegion(window, {70.5, 50.5}, {110.5, 80.5});
    QCOMPARE(window.document().regions.size(), std::size_t{2});
    QVERIFY(window.hasUnexportedRegions());
    window.undoStack()->undo();
    QVERIFY(!window.hasUnexportedRegions());

    QVERIFY(window.close());
    QCOMPARE(asked, 0);
    QVERIFY(!window.isVisible());
}

QTEST_MAIN(TestRegionWorkflow)
#include "tst_region_workflow.moc"
