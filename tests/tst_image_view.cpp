// Tests for ui/image_view.cpp: zoom, pan, coordinates, the before/after
// split, quick previews with exact patches, and crisp enlargement.
// Run with QT_QPA_PLATFORM=offscreen.
//
// Expected coordinates are worked out by hand from the documented placement
// rules (fit: centred; a larger image covers the widget; image point p at
// offset + p * zoom), never with the view's own mapping functions; expected
// colours are the colours put in.

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

QTEST_MAIN(TestImageView)
#include "tst_image_view.moc"
