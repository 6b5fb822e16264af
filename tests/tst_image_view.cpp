// Tests for ui/image_view.cpp: zoom, pan, coordinates, the before/after
// split, quick previews with exact patches, crisp enlargement, and the
// region gestures (draw, select, move, resize, delete).
// Run with QT_QPA_PLATFORM=offscreen.
//
// Expected coordinates are worked out by hand from the documented placement
// rules (fit: centred; a larger image covers the widget; image point p at
// offset + p * zoom) and the documented pixel rule (a drag spans the pixels
// under both ends, a point on a pixel edge belonging to the pixel right of
// or below it), never with the view's own mapping functions; expected
// colours are the colours put in.
//
// In Qt 6.4, QTest::mouseMove after QTest::mousePress sends a real
// MouseMove with the pressed buttons (QTest tracks them); without a button
// held it only moves the cursor, which the offscreen platform turns into a
// hover move.

#include "test_fixtures.h"
#include "ui/image_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

Q_DECLARE_METATYPE(QImage::Format)
Q_DECLARE_METATYPE(ks::ImageView::Tool)

namespace {

constexpr QRgb kRed = qRgb(220, 40, 30);
constexpr QRgb kBlue = qRgb(20, 60, 230);
constexpr QRgb kGreen = qRgb(30, 200, 60);
constexpr QRgb kBlack = qRgb(0, 0, 0);
constexpr QRgb kWhite = qRgb(255, 255, 255);

QImage filled(QSize size, QRgb colour, QImage::Format format = QImage::Format_RGB32)
{
    QImage image(size, format);
    image.fill(QColor(colour));
    return image;
}

// A view of the given size showing image, on screen.
std::unique_ptr<ks::ImageView> shownView(QSize size, const QImage &image)
{
    auto view = std::make_unique<ks::ImageView>();
    view->setImage(image);
    view->resize(size);
    view->show();
    if (!QTest::qWaitForWindowExposed(view.get()))
        return nullptr;
    return view;
}

QRgb pixelAt(const QImage &shot, QPoint p)
{
    return shot.pixel(p) | 0xff000000u;
}

void sendWheel(QWidget &widget, QPointF pos, int angleDelta)
{
    QWheelEvent event(pos, widget.mapToGlobal(pos), QPoint(), QPoint(0, angleDelta), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&widget, &event);
}

void drag(QWidget &widget, Qt::MouseButton button, QPoint from, QPoint to)
{
    QTest::mousePress(&widget, button, Qt::NoModifier, from);
    // Two moves, so the pan adds up deltas rather than jumping once.
    QTest::mouseMove(&widget, (from + to) / 2);
    QTest::mouseMove(&widget, to);
    QTest::mouseRelease(&widget, button, Qt::NoModifier, to);
}

bool near(QPointF a, QPointF b, double tolerance)
{
    return std::abs(a.x() - b.x()) <= tolerance && std::abs(a.y() - b.y()) <= tolerance;
}

QString describe(QPointF p)
{
    return QStringLiteral("(%1, %2)").arg(p.x()).arg(p.y());
}

// A 200x150 view of a red image of imageSize at zoom, the image's top-left
// corner at corner: setZoom about (0, 0) leaves the corner at (0, 0) (the
// image covers the widget), then a middle-button drag moves it by corner.
std::unique_ptr<ks::ImageView> placedView(QSize imageSize, double zoom, QPoint corner)
{
    auto view = shownView({200, 150}, filled(imageSize, kRed));
    if (!view)
        return nullptr;
    view->setZoom(zoom, QPointF(0, 0));
    if (!corner.isNull())
        drag(*view, Qt::MiddleButton, {100, 100}, QPoint(100, 100) + corner);
    return view;
}

ks::Region region(QRect r, int feather = 0)
{
    return ks::test::region(cv::Rect(r.x(), r.y(), r.width(), r.height()),
                            ks::RegionMethod::Gaussian, 8, feather);
}

QRect rectOf(const ks::Region &r)
{
    return {r.rect.x, r.rect.y, r.rect.width, r.rect.height};
}

QString describe(QRect r)
{
    return QStringLiteral("(%1, %2, %3 x %4)").arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height());
}

} // namespace

class TestImageView : public QObject {
    Q_OBJECT

private slots:
    void fitsAndCentresInitially();
    void coordinateMapping_data();
    void coordinateMapping();
    void wheelZoomKeepsPointUnderCursor_data();
    void wheelZoomKeepsPointUnderCursor();
    void keyZoomSteps_data();
    void keyZoomSteps();
    void fitAndActualSize();
    void replacingImageKeepsOrResetsZoom();
    void dragPans_data();
    void dragPans();
    void leftDragWithoutSpaceDoesNotPan();
    void visibleRectAndViewportSignal_data();
    void visibleRectAndViewportSignal();
    void splitShowsOriginalLeftOfDivider_data();
    void splitShowsOriginalLeftOfDivider();
    void dividerDrags();
    void backslashShowsOriginalWhileHeld();
    void quickPreviewAndPatch_data();
    void quickPreviewAndPatch();
    void crispPixelsWhenZoomedIn_data();
    void crispPixelsWhenZoomedIn();
    void smoothWhenZoomedOut();
    void quickPreviewEnlargedSmoothly();
    void cursorMovedReportsImagePixel_data();
    void cursorMovedReportsImagePixel();
    void largeImagePaintsQuickly_data();
    void largeImagePaintsQuickly();

    void drawRegionAtAnyZoom_data();
    void drawRegionAtAnyZoom();
    void drawRegionClippedToImage_data();
    void drawRegionClippedToImage();
    void escCancelsRubberBand();
    void clickWithoutDragDrawsNothing();
    void navigateToolDoesNotDraw();
    void panStillWorksInRegionTool_data();
    void panStillWorksInRegionTool();
    void pressSelectsTopmostRegion_data();
    void pressSelectsTopmostRegion();
    void moveAndResize_data();
    void moveAndResize();
    void editSignalsAndEsc();
    void ownerUpdatesDuringDrag();
    void deleteRequested();
    void toolAndRegionCursors();
    void dividerWinsOnlyNearIt();
    void regionsDrawnOverImage();
};

void TestImageView::fitsAndCentresInitially()
{
    // 400x300 in 300x150: zoom min(300/400, 150/300) = 0.5, 200x150 centred.
    const auto view = shownView({300, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    QVERIFY(view->isFitToWindow());
    QCOMPARE(view->zoom(), 0.5);
    QCOMPARE(view->imageSize(), QSize(400, 300));
    QCOMPARE(view->imageRect(), QRect(50, 0, 200, 150));
    QCOMPARE(view->image().size(), QSize(400, 300));
    QCOMPARE(view->visibleImageRect(), QRectF(0, 0, 400, 300));

    const QImage shot = view->grab().toImage();
    QCOMPARE(pixelAt(shot, {10, 75}), ks::ImageView::kBackground);
    QCOMPARE(pixelAt(shot, {290, 75}), ks::ImageView::kBackground);
    QCOMPARE(pixelAt(shot, {50, 0}), kRed);
    QCOMPARE(pixelAt(shot, {249, 149}), kRed);
}

void TestImageView::coordinateMapping_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPoint>("panBy");
    QTest::addColumn<QPointF>("widgetPos");
    QTest::addColumn<QPointF>("imagePos");

    // A 1000x800 image in a 200x150 widget. setZoom(z, (0, 0)) leaves the
    // top-left corner at (0, 0) (the image covers the widget), then the
    // middle-button drag moves it to panBy.
    QTest::newRow("zoom 0.5") << 0.5 << QPoint(-40, -30) << QPointF(10, 20) << QPointF(100, 100);
    QTest::newRow("zoom 1") << 1.0 << QPoint(-123, -45) << QPointF(7.5, 99) << QPointF(130.5, 144);
    QTest::newRow("zoom 3") << 3.0 << QPoint(-301, -77) << QPointF(50, 60)
                            << QPointF(117, 137.0 / 3);
    QTest::newRow("zoom 3, corner") << 3.0 << QPoint(-6, -9) << QPointF(0, 0) << QPointF(2, 3);
}

void TestImageView::coordinateMapping()
{
    QFETCH(double, zoom);
    QFETCH(QPoint, panBy);
    QFETCH(QPointF, widgetPos);
    QFETCH(QPointF, imagePos);

    const auto view = shownView({200, 150}, filled({1000, 800}, kRed));
    QVERIFY(view);
    view->setZoom(zoom, QPointF(0, 0));
    QCOMPARE(view->imageRect().topLeft(), QPoint(0, 0));
    drag(*view, Qt::MiddleButton, {100, 100}, QPoint(100, 100) + panBy);

    QCOMPARE(view->zoom(), zoom);
    QVERIFY(!view->isFitToWindow());
    QCOMPARE(view->imageRect(), QRect(panBy, QSize(qRound(1000 * zoom), qRound(800 * zoom))));
    QVERIFY2(near(view->widgetToImage(widgetPos), imagePos, 1e-9),
             qPrintable(describe(view->widgetToImage(widgetPos))));
    QVERIFY2(near(view->imageToWidget(imagePos), widgetPos, 1e-9),
             qPrintable(describe(view->imageToWidget(imagePos))));

    // Round trips through both mappings.
    const QPointF points[] = {{0, 0}, {199.75, 149.25}, {33.3, 71.9}, {-20, 400}};
    for (const QPointF &p : points) {
        QVERIFY(near(view->imageToWidget(view->widgetToImage(p)), p, 1e-9));
        QVERIFY(near(view->widgetToImage(view->imageToWidget(p)), p, 1e-9));
    }
}

void TestImageView::wheelZoomKeepsPointUnderCursor_data()
{
    QTest::addColumn<double>("startZoom"); // 0: fitted
    QTest::addColumn<QPointF>("cursor");
    QTest::addColumn<QList<int>>("deltas");
    QTest::addColumn<double>("expectedZoom");
    QTest::addColumn<int>("zoomSignals");

    QTest::newRow("one notch in") << 0.0 << QPointF(37, 91) << QList<int>{120}
                                  << std::pow(2.0, -0.75) << 1;
    QTest::newRow("two notches in one event")
        << 0.0 << QPointF(150, 20) << QList<int>{240} << std::pow(2.0, -0.5) << 1;
    QTest::newRow("half notches") << 0.0 << QPointF(180.5, 140.25) << QList<int>{60, 60}
                                  << std::pow(2.0, -0.75) << 1;
    QTest::newRow("out from 2") << 2.0 << QPointF(60, 100) << QList<int>{-120}
                                << std::pow(2.0, 0.75) << 1;
    QTest::newRow("in from 2") << 2.0 << QPointF(3, 140) << QList<int>{120, 120, 120}
                               << std::pow(2.0, 1.75) << 3;
    QTest::newRow("in and out") << 2.0 << QPointF(170, 30) << QList<int>{120, 120, -120}
                                << std::pow(2.0, 1.25) << 3;
}

void TestImageView::wheelZoomKeepsPointUnderCursor()
{
    QFETCH(double, startZoom);
    QFETCH(QPointF, cursor);
    QFETCH(QList<int>, deltas);
    QFETCH(double, expectedZoom);
    QFETCH(int, zoomSignals);

    // 400x300 in 200x150: fitted at zoom 0.5 with the corner at (0, 0); at
    // zoom 2 about the centre the corner is at (100 - 400, 75 - 300).
    const auto view = shownView({200, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    QPointF corner(0, 0);
    double zoom = 0.5;
    if (startZoom > 0) {
        view->setZoom(startZoom, QPointF(100, 75));
        corner = QPointF(-300, -225);
        zoom = startZoom;
    }
    const QPointF underCursor = (cursor - corner) / zoom;
    QVERIFY(near(view->widgetToImage(cursor), underCursor, 1e-9));
    QSignalSpy zoomSpy(view.get(), &ks::ImageView::zoomChanged);

    for (int delta : deltas)
        sendWheel(*view, cursor, delta);

    QVERIFY2(qFuzzyCompare(view->zoom(), expectedZoom), qPrintable(QString::number(view->zoom())));
    QCOMPARE(zoomSpy.count(), zoomSignals);
    QVERIFY(qFuzzyCompare(zoomSpy.last().at(0).toDouble(), expectedZoom));
    QVERIFY2(near(view->imageToWidget(underCursor), cursor, 0.5),
             qPrintable(describe(view->imageToWidget(underCursor))));
    // The image's corner is where cursor - point * zoom puts it (imageRect
    // rounds it).
    const QPointF newCorner = cursor - underCursor * expectedZoom;
    QVERIFY2(near(view->imageRect().topLeft(), newCorner, 0.5), qPrintable(describe(newCorner)));
}

void TestImageView::keyZoomSteps_data()
{
    QTest::addColumn<double>("startZoom"); // 0: fitted (0.5667 for 400x300 in 230x170)
    QTest::addColumn<QString>("how");      // a key combination, or a slot
    QTest::addColumn<int>("times");
    QTest::addColumn<double>("expectedZoom");

    QTest::newRow("Ctrl+= from 1") << 1.0 << "Ctrl+=" << 1 << std::pow(2.0, 0.25);
    QTest::newRow("Ctrl+= x4 from 1") << 1.0 << "Ctrl+=" << 4 << 2.0;
    QTest::newRow("Ctrl+Shift++ from 1") << 1.0 << "Ctrl++" << 1 << std::pow(2.0, 0.25);
    QTest::newRow("Ctrl+- x2 from 1") << 1.0 << "Ctrl+-" << 2 << std::pow(2.0, -0.5);
    QTest::newRow("zoomIn from fit") << 0.0 << "zoomIn" << 1 << std::pow(2.0, -0.75);
    QTest::newRow("zoomOut from fit") << 0.0 << "zoomOut" << 1 << 0.5;
    QTest::newRow("zoomIn x8 from 2") << 2.0 << "zoomIn" << 8 << 8.0;
    QTest::newRow("top of the range") << 64.0 << "Ctrl+=" << 3 << 64.0;
    QTest::newRow("bottom of the range") << 1.0 / 64 << "zoomOut" << 2 << 1.0 / 64;
    QTest::newRow("to the top") << 32.0 << "zoomIn" << 6 << 64.0;
}

void TestImageView::keyZoomSteps()
{
    QFETCH(double, startZoom);
    QFETCH(QString, how);
    QFETCH(int, times);
    QFETCH(double, expectedZoom);

    const auto view = shownView({230, 170}, filled({400, 300}, kRed));
    QVERIFY(view);
    const QPointF centre(115, 85);
    if (startZoom > 0)
        view->setZoom(startZoom, centre);
    else
        QVERIFY(qFuzzyCompare(view->zoom(), 170.0 / 300));
    const QPointF atCentre = view->widgetToImage(centre);

    for (int i = 0; i < times; ++i) {
        if (how == "Ctrl+=")
            QTest::keyClick(view.get(), Qt::Key_Equal, Qt::ControlModifier);
        else if (how == "Ctrl++")
            QTest::keyClick(view.get(), Qt::Key_Plus, Qt::ControlModifier | Qt::ShiftModifier);
        else if (how == "Ctrl+-")
            QTest::keyClick(view.get(), Qt::Key_Minus, Qt::ControlModifier);
        else if (how == "zoomIn")
            view->zoomIn();
        else if (how == "zoomOut")
            view->zoomOut();
    }
    QVERIFY2(qFuzzyCompare(view->zoom(), expectedZoom), qPrintable(QString::number(view->zoom())));
    QVERIFY(!view->isFitToWindow());
    // About the centre: whenever the image is larger than the widget (no
    // centring), the image point at the centre stays there.
    if (400 * expectedZoom > 230 && 300 * expectedZoom > 170)
        QVERIFY2(near(view->imageToWidget(atCentre), centre, 1e-6),
                 qPrintable(describe(view->imageToWidget(atCentre))));
}

void TestImageView::fitAndActualSize()
{
    const auto view = shownView({200, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    QSignalSpy zoomSpy(view.get(), &ks::ImageView::zoomChanged);

    view->zoomToActualSize();
    QCOMPARE(view->zoom(), 1.0);
    QVERIFY(!view->isFitToWindow());
    QCOMPARE(view->imageRect(), QRect(-100, -75, 400, 300)); // centre on centre
    QCOMPARE(zoomSpy.count(), 1);

    QTest::keyClick(view.get(), Qt::Key_0, Qt::ControlModifier);
    QVERIFY(view->isFitToWindow());
    QCOMPARE(view->zoom(), 0.5);
    QCOMPARE(view->imageRect(), QRect(0, 0, 200, 150));
    QCOMPARE(zoomSpy.count(), 2);

    QTest::keyClick(view.get(), Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(view->zoom(), 1.0);
    view->fitToWindow();

    // Fit mode refits on every resize.
    view->resize(400, 150);
    QCOMPARE(view->zoom(), 0.5);
    QCOMPARE(view->imageRect(), QRect(100, 0, 200, 150));
    view->resize(800, 600);
    QCOMPARE(view->zoom(), 2.0);
    QCOMPARE(view->imageRect(), QRect(0, 0, 800, 600));
    QCOMPARE(zoomSpy.last().at(0).toDouble(), 2.0);

    // Outside fit mode a resize keeps the zoom and the point at the centre.
    view->setZoom(4, QPointF(400, 300)); // image (200, 150) at the centre
    view->resize(600, 400);
    QCOMPARE(view->zoom(), 4.0);
    QCOMPARE(view->imageRect(), QRect(300 - 800, 200 - 600, 1600, 1200));
}

void TestImageView::replacingImageKeepsOrResetsZoom()
{
    const auto view = shownView({200, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    view->setZoom(3, QPointF(100, 75));
    const QRect before = view->imageRect();

    view->setImage(filled({400, 300}, kBlue));
    QCOMPARE(view->zoom(), 3.0);
    QCOMPARE(view->imageRect(), before);
    view->setOriginal(filled({400, 300}, kGreen));
    QCOMPARE(view->imageRect(), before);

    view->setImage(filled({100, 300}, kBlue));
    QVERIFY(view->isFitToWindow());
    QCOMPARE(view->imageRect(), QRect(75, 0, 50, 150));

    view->setImage(QImage());
    QVERIFY(view->imageRect().isEmpty());
    QCOMPARE(view->imageSize(), QSize());
    QCOMPARE(pixelAt(view->grab().toImage(), {100, 75}), ks::ImageView::kBackground);
}

void TestImageView::dragPans_data()
{
    QTest::addColumn<bool>("withSpace");
    QTest::addColumn<QPoint>("delta");

    QTest::newRow("middle button") << false << QPoint(30, -20);
    QTest::newRow("middle button, other way") << false << QPoint(-55, 41);
    QTest::newRow("Space + left") << true << QPoint(30, -20);
    QTest::newRow("Space + left, other way") << true << QPoint(-55, 41);
}

void TestImageView::dragPans()
{
    QFETCH(bool, withSpace);
    QFETCH(QPoint, delta);

    // Zoom 2 about the centre: the 800x600 image at (100 - 400, 75 - 300).
    const auto view = shownView({200, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    view->setZoom(2, QPointF(100, 75));
    QCOMPARE(view->imageRect(), QRect(-300, -225, 800, 600));

    const QPoint from(100, 70);
    const QPoint to = from + delta;
    if (withSpace) {
        QTest::keyPress(view.get(), Qt::Key_Space);
        QCOMPARE(view->cursor().shape(), Qt::OpenHandCursor);
        QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, from);
        QCOMPARE(view->cursor().shape(), Qt::ClosedHandCursor);
        QTest::mouseMove(view.get(), to);
        QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, to);
        QCOMPARE(view->cursor().shape(), Qt::OpenHandCursor);
        QTest::keyRelease(view.get(), Qt::Key_Space);
        QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);
    } else {
        QTest::mousePress(view.get(), Qt::MiddleButton, Qt::NoModifier, from);
        QCOMPARE(view->cursor().shape(), Qt::ClosedHandCursor);
        QTest::mouseMove(view.get(), to);
        QTest::mouseRelease(view.get(), Qt::MiddleButton, Qt::NoModifier, to);
        QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);
    }
    QCOMPARE(view->imageRect(), QRect(QPoint(-300, -225) + delta, QSize(800, 600)));
    QCOMPARE(view->zoom(), 2.0);

    // Panning stops at the image's edges.
    drag(*view, Qt::MiddleButton, {10, 10}, {190, 140});
    drag(*view, Qt::MiddleButton, {10, 10}, {190, 140});
    QCOMPARE(view->imageRect().topLeft(), QPoint(0, 0));
    drag(*view, Qt::MiddleButton, {190, 140}, {10, 10});
    drag(*view, Qt::MiddleButton, {190, 140}, {10, 10});
    drag(*view, Qt::MiddleButton, {190, 140}, {10, 10});
    drag(*view, Qt::MiddleButton, {190, 140}, {10, 10});
    QCOMPARE(view->imageRect().bottomRight(), QPoint(199, 149));
}

void TestImageView::leftDragWithoutSpaceDoesNotPan()
{
    const auto view = shownView({200, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    view->setZoom(2, QPointF(100, 75));
    drag(*view, Qt::LeftButton, {100, 70}, {140, 30});
    QCOMPARE(view->imageRect(), QRect(-300, -225, 800, 600));
    QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);

    // A fitted image has nowhere to pan to, and stays fitted.
    view->fitToWindow();
    drag(*view, Qt::MiddleButton, {100, 70}, {140, 30});
    QVERIFY(view->isFitToWindow());
    QCOMPARE(view->imageRect(), QRect(0, 0, 200, 150));
}

void TestImageView::visibleRectAndViewportSignal_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPoint>("delta");
    QTest::addColumn<QRectF>("expected");

    // Zoomed about the centre of 400x300 in 200x150, then dragged by delta:
    // the visible part starts at -offset / zoom and spans 200x150 / zoom.
    // zoom 2: offset (-300, -225) + (30, -20) = (-270, -245).
    QTest::newRow("zoom 2") << 2.0 << QPoint(30, -20) << QRectF(135, 122.5, 100, 75);
    // zoom 1: offset (-100, -75) + (-50, 10) = (-150, -65).
    QTest::newRow("zoom 1") << 1.0 << QPoint(-50, 10) << QRectF(150, 65, 200, 150);
    // zoom 4: offset (-700, -525) + (0, 0).
    QTest::newRow("zoom 4, no drag") << 4.0 << QPoint(0, 0) << QRectF(175, 131.25, 50, 37.5);
}

void TestImageView::visibleRectAndViewportSignal()
{
    QFETCH(double, zoom);
    QFETCH(QPoint, delta);
    QFETCH(QRectF, expected);

    const auto view = shownView({200, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    QSignalSpy spy(view.get(), &ks::ImageView::viewportChanged);
    view->setZoom(zoom, QPointF(100, 75));
    QCOMPARE(spy.count(), 1);
    if (!delta.isNull()) {
        drag(*view, Qt::MiddleButton, {100, 75}, QPoint(100, 75) + delta);
        QVERIFY(spy.count() >= 2);
    }

    QCOMPARE(view->visibleImageRect(), expected);
    const QList<QVariant> last = spy.last();
    QCOMPARE(last.at(0).toSize(), QSize(200, 150)); // offscreen: 1 device pixel per pixel
    QCOMPARE(last.at(1).toRectF(), expected);

    // A resize reports the new size; the fitted view sees the whole image.
    const qsizetype before = spy.count();
    view->resize(260, 150);
    QCOMPARE(spy.count(), before + 1);
    QCOMPARE(spy.last().at(0).toSize(), QSize(260, 150));
    view->fitToWindow();
    QCOMPARE(spy.last().at(1).toRectF(), QRectF(0, 0, 400, 300));
}

void TestImageView::splitShowsOriginalLeftOfDivider_data()
{
    QTest::addColumn<double>("zoom"); // 0: fitted, 0.5
    QTest::addColumn<double>("split");
    QTest::addColumn<QImage::Format>("originalFormat");

    QTest::newRow("fitted, middle") << 0.0 << 0.5 << QImage::Format_RGB888;
    QTest::newRow("fitted, 0.3") << 0.0 << 0.3 << QImage::Format_RGB32;
    QTest::newRow("zoom 0.75, 0.6") << 0.75 << 0.6 << QImage::Format_RGB888;
    QTest::newRow("zoom 2, 0.5") << 2.0 << 0.5 << QImage::Format_RGB32;
    QTest::newRow("zoom 8, 0.7") << 8.0 << 0.7 << QImage::Format_RGB888;
}

void TestImageView::splitShowsOriginalLeftOfDivider()
{
    QFETCH(double, zoom);
    QFETCH(double, split);
    QFETCH(QImage::Format, originalFormat);

    const auto view = shownView({200, 150}, QImage());
    QVERIFY(view);
    view->setOriginal(filled({400, 300}, kRed, originalFormat));
    view->setProcessed(filled({400, 300}, kBlue));
    if (zoom > 0)
        view->setZoom(zoom, QPointF(100, 75));
    QVERIFY(!view->isSplitEnabled());
    QCOMPARE(pixelAt(view->grab().toImage(), {20, 110}), kBlue);

    view->setSplitEnabled(true);
    view->setSplitPosition(split);
    QCOMPARE(view->splitPosition(), split);
    const QImage shot = view->grab().toImage();
    const int divider = qRound(200 * split);
    // Row y = 110: below the labels, above the divider's handle.
    for (int x = 0; x < 200; ++x) {
        if (std::abs(x - divider) <= 3)
            continue; // the divider line
        const QRgb expected = x < divider ? kRed : kBlue;
        QVERIFY2(pixelAt(shot, {x, 110}) == expected,
                 qPrintable(QStringLiteral("x %1: %2").arg(x).arg(shot.pixelColor(x, 110).name())));
    }
    // The divider itself is drawn (light), and so are the labels at the top.
    QVERIFY(qGray(pixelAt(shot, {divider, 110})) > 150);
    QVERIFY(pixelAt(shot, {divider - 20, 16}) != kRed);
    QVERIFY(pixelAt(shot, {divider + 20, 16}) != kBlue);
}

void TestImageView::dividerDrags()
{
    const auto view = shownView({200, 150}, QImage());
    QVERIFY(view);
    view->setOriginal(filled({400, 300}, kRed));
    view->setProcessed(filled({400, 300}, kBlue));
    view->setSplitEnabled(true);

    // Hovering over the divider shows the split cursor.
    QTest::mouseMove(view.get(), {102, 40});
    QCOMPARE(view->cursor().shape(), Qt::SplitHCursor);
    QTest::mouseMove(view.get(), {60, 40});
    QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);

    drag(*view, Qt::LeftButton, {101, 40}, {150, 40});
    QCOMPARE(view->splitPosition(), 0.75);
    QCOMPARE(pixelAt(view->grab().toImage(), {140, 110}), kRed);
    QCOMPARE(pixelAt(view->grab().toImage(), {160, 110}), kBlue);

    // A press away from the divider leaves it alone; dragging past the
    // edge stops at it.
    drag(*view, Qt::LeftButton, {20, 40}, {60, 40});
    QCOMPARE(view->splitPosition(), 0.75);
    drag(*view, Qt::LeftButton, {150, 40}, {260, 40});
    QCOMPARE(view->splitPosition(), 1.0);
    QCOMPARE(pixelAt(view->grab().toImage(), {190, 110}), kRed);
    view->setSplitPosition(-0.5);
    QCOMPARE(view->splitPosition(), 0.0);
}

void TestImageView::backslashShowsOriginalWhileHeld()
{
    const auto view = shownView({200, 150}, QImage());
    QVERIFY(view);
    view->setOriginal(filled({400, 300}, kRed));
    view->setProcessed(filled({400, 300}, kBlue));
    QCOMPARE(pixelAt(view->grab().toImage(), {100, 100}), kBlue);

    QTest::keyPress(view.get(), Qt::Key_Backslash);
    QVERIFY(view->isShowingOriginal());
    QCOMPARE(pixelAt(view->grab().toImage(), {100, 100}), kRed);
    QTest::keyRelease(view.get(), Qt::Key_Backslash);
    QVERIFY(!view->isShowingOriginal());
    QCOMPARE(pixelAt(view->grab().toImage(), {100, 100}), kBlue);

    // Over a split, both sides show the original.
    view->setSplitEnabled(true);
    QTest::keyPress(view.get(), Qt::Key_Backslash);
    const QImage held = view->grab().toImage();
    QCOMPARE(pixelAt(held, {40, 110}), kRed);
    QCOMPARE(pixelAt(held, {160, 110}), kRed);
    QTest::keyRelease(view.get(), Qt::Key_Backslash);
    QCOMPARE(pixelAt(view->grab().toImage(), {160, 110}), kBlue);

    // The same from code.
    view->setShowOriginal(true);
    QVERIFY(view->isShowingOriginal());
    QCOMPARE(pixelAt(view->grab().toImage(), {160, 110}), kRed);
    view->setShowOriginal(false);
    QCOMPARE(pixelAt(view->grab().toImage(), {160, 110}), kBlue);
}

void TestImageView::quickPreviewAndPatch_data()
{
    QTest::addColumn<double>("zoom"); // 0: fitted, 0.5

    QTest::newRow("fitted") << 0.0;
    QTest::newRow("zoom 0.7") << 0.7;
    QTest::newRow("zoom 2") << 2.0;
}

void TestImageView::quickPreviewAndPatch()
{
    QFETCH(double, zoom);

    const auto view = shownView({200, 150}, QImage());
    QVERIFY(view);
    view->setOriginal(filled({400, 300}, kRed, QImage::Format_RGB888));
    // Zooming about the patch's centre (220, 115) keeps the patch on screen.
    if (zoom > 0)
        view->setZoom(zoom, view->imageToWidget(QPointF(220, 115)));
    view->setProcessed(filled({100, 75}, kBlue), 0.25);
    QCOMPARE(view->imageSize(), QSize(400, 300));
    QCOMPARE(view->image().size(), QSize(400, 300)); // the original: no full-size result yet

    // The quarter-size preview covers the whole image rectangle.
    const QRect drawn = view->imageRect() & view->rect();
    QVERIFY(drawn.width() > 40);
    QImage shot = view->grab().toImage();
    const QPoint probes[] = {drawn.topLeft() + QPoint(1, 1), drawn.topRight() + QPoint(-1, 1),
                             drawn.bottomLeft() + QPoint(1, -1),
                             drawn.bottomRight() + QPoint(-1, -1), drawn.center()};
    for (const QPoint &p : probes)
        QVERIFY2(pixelAt(shot, p) == kBlue, qPrintable(shot.pixelColor(p).name()));

    // An exact patch over it, where its image rectangle lands.
    const QRect patchRect(200, 100, 40, 30);
    view->setProcessedPatch(filled(patchRect.size(), kGreen), patchRect);
    shot = view->grab().toImage();
    // Probes at least 4 image pixels (2 screen pixels at zoom 0.5) from its edges.
    const QPointF inside[] = {{204, 104}, {236, 126}, {220, 115}, {205, 125}};
    for (const QPointF &p : inside) {
        const QPoint w = view->imageToWidget(p).toPoint();
        QVERIFY2(pixelAt(shot, w) == kGreen, qPrintable(describe(p)));
    }
    const QPointF outside[] = {{195, 115}, {245, 115}, {220, 95}, {220, 135}, {100, 250}};
    for (const QPointF &p : outside) {
        const QPoint w = view->imageToWidget(p).toPoint();
        if (drawn.contains(w))
            QVERIFY2(pixelAt(shot, w) == kBlue, qPrintable(describe(p)));
    }

    // A new preview drops the patch.
    view->setProcessed(filled({100, 75}, kBlue), 0.25);
    const QPoint patchCentre = view->imageToWidget(QPointF(220, 115)).toPoint();
    QCOMPARE(pixelAt(view->grab().toImage(), patchCentre), kBlue);

    // The exact full result is what image() gives.
    view->setProcessed(filled({400, 300}, kGreen), 1.0);
    QCOMPARE(view->image().pixel(0, 0) | 0xff000000u, kGreen);

    // Without a processed image the original is shown.
    view->setProcessed(QImage());
    QCOMPARE(pixelAt(view->grab().toImage(), drawn.center()), kRed);
    QCOMPARE(view->image().pixel(0, 0) | 0xff000000u, kRed);
}

void TestImageView::crispPixelsWhenZoomedIn_data()
{
    QTest::addColumn<QSize>("widgetSize");
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QImage::Format>("format");

    QTest::newRow("zoom 8, whole offset") << QSize(64, 64) << 8.0 << QImage::Format_RGB32;
    QTest::newRow("zoom 8, half offset") << QSize(67, 61) << 8.0 << QImage::Format_RGB32;
    QTest::newRow("zoom 8, grey") << QSize(64, 64) << 8.0 << QImage::Format_Grayscale8;
    QTest::newRow("zoom 8, RGB888, half offset") << QSize(67, 61) << 8.0 << QImage::Format_RGB888;
    QTest::newRow("zoom 3") << QSize(100, 100) << 3.0 << QImage::Format_RGB32;
    QTest::newRow("zoom 2^2.25") << QSize(100, 100) << std::pow(2.0, 2.25) << QImage::Format_RGB32;
}

void TestImageView::crispPixelsWhenZoomedIn()
{
    QFETCH(QSize, widgetSize);
    QFETCH(double, zoom);
    QFETCH(QImage::Format, format);

    // A 2x2 checkerboard, black top-left.
    QImage checker(2, 2, format);
    checker.setPixel(0, 0, kBlack);
    checker.setPixel(1, 1, kBlack);
    checker.setPixel(1, 0, kWhite);
    checker.setPixel(0, 1, kWhite);
    const auto view = shownView(widgetSize, checker);
    QVERIFY(view);
    view->setZoom(zoom, QPointF(0, 0)); // smaller than the widget: centred

    // The image is centred: it starts at (widget - 2 * zoom) / 2.
    const QPointF origin((widgetSize.width() - 2 * zoom) / 2, (widgetSize.height() - 2 * zoom) / 2);
    const QImage shot = view->grab().toImage();
    int blacks = 0;
    int whites = 0;
    for (int y = 0; y < shot.height(); ++y) {
        for (int x = 0; x < shot.width(); ++x) {
            const QRgb pixel = pixelAt(shot, {x, y});
            QVERIFY2(pixel == kBlack || pixel == kWhite || pixel == ks::ImageView::kBackground,
                     qPrintable(QStringLiteral("(%1, %2) is %3")
                                    .arg(x)
                                    .arg(y)
                                    .arg(shot.pixelColor(x, y).name())));
            blacks += pixel == kBlack;
            whites += pixel == kWhite;
            // Pixel centres clearly inside a cell (not within half a pixel of
            // an edge, where rounding may go either way) show that cell.
            const double u = (x + 0.5 - origin.x()) / zoom;
            const double v = (y + 0.5 - origin.y()) / zoom;
            const double margin = 0.51 / zoom;
            if (u < margin || v < margin || u > 2 - margin || v > 2 - margin ||
                std::abs(u - 1) < margin || std::abs(v - 1) < margin)
                continue;
            const QRgb expected = (int(u) + int(v)) % 2 ? kWhite : kBlack;
            QVERIFY2(pixel == expected, qPrintable(QStringLiteral("(%1, %2)").arg(x).arg(y)));
        }
    }
    // Each cell covers about zoom x zoom screen pixels: two black, two white.
    const double cell = zoom * zoom;
    QVERIFY2(std::abs(blacks - 2 * cell) <= 4 * zoom + 1, qPrintable(QString::number(blacks)));
    QVERIFY2(std::abs(whites - 2 * cell) <= 4 * zoom + 1, qPrintable(QString::number(whites)));
    if (zoom == 8) {
        QCOMPARE(blacks, 128);
        QCOMPARE(whites, 128);
    }
}

void TestImageView::smoothWhenZoomedOut()
{
    // A one-pixel checkerboard reduced 4x averages to mid-grey (area
    // averaging), where nearest-neighbour sampling would give black or white.
    QImage checker(400, 400, QImage::Format_Grayscale8);
    for (int y = 0; y < checker.height(); ++y)
        for (int x = 0; x < checker.width(); ++x)
            checker.scanLine(y)[x] = (x + y) % 2 ? 255 : 0;
    const auto view = shownView({100, 100}, checker);
    QVERIFY(view);
    QCOMPARE(view->zoom(), 0.25);
    for (double zoom : {0.25, 0.3, std::pow(2.0, -1.25), 0.5}) {
        view->setZoom(zoom, QPointF(50, 50));
        const QImage shot = view->grab().toImage();
        for (const QPoint p : {QPoint(50, 50), QPoint(20, 70), QPoint(81, 13)}) {
            const int grey = qGray(shot.pixel(p));
            QVERIFY2(grey > 100 && grey < 155,
                     qPrintable(QStringLiteral("zoom %1: %2").arg(zoom).arg(grey)));
        }
    }
}

void TestImageView::quickPreviewEnlargedSmoothly()
{
    // A quarter-size preview whose left half is black and right half white,
    // at zoom 4: its pixels are 16 screen pixels wide and not the image's, so
    // the edge between the halves is blended. The same halves at full size
    // stay pure black and white.
    QImage preview(10, 5, QImage::Format_RGB32);
    QImage exact(40, 20, QImage::Format_RGB32);
    for (QImage *image : {&preview, &exact})
        for (int y = 0; y < image->height(); ++y)
            for (int x = 0; x < image->width(); ++x)
                image->setPixel(x, y, x < image->width() / 2 ? kBlack : kWhite);
    const auto view = shownView({160, 80}, filled({40, 20}, kRed));
    QVERIFY(view);
    view->setZoom(4, QPointF(80, 40));
    QCOMPARE(view->imageRect(), QRect(0, 0, 160, 80));

    auto greysInRow = [&](int y) {
        const QImage shot = view->grab().toImage();
        int blended = 0;
        for (int x = 0; x < shot.width(); ++x) {
            const QRgb pixel = pixelAt(shot, {x, y});
            blended += pixel != kBlack && pixel != kWhite;
        }
        return blended;
    };
    view->setProcessed(preview, 0.25);
    QVERIFY2(greysInRow(40) >= 4, qPrintable(QString::number(greysInRow(40))));
    view->setProcessed(exact, 1.0);
    QCOMPARE(greysInRow(40), 0);
}

void TestImageView::cursorMovedReportsImagePixel_data()
{
    QTest::addColumn<double>("zoom"); // 0: fitted: 0.5, 400x300 at (50, 0) in 300x150
    QTest::addColumn<QPoint>("widgetPos");
    QTest::addColumn<QPoint>("imagePixel");
    QTest::addColumn<bool>("inside");

    QTest::newRow("fitted, inside") << 0.0 << QPoint(51, 1) << QPoint(2, 2) << true;
    QTest::newRow("fitted, left bar") << 0.0 << QPoint(20, 70) << QPoint(-60, 140) << false;
    QTest::newRow("fitted, right bar") << 0.0 << QPoint(250, 70) << QPoint(400, 140) << false;
    QTest::newRow("fitted, last pixel") << 0.0 << QPoint(249, 149) << QPoint(398, 298) << true;
    // Zoom 2 about the centre (150, 75): image (200, 150) there, offset
    // (150 - 400, 75 - 300) = (-250, -225).
    QTest::newRow("zoom 2") << 2.0 << QPoint(10, 20) << QPoint(130, 122) << true;
    QTest::newRow("zoom 2, odd") << 2.0 << QPoint(11, 21) << QPoint(130, 123) << true;
}

void TestImageView::cursorMovedReportsImagePixel()
{
    QFETCH(double, zoom);
    QFETCH(QPoint, widgetPos);
    QFETCH(QPoint, imagePixel);
    QFETCH(bool, inside);

    const auto view = shownView({300, 150}, filled({400, 300}, kRed));
    QVERIFY(view);
    if (zoom > 0)
        view->setZoom(zoom, QPointF(150, 75));
    QSignalSpy spy(view.get(), &ks::ImageView::cursorMoved);
    QTest::mouseMove(view.get(), widgetPos);
    QVERIFY(spy.count() >= 1);
    QCOMPARE(spy.last().at(0).toPoint(), imagePixel);
    QCOMPARE(spy.last().at(1).toBool(), inside);

    // Leaving the widget: the same pixel, no longer inside.
    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(view.get(), &leave);
    QCOMPARE(spy.last().at(0).toPoint(), imagePixel);
    QCOMPARE(spy.last().at(1).toBool(), false);
}

void TestImageView::largeImagePaintsQuickly_data()
{
    QTest::addColumn<double>("zoom"); // 0: fitted

    QTest::newRow("fitted") << 0.0;
    QTest::newRow("zoom 2^-0.25") << std::pow(2.0, -0.25);
    QTest::newRow("zoom 1") << 1.0;
    QTest::newRow("zoom 8") << 8.0;
    QTest::newRow("zoom 64") << 64.0;
}

void TestImageView::largeImagePaintsQuickly()
{
    QFETCH(double, zoom);

    // 12 MP with detail everywhere, split so both layers are drawn.
    QImage original(4000, 3000, QImage::Format_RGB888);
    for (int y = 0; y < original.height(); ++y) {
        uchar *line = original.scanLine(y);
        for (int x = 0; x < original.width() * 3; ++x)
            line[x] = uchar((x * 7 + y * 13) & 0xff);
    }
    const QImage processed = original.convertToFormat(QImage::Format_RGB32);
    const auto view = shownView({800, 600}, QImage());
    QVERIFY(view);
    view->setOriginal(original);
    view->setProcessed(processed);
    view->setSplitEnabled(true);
    if (zoom > 0)
        view->setZoom(zoom, QPointF(400, 300));

    view->grab(); // builds the caches
    // The fastest of a few frames, so a busy machine does not fail the test.
    qint64 fastest = std::numeric_limits<qint64>::max();
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer timer;
        timer.start();
        view->grab(); // always paints, unlike repaint() on an offscreen window
        fastest = std::min(fastest, timer.nsecsElapsed());
    }
    const double perFrame = fastest / 1e6;
    qInfo("zoom %.3g: %.2f ms per frame", view->zoom(), perFrame);
    // Drawing only the visible part takes a few milliseconds; scaling the
    // whole image per frame would take hundreds.
    QVERIFY2(perFrame < 16, qPrintable(QString::number(perFrame)));
}

// --- Regions ----------------------------------------------------------------

void TestImageView::drawRegionAtAnyZoom_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPoint>("corner");
    QTest::addColumn<QPoint>("from");
    QTest::addColumn<QPoint>("to");
    QTest::addColumn<QRect>("expected");

    // A 1000x800 image, image point p at corner + p * zoom, so widget point
    // w is image point (w - corner) / zoom, in pixel floor of that.
    // zoom 0.5, corner (-40, -30): (10, 20) -> (100, 100); (60, 70) ->
    // (200, 200), on the edge of pixel 200, which it belongs to.
    QTest::newRow("zoom 0.5") << 0.5 << QPoint(-40, -30) << QPoint(10, 20) << QPoint(60, 70)
                              << QRect(100, 100, 101, 101);
    QTest::newRow("zoom 0.5, reversed")
        << 0.5 << QPoint(-40, -30) << QPoint(60, 70) << QPoint(10, 20) << QRect(100, 100, 101, 101);
    // zoom 1, corner (-123, -45): (10, 20) -> (133, 65); (70, 90) -> (193, 135).
    QTest::newRow("zoom 1") << 1.0 << QPoint(-123, -45) << QPoint(10, 20) << QPoint(70, 90)
                            << QRect(133, 65, 61, 71);
    // zoom 2, corner (-40, -30): the middle of pixel (22, 17), image
    // (22.5, 17.5), is at (5, 5); the middle of (25, 21) at (11, 13).
    QTest::newRow("zoom 2, pixel middles")
        << 2.0 << QPoint(-40, -30) << QPoint(5, 5) << QPoint(11, 13) << QRect(22, 17, 4, 5);
    // zoom 3, corner (-301, -77): (50, 60) -> (117, 45.67); (80, 100) ->
    // (127, 59), on the edge of pixel 127 and row 59.
    QTest::newRow("zoom 3") << 3.0 << QPoint(-301, -77) << QPoint(50, 60) << QPoint(80, 100)
                            << QRect(117, 45, 11, 15);
    QTest::newRow("zoom 3, reversed")
        << 3.0 << QPoint(-301, -77) << QPoint(80, 100) << QPoint(50, 60) << QRect(117, 45, 11, 15);
    // (10, 10) -> (103.67, 29); (11, 30) -> (104, 35.67).
    QTest::newRow("zoom 3, thin") << 3.0 << QPoint(-301, -77) << QPoint(10, 10) << QPoint(11, 30)
                                  << QRect(103, 29, 2, 7);
}

void TestImageView::drawRegionAtAnyZoom()
{
    QFETCH(double, zoom);
    QFETCH(QPoint, corner);
    QFETCH(QPoint, from);
    QFETCH(QPoint, to);
    QFETCH(QRect, expected);

    const auto view = placedView({1000, 800}, zoom, corner);
    QVERIFY(view);
    QCOMPARE(view->zoom(), zoom);
    QCOMPARE(view->imageRect().topLeft(), corner);
    view->setTool(ks::ImageView::Tool::BlurRegion);
    QCOMPARE(view->tool(), ks::ImageView::Tool::BlurRegion);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);

    drag(*view, Qt::LeftButton, from, to);
    QCOMPARE(drawn.count(), 1);
    QVERIFY2(drawn.at(0).at(0).toRect() == expected,
             qPrintable(describe(drawn.at(0).at(0).toRect())));
    QCOMPARE(selected.count(), 0);
    QVERIFY(view->regions().empty()); // adding it is the owner's business
    QCOMPARE(view->imageRect().topLeft(), corner);
}

void TestImageView::drawRegionClippedToImage_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPoint>("corner");
    QTest::addColumn<QPoint>("from");
    QTest::addColumn<QPoint>("to");
    QTest::addColumn<QRect>("expected"); // null: nothing drawn

    // A 100x80 image centred in 200x150: at zoom 1 its corner is at
    // ((200 - 100) / 2, (150 - 80) / 2) = (50, 35).
    const QPoint one(50, 35);
    // (60, 45) -> (10, 10); (190, 140) -> (140, 105), beyond the 100x80 image.
    QTest::newRow("past bottom-right")
        << 1.0 << one << QPoint(60, 45) << QPoint(190, 140) << QRect(10, 10, 90, 70);
    // (5, 5) -> (-45, -30); (70, 60) -> (20, 25).
    QTest::newRow("from outside top-left")
        << 1.0 << one << QPoint(5, 5) << QPoint(70, 60) << QRect(0, 0, 21, 26);
    // (140, 50) -> (90, 15); (190, 60) -> (140, 25).
    QTest::newRow("past the right edge")
        << 1.0 << one << QPoint(140, 50) << QPoint(190, 60) << QRect(90, 15, 10, 11);
    // (100, 75) -> (50, 40); (150, 115) -> (100, 80): the edge of pixel 100,
    // outside the image.
    QTest::newRow("to the far corner")
        << 1.0 << one << QPoint(100, 75) << QPoint(150, 115) << QRect(50, 40, 50, 40);
    // Both ends left of and above the image.
    QTest::newRow("entirely outside") << 1.0 << one << QPoint(5, 5) << QPoint(40, 30) << QRect();
    // zoom 1.5: 150x120 centred at (25, 15). (10, 10) -> (-10, -3.33);
    // (100, 60) -> (50, 30).
    QTest::newRow("zoom 1.5, from outside")
        << 1.5 << QPoint(25, 15) << QPoint(10, 10) << QPoint(100, 60) << QRect(0, 0, 51, 31);
}

void TestImageView::drawRegionClippedToImage()
{
    QFETCH(double, zoom);
    QFETCH(QPoint, corner);
    QFETCH(QPoint, from);
    QFETCH(QPoint, to);
    QFETCH(QRect, expected);

    const auto view = shownView({200, 150}, filled({100, 80}, kRed));
    QVERIFY(view);
    view->setZoom(zoom, QPointF(0, 0)); // smaller than the widget: centred
    QCOMPARE(view->imageRect().topLeft(), corner);
    view->setTool(ks::ImageView::Tool::BlurRegion);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);

    drag(*view, Qt::LeftButton, from, to);
    if (expected.isNull()) {
        QCOMPARE(drawn.count(), 0);
    } else {
        QCOMPARE(drawn.count(), 1);
        QVERIFY2(drawn.at(0).at(0).toRect() == expected,
                 qPrintable(describe(drawn.at(0).at(0).toRect())));
    }
}

void TestImageView::escCancelsRubberBand()
{
    const auto view = placedView({400, 300}, 1, {0, 0});
    QVERIFY(view);
    view->setTool(ks::ImageView::Tool::BlurRegion);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);

    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {20, 20});
    QTest::mouseMove(view.get(), {60, 50});
    QTest::mouseMove(view.get(), {80, 70});
    QCOMPARE(view->cursor().shape(), Qt::CrossCursor);
    // The band is drawn over the image while dragging, and gone after Esc.
    QVERIFY(pixelAt(view->grab().toImage(), {50, 45}) != kRed);
    QTest::keyClick(view.get(), Qt::Key_Escape);
    QCOMPARE(pixelAt(view->grab().toImage(), {50, 45}), kRed);
    QTest::mouseMove(view.get(), {90, 80});
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {90, 80});
    QCOMPARE(drawn.count(), 0);

    // The next drag draws again: (20, 20) to (80, 70) at zoom 1, corner (0, 0).
    drag(*view, Qt::LeftButton, {20, 20}, {80, 70});
    QCOMPARE(drawn.count(), 1);
    QCOMPARE(drawn.at(0).at(0).toRect(), QRect(20, 20, 61, 51));
}

void TestImageView::clickWithoutDragDrawsNothing()
{
    const auto view = placedView({400, 300}, 3, {0, 0});
    QVERIFY(view);
    view->setTool(ks::ImageView::Tool::BlurRegion);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);

    QTest::mouseClick(view.get(), Qt::LeftButton, Qt::NoModifier, {50, 50});
    QCOMPARE(drawn.count(), 0);

    // A jitter below the drag distance is still a click, even across pixels.
    const int jitter = QApplication::startDragDistance() - 1;
    QVERIFY(jitter >= 3); // spans two pixels at zoom 3
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {50, 50});
    QTest::mouseMove(view.get(), {50 + jitter, 50});
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {50 + jitter, 50});
    QCOMPARE(drawn.count(), 0);
    QCOMPARE(selected.count(), 0); // nothing was selected, nothing changes
}

void TestImageView::navigateToolDoesNotDraw()
{
    const auto view = placedView({400, 300}, 2, {-100, -80});
    QVERIFY(view);
    QCOMPARE(view->tool(), ks::ImageView::Tool::Navigate);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);

    drag(*view, Qt::LeftButton, {20, 20}, {120, 100});
    QCOMPARE(drawn.count(), 0);
    QCOMPARE(view->imageRect().topLeft(), QPoint(-100, -80)); // no pan either
    QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);

    view->setTool(ks::ImageView::Tool::BlurRegion);
    view->setTool(ks::ImageView::Tool::Navigate);
    drag(*view, Qt::LeftButton, {20, 20}, {120, 100});
    QCOMPARE(drawn.count(), 0);
}

void TestImageView::panStillWorksInRegionTool_data()
{
    QTest::addColumn<bool>("withSpace");
    QTest::addColumn<QPoint>("delta");

    QTest::newRow("middle button") << false << QPoint(30, -20);
    QTest::newRow("Space + left") << true << QPoint(-45, 35);
}

void TestImageView::panStillWorksInRegionTool()
{
    QFETCH(bool, withSpace);
    QFETCH(QPoint, delta);

    const auto view = placedView({400, 300}, 2, {-100, -80});
    QVERIFY(view);
    view->setTool(ks::ImageView::Tool::BlurRegion);
    // A region under the press: panning neither selects nor moves it.
    view->setRegions({region(QRect(50, 40, 50, 50))}); // widget (0, 0) to (100, 100)
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);
    QSignalSpy edited(view.get(), &ks::ImageView::regionEdited);

    const QPoint from(60, 60);
    if (withSpace) {
        QTest::keyPress(view.get(), Qt::Key_Space);
        drag(*view, Qt::LeftButton, from, from + delta);
        QTest::keyRelease(view.get(), Qt::Key_Space);
    } else {
        drag(*view, Qt::MiddleButton, from, from + delta);
    }
    QCOMPARE(view->imageRect().topLeft(), QPoint(-100, -80) + delta);
    QCOMPARE(drawn.count(), 0);
    QCOMPARE(selected.count(), 0);
    QCOMPARE(edited.count(), 0);
}

void TestImageView::pressSelectsTopmostRegion_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<ks::ImageView::Tool>("tool");
    QTest::addColumn<QPointF>("imagePoint");
    QTest::addColumn<int>("expected");
    QTest::addColumn<bool>("signalled");

    // Regions 0 (10, 10, 50, 50), 1 (30, 30, 50, 50) over it, 2 (120, 20,
    // 30, 30); 2 is selected to start with.
    using Tool = ks::ImageView::Tool;
    QTest::newRow("overlap: the later one")
        << 1.0 << Tool::Navigate << QPointF(40, 40) << 1 << true;
    QTest::newRow("first only") << 1.0 << Tool::Navigate << QPointF(15, 15) << 0 << true;
    QTest::newRow("second only") << 1.0 << Tool::Navigate << QPointF(70, 70) << 1 << true;
    QTest::newRow("right of first, above second")
        << 1.0 << Tool::Navigate << QPointF(61, 21) << -1 << true;
    QTest::newRow("the selected one") << 1.0 << Tool::Navigate << QPointF(130, 25) << 2 << false;
    QTest::newRow("empty") << 1.0 << Tool::Navigate << QPointF(100, 120) << -1 << true;
    QTest::newRow("overlap, zoom 3") << 3.0 << Tool::Navigate << QPointF(40.5, 40.5) << 1 << true;
    QTest::newRow("empty, zoom 3") << 3.0 << Tool::Navigate << QPointF(5.5, 5.5) << -1 << true;
    QTest::newRow("overlap, region tool")
        << 1.0 << Tool::BlurRegion << QPointF(40, 40) << 1 << true;
    QTest::newRow("empty, region tool")
        << 1.0 << Tool::BlurRegion << QPointF(100, 120) << -1 << true;
}

void TestImageView::pressSelectsTopmostRegion()
{
    QFETCH(double, zoom);
    QFETCH(ks::ImageView::Tool, tool);
    QFETCH(QPointF, imagePoint);
    QFETCH(int, expected);
    QFETCH(bool, signalled);

    const auto view = placedView({400, 300}, zoom, {0, 0});
    QVERIFY(view);
    QCOMPARE(view->imageRect().topLeft(), QPoint(0, 0));
    view->setTool(tool);
    view->setRegions({region(QRect(10, 10, 50, 50)), region(QRect(30, 30, 50, 50)),
                      region(QRect(120, 20, 30, 30))});
    view->setSelectedRegion(2);
    QCOMPARE(view->selectedRegion(), 2);
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);
    QSignalSpy edited(view.get(), &ks::ImageView::regionEdited);

    // Corner (0, 0): image point p is at p * zoom.
    const QPoint at = (imagePoint * zoom).toPoint();
    QTest::mouseClick(view.get(), Qt::LeftButton, Qt::NoModifier, at);
    QCOMPARE(selected.count(), signalled ? 1 : 0);
    if (signalled)
        QCOMPARE(selected.at(0).at(0).toInt(), expected);
    QCOMPARE(view->selectedRegion(), expected);
    QCOMPARE(drawn.count(), 0);
    QCOMPARE(edited.count(), 0);
}

void TestImageView::moveAndResize_data()
{
    QTest::addColumn<ks::ImageView::Tool>("tool");
    QTest::addColumn<QPoint>("grab");
    QTest::addColumn<QPoint>("delta");
    QTest::addColumn<Qt::CursorShape>("cursor");
    QTest::addColumn<QRect>("expected");

    // 400x300 at zoom 2, corner (-150, -90): the selected region (100, 60,
    // 40, 30) spans widget (50, 30) to (130, 90); a widget delta d moves
    // edges by d / 2 image pixels.
    using Tool = ks::ImageView::Tool;
    const Tool nav = Tool::Navigate;
    QTest::newRow("move") << nav << QPoint(70, 50) << QPoint(20, 14) << Qt::SizeAllCursor
                          << QRect(110, 67, 40, 30);
    QTest::newRow("move up left") << nav << QPoint(100, 70) << QPoint(-36, -24) << Qt::SizeAllCursor
                                  << QRect(82, 48, 40, 30);
    QTest::newRow("move, region tool") << Tool::BlurRegion << QPoint(70, 50) << QPoint(20, 14)
                                       << Qt::SizeAllCursor << QRect(110, 67, 40, 30);
    // +400 image pixels right would leave the image: x stops at 400 - 40.
    QTest::newRow("move stops at the image's edges")
        << nav << QPoint(70, 50) << QPoint(800, -200) << Qt::SizeAllCursor << QRect(360, 0, 40, 30);
    QTest::newRow("top-left") << nav << QPoint(50, 30) << QPoint(-20, -10) << Qt::SizeFDiagCursor
                              << QRect(90, 55, 50, 35);
    QTest::newRow("top") << nav << QPoint(90, 30) << QPoint(30, 10) << Qt::SizeVerCursor
                         << QRect(100, 65, 40, 25);
    QTest::newRow("top-right") << nav << QPoint(130, 30) << QPoint(20, -20) << Qt::SizeBDiagCursor
                               << QRect(100, 50, 50, 40);
    QTest::newRow("right") << nav << QPoint(130, 60) << QPoint(-30, 40) << Qt::SizeHorCursor
                           << QRect(100, 60, 25, 30);
    QTest::newRow("right, region tool") << Tool::BlurRegion << QPoint(130, 60) << QPoint(-30, 40)
                                        << Qt::SizeHorCursor << QRect(100, 60, 25, 30);
    QTest::newRow("bottom-right") << nav << QPoint(130, 90) << QPoint(20, 20) << Qt::SizeFDiagCursor
                                  << QRect(100, 60, 50, 40);
    QTest::newRow("bottom") << nav << QPoint(90, 90) << QPoint(0, -20) << Qt::SizeVerCursor
                            << QRect(100, 60, 40, 20);
    QTest::newRow("bottom-left") << nav << QPoint(50, 90) << QPoint(-20, 10) << Qt::SizeBDiagCursor
                                 << QRect(90, 60, 50, 35);
    QTest::newRow("left") << nav << QPoint(50, 60) << QPoint(30, 0) << Qt::SizeHorCursor
                          << QRect(115, 60, 25, 30);
    // Grabbed 3 px off the corner: the edges move by the pointer's
    // displacement, without jumping to it.
    QTest::newRow("top-left, grabbed off centre") << nav << QPoint(53, 27) << QPoint(-20, -10)
                                                  << Qt::SizeFDiagCursor << QRect(90, 55, 50, 35);
    QTest::newRow("right past left: no flip")
        << nav << QPoint(130, 60) << QPoint(-200, 0) << Qt::SizeHorCursor << QRect(100, 60, 1, 30);
    QTest::newRow("left past right: no flip")
        << nav << QPoint(50, 60) << QPoint(200, 0) << Qt::SizeHorCursor << QRect(139, 60, 1, 30);
    QTest::newRow("top past bottom: no flip")
        << nav << QPoint(90, 30) << QPoint(0, 100) << Qt::SizeVerCursor << QRect(100, 89, 40, 1);
    QTest::newRow("top-left past bottom-right: no flip")
        << nav << QPoint(50, 30) << QPoint(200, 200) << Qt::SizeFDiagCursor << QRect(139, 89, 1, 1);
    QTest::newRow("bottom-right beyond the image")
        << nav << QPoint(130, 90) << QPoint(800, 800) << Qt::SizeFDiagCursor
        << QRect(100, 60, 300, 240);
    QTest::newRow("top-left beyond the image") << nav << QPoint(50, 30) << QPoint(-800, -800)
                                               << Qt::SizeFDiagCursor << QRect(0, 0, 140, 90);
}

void TestImageView::moveAndResize()
{
    QFETCH(ks::ImageView::Tool, tool);
    QFETCH(QPoint, grab);
    QFETCH(QPoint, delta);
    QFETCH(Qt::CursorShape, cursor);
    QFETCH(QRect, expected);

    const auto view = placedView({400, 300}, 2, {-150, -90});
    QVERIFY(view);
    QCOMPARE(view->imageRect().topLeft(), QPoint(-150, -90));
    view->setTool(tool);
    const std::vector<ks::Region> document{region(QRect(100, 60, 40, 30))};
    view->setRegions(document);
    view->setSelectedRegion(0);
    // Hovering moves the real cursor, which sends nothing if it is already
    // there (as the previous row left it).
    QTest::mouseMove(view.get(), {1, 1});
    QTest::mouseMove(view.get(), grab);
    QCOMPARE(view->cursor().shape(), cursor);
    QSignalSpy edited(view.get(), &ks::ImageView::regionEdited);
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);

    drag(*view, Qt::LeftButton, grab, grab + delta);
    // Live edits while moving, then one finished edit with the final rect.
    QVERIFY2(edited.count() >= 2, qPrintable(QString::number(edited.count())));
    for (qsizetype i = 0; i < edited.count(); ++i) {
        QCOMPARE(edited.at(i).at(0).toInt(), 0);
        QCOMPARE(edited.at(i).at(2).toBool(), i == edited.count() - 1);
    }
    const QRect finished = edited.last().at(1).toRect();
    QVERIFY2(finished == expected, qPrintable(describe(finished)));
    // Until the owner answers, the view draws the edited rect.
    QCOMPARE(rectOf(view->regions().at(0)), expected);
    QCOMPARE(selected.count(), 0);
    QCOMPARE(drawn.count(), 0);
    QCOMPARE(view->imageRect().topLeft(), QPoint(-150, -90));
    // The owner's list comes back as it was: the view shows it.
    view->setRegions(document);
    QCOMPARE(rectOf(view->regions().at(0)), QRect(100, 60, 40, 30));
}

void TestImageView::editSignalsAndEsc()
{
    // Zoom 2, corner (-150, -90): region (100, 60, 40, 30) at widget (50, 30)
    // to (130, 90).
    const auto view = placedView({400, 300}, 2, {-150, -90});
    QVERIFY(view);
    view->setTool(ks::ImageView::Tool::BlurRegion);
    view->setRegions({region(QRect(100, 60, 40, 30))});
    QSignalSpy edited(view.get(), &ks::ImageView::regionEdited);
    QSignalSpy cancelled(view.get(), &ks::ImageView::regionEditCancelled);
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);
    QSignalSpy drawn(view.get(), &ks::ImageView::regionDrawn);

    // A click on an unselected region selects it and edits nothing.
    QTest::mouseClick(view.get(), Qt::LeftButton, Qt::NoModifier, {70, 50});
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.at(0).at(0).toInt(), 0);
    QCOMPARE(view->selectedRegion(), 0);
    QCOMPARE(edited.count(), 0);

    // Away and back: live edits, then a finished one even though the rect
    // is the one at the press, so the owner can close what it opened.
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {70, 50});
    QTest::mouseMove(view.get(), {110, 50}); // +20 image pixels
    QTest::mouseMove(view.get(), {70, 50});
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {70, 50});
    QCOMPARE(edited.count(), 3);
    QCOMPARE(edited.at(0).at(1).toRect(), QRect(120, 60, 40, 30));
    QCOMPARE(edited.at(0).at(2).toBool(), false);
    QCOMPARE(edited.at(1).at(1).toRect(), QRect(100, 60, 40, 30));
    QCOMPARE(edited.at(1).at(2).toBool(), false);
    QCOMPARE(edited.at(2).at(1).toRect(), QRect(100, 60, 40, 30));
    QCOMPARE(edited.at(2).at(2).toBool(), true);
    edited.clear();

    // Esc during a resize: a cancel instead of a finished edit, and the
    // view draws the original rect again.
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {130, 60}); // right handle
    QTest::mouseMove(view.get(), {150, 60});
    QTest::mouseMove(view.get(), {170, 60});
    QCOMPARE(edited.count(), 2);
    QCOMPARE(edited.last().at(1).toRect(), QRect(100, 60, 60, 30));
    QCOMPARE(rectOf(view->regions().at(0)), QRect(100, 60, 60, 30));
    QTest::keyClick(view.get(), Qt::Key_Escape);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(cancelled.at(0).at(0).toInt(), 0);
    QCOMPARE(rectOf(view->regions().at(0)), QRect(100, 60, 40, 30));
    QTest::mouseMove(view.get(), {190, 60});
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {190, 60});
    QCOMPARE(edited.count(), 2);
    QCOMPARE(cancelled.count(), 1);

    // Esc before anything changed has nothing to cancel.
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {70, 50});
    QTest::keyClick(view.get(), Qt::Key_Escape);
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {70, 50});
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(edited.count(), 2);
    QCOMPARE(drawn.count(), 0);
    QCOMPARE(view->selectedRegion(), 0);
}

void TestImageView::ownerUpdatesDuringDrag()
{
    // Zoom 2, corner (-150, -90): region 1 (100, 60, 40, 30) at widget
    // (50, 30) to (130, 90).
    const auto view = placedView({400, 300}, 2, {-150, -90});
    QVERIFY(view);
    std::vector<ks::Region> document{region(QRect(10, 10, 20, 20)), region(QRect(100, 60, 40, 30))};
    view->setRegions(document);
    view->setSelectedRegion(1);

    // The owner writes every edit into its document and sets it back.
    int updates = 0;
    const QMetaObject::Connection owner =
        connect(view.get(), &ks::ImageView::regionEdited, this, [&](int index, QRect rect, bool) {
            document.at(index).rect = cv::Rect(rect.x(), rect.y(), rect.width(), rect.height());
            view->setRegions(document);
            ++updates;
        });
    QSignalSpy edited(view.get(), &ks::ImageView::regionEdited);
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {70, 50});
    QTest::mouseMove(view.get(), {80, 56});  // image +5, +3
    QTest::mouseMove(view.get(), {90, 64});  // +10, +7
    QTest::mouseMove(view.get(), {100, 70}); // +15, +10
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {100, 70});
    QCOMPARE(edited.count(), 4);
    QCOMPARE(edited.at(0).at(1).toRect(), QRect(105, 63, 40, 30));
    QCOMPARE(edited.at(1).at(1).toRect(), QRect(110, 67, 40, 30));
    QCOMPARE(edited.last().at(1).toRect(), QRect(115, 70, 40, 30));
    QCOMPARE(edited.last().at(2).toBool(), true);
    QCOMPARE(updates, 4);
    QCOMPARE(rectOf(document.at(1)), QRect(115, 70, 40, 30));
    QCOMPARE(rectOf(view->regions().at(1)), QRect(115, 70, 40, 30));
    QCOMPARE(view->selectedRegion(), 1);
    disconnect(owner);
    edited.clear();

    // Region 1 is now at widget (80, 50) to (160, 110). A stale list set
    // during the drag does not move the dragged rect back.
    const std::vector<ks::Region> stale{region(QRect(10, 10, 20, 20)),
                                        region(QRect(100, 60, 40, 30))};
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {120, 80});
    QTest::mouseMove(view.get(), {140, 90}); // +10, +5
    QCOMPARE(edited.count(), 1);
    QCOMPARE(edited.at(0).at(1).toRect(), QRect(125, 75, 40, 30));
    view->setRegions(stale);
    QCOMPARE(rectOf(view->regions().at(1)), QRect(125, 75, 40, 30));
    QCOMPARE(rectOf(view->regions().at(0)), QRect(10, 10, 20, 20));
    QTest::mouseMove(view.get(), {160, 100}); // +20, +10
    QCOMPARE(edited.count(), 2);
    QCOMPARE(edited.at(1).at(1).toRect(), QRect(135, 80, 40, 30));

    // A list without the dragged region ends the drag without a word.
    QSignalSpy cancelled(view.get(), &ks::ImageView::regionEditCancelled);
    view->setRegions({region(QRect(10, 10, 20, 20))});
    QCOMPARE(view->selectedRegion(), -1);
    QTest::mouseMove(view.get(), {170, 110});
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {170, 110});
    QCOMPARE(edited.count(), 2);
    QCOMPARE(cancelled.count(), 0);
    QCOMPARE(view->regions().size(), size_t(1));
    QCOMPARE(rectOf(view->regions().at(0)), QRect(10, 10, 20, 20));
}

void TestImageView::deleteRequested()
{
    const auto view = placedView({400, 300}, 1, {0, 0});
    QVERIFY(view);
    view->setRegions({region(QRect(10, 10, 20, 20)), region(QRect(50, 50, 20, 20))});
    QSignalSpy requested(view.get(), &ks::ImageView::regionDeleteRequested);

    QTest::keyClick(view.get(), Qt::Key_Delete); // nothing selected
    QCOMPARE(requested.count(), 0);

    view->setSelectedRegion(1);
    QTest::keyClick(view.get(), Qt::Key_Delete);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toInt(), 1);
    QTest::keyClick(view.get(), Qt::Key_Backspace);
    QCOMPARE(requested.count(), 2);
    QCOMPARE(requested.at(1).at(0).toInt(), 1);
    QCOMPARE(view->regions().size(), size_t(2)); // deleting is the owner's business

    // Selected by a click, then deleted.
    QTest::mouseClick(view.get(), Qt::LeftButton, Qt::NoModifier, {15, 15});
    QCOMPARE(view->selectedRegion(), 0);
    QTest::keyClick(view.get(), Qt::Key_Delete);
    QCOMPARE(requested.count(), 3);
    QCOMPARE(requested.at(2).at(0).toInt(), 0);

    view->setSelectedRegion(5); // out of range: none
    QCOMPARE(view->selectedRegion(), -1);
    QTest::keyClick(view.get(), Qt::Key_Delete);
    QCOMPARE(requested.count(), 3);
}

void TestImageView::toolAndRegionCursors()
{
    // Zoom 1, corner (0, 0): region (100, 50, 40, 30) at widget (100, 50).
    const auto view = placedView({400, 300}, 1, {0, 0});
    QVERIFY(view);
    view->setRegions({region(QRect(100, 50, 40, 30))});
    QTest::mouseMove(view.get(), {20, 20});
    QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);
    view->setTool(ks::ImageView::Tool::BlurRegion);
    QCOMPARE(view->cursor().shape(), Qt::CrossCursor);
    QTest::mouseMove(view.get(), {120, 65}); // an unselected region: a press selects
    QCOMPARE(view->cursor().shape(), Qt::PointingHandCursor);
    view->setSelectedRegion(0);
    QCOMPARE(view->cursor().shape(), Qt::SizeAllCursor);
    QTest::mouseMove(view.get(), {100, 50});
    QCOMPARE(view->cursor().shape(), Qt::SizeFDiagCursor);
    QTest::mouseMove(view.get(), {140, 65});
    QCOMPARE(view->cursor().shape(), Qt::SizeHorCursor);
    QTest::mouseMove(view.get(), {120, 80});
    QCOMPARE(view->cursor().shape(), Qt::SizeVerCursor);

    // A rubber band keeps the cross, whatever it passes over.
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {20, 20});
    QTest::mouseMove(view.get(), {120, 65});
    QCOMPARE(view->cursor().shape(), Qt::CrossCursor);
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {120, 65});
    QCOMPARE(view->selectedRegion(), -1); // the press deselected

    view->setTool(ks::ImageView::Tool::Navigate);
    QTest::mouseMove(view.get(), {20, 20});
    QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);

    // Hidden regions are not drawn, hit or selected.
    view->setRegionsVisible(false);
    QVERIFY(!view->areRegionsVisible());
    QTest::mouseMove(view.get(), {120, 65});
    QCOMPARE(view->cursor().shape(), Qt::ArrowCursor);
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);
    QTest::mouseClick(view.get(), Qt::LeftButton, Qt::NoModifier, {120, 65});
    QCOMPARE(selected.count(), 0);
    QCOMPARE(view->selectedRegion(), -1);
}

void TestImageView::dividerWinsOnlyNearIt()
{
    // Fitted at zoom 0.5, corner (0, 0); region (160, 100, 80, 60) at widget
    // (80, 50) to (120, 80), across the divider at x = 100.
    const auto view = shownView({200, 150}, QImage());
    QVERIFY(view);
    view->setOriginal(filled({400, 300}, kRed));
    view->setProcessed(filled({400, 300}, kBlue));
    view->setSplitEnabled(true);
    view->setRegions({region(QRect(160, 100, 80, 60))});
    QSignalSpy selected(view.get(), &ks::ImageView::regionSelected);
    QSignalSpy edited(view.get(), &ks::ImageView::regionEdited);

    // Within the divider's grab margin (5 px) the divider moves.
    drag(*view, Qt::LeftButton, {103, 65}, {150, 65});
    QCOMPARE(view->splitPosition(), 0.75);
    QCOMPARE(selected.count(), 0);
    QCOMPARE(edited.count(), 0);
    view->setSplitPosition(0.5);

    // Farther away the region is pressed: selected, then moved.
    QTest::mouseClick(view.get(), Qt::LeftButton, Qt::NoModifier, {88, 60});
    QCOMPARE(selected.count(), 1);
    QCOMPARE(view->selectedRegion(), 0);
    drag(*view, Qt::LeftButton, {88, 60}, {88, 80}); // +40 image rows
    QCOMPARE(view->splitPosition(), 0.5);
    QVERIFY(!edited.isEmpty());
    QCOMPARE(edited.last().at(1).toRect(), QRect(160, 140, 80, 60));
    QCOMPARE(edited.last().at(2).toBool(), true);

    // The top handle under the divider: the divider wins.
    view->setRegions({region(QRect(160, 100, 80, 60))});
    edited.clear();
    drag(*view, Qt::LeftButton, {100, 50}, {50, 30});
    QCOMPARE(view->splitPosition(), 0.25);
    QCOMPARE(edited.count(), 0);
}

void TestImageView::regionsDrawnOverImage()
{
    // Zoom 1, corner (0, 0): region 0 (40, 30, 60, 50) at widget (40, 30)
    // to (100, 80); region 1 (130, 60, 40, 40) with a 6-pixel feather.
    const auto view = placedView({400, 300}, 1, {0, 0});
    QVERIFY(view);
    view->setRegions({region(QRect(40, 30, 60, 50)), region(QRect(130, 60, 40, 40), 6)});
    const int redGrey = qGray(kRed);

    QImage shot = view->grab().toImage();
    // A light line in the region's first column, dark halos either side.
    QVERIFY2(qGray(pixelAt(shot, {40, 60})) > 200, qPrintable(shot.pixelColor(40, 60).name()));
    QVERIFY(qGray(pixelAt(shot, {39, 60})) < redGrey - 30);
    QVERIFY(qGray(pixelAt(shot, {41, 60})) < redGrey - 30);
    QVERIFY(qGray(pixelAt(shot, {99, 60})) > 200); // last column
    QVERIFY(qGray(pixelAt(shot, {70, 79})) > 200); // last row
    QCOMPARE(pixelAt(shot, {70, 60}), kRed);       // inside untouched
    QCOMPARE(pixelAt(shot, {20, 20}), kRed);
    QCOMPARE(pixelAt(shot, {38, 28}), kRed); // no handles unselected
    // The feather's dashed outline 6 px outside region 1's top edge (y 54).
    int marked = 0;
    for (int x = 140; x < 160; ++x)
        marked += pixelAt(shot, {x, 54}) != kRed;
    QVERIFY2(marked >= 5, qPrintable(QString::number(marked)));
    QCOMPARE(pixelAt(shot, {150, 45}), kRed);

    // Selected: highlighted outline, tinted inside, white handles.
    view->setSelectedRegion(0);
    shot = view->grab().toImage();
    const QRgb outline = pixelAt(shot, {40, 60});
    QVERIFY2(qBlue(outline) > 200 && qRed(outline) < 150, qPrintable(QColor(outline).name()));
    QVERIFY(pixelAt(shot, {70, 60}) != kRed);
    QCOMPARE(pixelAt(shot, {38, 28}), kWhite);  // top-left handle, centred on (40, 30)
    QCOMPARE(pixelAt(shot, {101, 56}), kWhite); // right handle, centred on (100, 55)

    // Also in the region tool and over the original.
    view->setTool(ks::ImageView::Tool::BlurRegion);
    view->setShowOriginal(true);
    shot = view->grab().toImage();
    QVERIFY(pixelAt(shot, {40, 60}) != kRed);
    QCOMPARE(pixelAt(shot, {38, 28}), kWhite);
    view->setShowOriginal(false);

    // Hidden: the image alone.
    view->setRegionsVisible(false);
    shot = view->grab().toImage();
    QCOMPARE(pixelAt(shot, {40, 60}), kRed);
    QCOMPARE(pixelAt(shot, {38, 28}), kRed);
    QCOMPARE(pixelAt(shot, {150, 54}), kRed);

    // A rubber band still shows while drawing, and goes on release.
    QTest::mousePress(view.get(), Qt::LeftButton, Qt::NoModifier, {180, 115});
    QTest::mouseMove(view.get(), {185, 125});
    QTest::mouseMove(view.get(), {195, 140});
    QVERIFY(pixelAt(view->grab().toImage(), {188, 130}) != kRed);
    QTest::mouseRelease(view.get(), Qt::LeftButton, Qt::NoModifier, {195, 140});
    QCOMPARE(pixelAt(view->grab().toImage(), {188, 130}), kRed);
}

QTEST_MAIN(TestImageView)
#include "tst_image_view.moc"
