// Tests for ui/main_window.cpp and ui/image_view.cpp: the window opens and
// shows the embedded sample. Run with QT_QPA_PLATFORM=offscreen.

#include "ui/image_convert.h"
#include "ui/image_view.h"
#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QTest>
#include <QTimer>

#include <opencv2/core.hpp>

#include <stdexcept>

namespace {

const QString kSample = QStringLiteral(":/samples/astronaut.png");
const QString kSampleName = QStringLiteral("astronaut.png (sample)");

// The action with this text in the menu with this title, or nullptr.
QAction *findAction(const QMainWindow &window, const QString &menuTitle, const QString &text)
{
    for (QAction *menuAction : window.menuBar()->actions()) {
        if (menuAction->text() != menuTitle || !menuAction->menu())
            continue;
        for (QAction *action : menuAction->menu()->actions()) {
            if (action->text() == text)
                return action;
        }
    }
    return nullptr;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void sampleDecodes();
    void missingResourceThrows();
    void windowShowsSample();
    void viewFitsAndCentres();
    void viewEnlargesWithoutSmoothing();
    void infoText_data();
    void infoText();
    void unsupportedImageThrows();
    void quitClosesWindow();
    void aboutShowsVersion();
};

void TestMainWindow::sampleDecodes()
{
    const cv::Mat image = ks::decodeImageResource(kSample);
    QCOMPARE(image.cols, 512);
    QCOMPARE(image.rows, 512);
    QCOMPARE(image.type(), CV_8UC3);

    // Same pixels as Qt's own PNG decoder gives, in B, G, R order.
    const QImage reference(kSample);
    QVERIFY(!reference.isNull());
    const QPoint points[] = {{0, 0}, {511, 0}, {0, 511}, {256, 256}, {100, 400}};
    for (const QPoint &p : points) {
        const QRgb rgb = reference.pixel(p);
        QCOMPARE(image.at<cv::Vec3b>(p.y(), p.x()),
                 cv::Vec3b(uchar(qBlue(rgb)), uchar(qGreen(rgb)), uchar(qRed(rgb))));
    }
}

void TestMainWindow::missingResourceThrows()
{
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             ks::decodeImageResource(QStringLiteral(":/samples/missing.png")));
}

void TestMainWindow::windowShowsSample()
{
    const cv::Mat image = ks::decodeImageResource(kSample);
    ks::MainWindow window(image, kSampleName);
    window.resize(900, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QVERIFY(window.windowTitle().contains(kSampleName));
    QVERIFY(window.windowTitle().contains(QStringLiteral("Kernelscope")));
    QVERIFY2(window.imageInfoText().contains(QStringLiteral("512")),
             qPrintable(window.imageInfoText()));

    const ks::ImageView *view = window.imageView();
    QVERIFY(view);
    QCOMPARE(view->image().size(), QSize(512, 512));
    QVERIFY(view->isVisible());
    QCOMPARE(window.centralWidget(), view);

    const QPixmap windowShot = window.grab();
    QVERIFY(!windowShot.isNull());

    auto *mutableView = window.findChild<ks::ImageView *>();
    QCOMPARE(mutableView, view);
    const QImage shot = mutableView->grab().toImage();
    QVERIFY(!shot.isNull());
    const QPoint centre(shot.width() / 2, shot.height() / 2);
    const QRgb centrePixel = shot.pixel(centre);
    QVERIFY(centrePixel != ks::ImageView::kBackground);

    // The centre of the view shows the centre of the image: nearest-neighbour
    // enlargement copies one of the sample's pixels near (256, 256) exactly.
    const QImage sample = view->image();
    bool found = false;
    for (int y = 254; y <= 258 && !found; ++y)
        for (int x = 254; x <= 258 && !found; ++x)
            found = qRgb(qRed(sample.pixel(x, y)), qGreen(sample.pixel(x, y)),
                         qBlue(sample.pixel(x, y))) ==
                    qRgb(qRed(centrePixel), qGreen(centrePixel), qBlue(centrePixel));
    QVERIFY2(found, qPrintable(QColor(centrePixel).name()));
}

void TestMainWindow::viewFitsAndCentres()
{
    // A wide view around a square image: bars of background left and right.
    ks::ImageView view;
    QImage square(100, 100, QImage::Format_RGB888);
    square.fill(qRgb(200, 40, 40));
    view.setImage(square);
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QCOMPARE(view.imageRect(), QRect(100, 0, 200, 200));
    const QImage shot = view.grab().toImage();
    QCOMPARE(shot.pixel(5, 100), ks::ImageView::kBackground);
    QCOMPARE(shot.pixel(394, 100), ks::ImageView::kBackground);
    QCOMPARE(shot.pixel(200, 100), qRgb(200, 40, 40));
    QCOMPARE(shot.pixel(101, 1), qRgb(200, 40, 40));

    // A tall view around a reduced image: bars above and below, and a smooth
    // reduction that averages a one-pixel checkerboard to mid-grey.
    QImage checker(400, 400, QImage::Format_Grayscale8);
    for (int y = 0; y < checker.height(); ++y)
        for (int x = 0; x < checker.width(); ++x)
            checker.scanLine(y)[x] = (x + y) % 2 ? 255 : 0;
    view.setImage(checker);
    view.resize(100, 300);
    QCOMPARE(view.imageRect(), QRect(0, 100, 100, 100));
    const QImage reduced = view.grab().toImage();
    QCOMPARE(reduced.pixel(50, 20), ks::ImageView::kBackground);
    QCOMPARE(reduced.pixel(50, 280), ks::ImageView::kBackground);
    const int grey = qGray(reduced.pixel(50, 150));
    QVERIFY2(grey > 100 && grey < 155, qPrintable(QString::number(grey)));

    // No image: background only.
    view.setImage(QImage());
    QVERIFY(view.imageRect().isEmpty());
    QCOMPARE(view.grab().toImage().pixel(50, 150), ks::ImageView::kBackground);
}

void TestMainWindow::viewEnlargesWithoutSmoothing()
{
    // A 2x1 black/white image enlarged 50 times: every screen pixel is
    // pure black or pure white, with nothing blended at the boundary.
    QImage pair(2, 1, QImage::Format_RGB888);
    pair.setPixel(0, 0, qRgb(0, 0, 0));
    pair.setPixel(1, 0, qRgb(255, 255, 255));
    ks::ImageView view;
    view.setImage(pair);
    view.resize(100, 50);
    QCOMPARE(view.imageRect(), QRect(0, 0, 100, 50));
    const QImage shot = view.grab().toImage();
    for (int x = 0; x < 100; ++x) {
        const QRgb expected = x < 50 ? qRgb(0, 0, 0) : qRgb(255, 255, 255);
        QCOMPARE(shot.pixel(x, 25), expected);
    }
}

void TestMainWindow::infoText_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<QString>("expected");

    QTest::newRow("8UC3") << CV_8UC3 << 512 << 512
                          << QStringLiteral("512 × 512 · 8-bit · 3 channels");
    QTest::newRow("8UC1") << CV_8UC1 << 20 << 30 << QStringLiteral("30 × 20 · 8-bit · 1 channel");
    QTest::newRow("16UC4") << CV_16UC4 << 7 << 9 << QStringLiteral("9 × 7 · 16-bit · 4 channels");
    QTest::newRow("32FC3") << CV_32FC3 << 2 << 3
                           << QStringLiteral("3 × 2 · 32-bit float · 3 channels");
}

void TestMainWindow::infoText()
{
    QFETCH(int, type);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(QString, expected);

    const cv::Mat image(rows, cols, type, cv::Scalar::all(0.25));
    ks::MainWindow window(image, QStringLiteral("test"));
    QCOMPARE(window.imageInfoText(), expected);
    QCOMPARE(window.imageView()->image().size(), QSize(cols, rows));
    QCOMPARE(window.windowTitle(), QStringLiteral("test — Kernelscope"));
}

void TestMainWindow::unsupportedImageThrows()
{
    const cv::Mat image(4, 4, CV_64FC1, cv::Scalar(0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ks::MainWindow(image, QStringLiteral("x")));
}

void TestMainWindow::quitClosesWindow()
{
    ks::MainWindow window(ks::decodeImageResource(kSample), kSampleName);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QAction *quit = findAction(window, QStringLiteral("&File"), QStringLiteral("&Quit"));
    QVERIFY(quit);
    QCOMPARE(quit->shortcuts(), QKeySequence::keyBindings(QKeySequence::Quit));
    quit->trigger();
    QVERIFY(!window.isVisible());
}

void TestMainWindow::aboutShowsVersion()
{
    QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7"));
    ks::MainWindow window(ks::decodeImageResource(kSample), kSampleName);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QAction *about =
        findAction(window, QStringLiteral("&Help"), QStringLiteral("&About Kernelscope"));
    QVERIFY(about);

    // QMessageBox::about runs a modal loop: look at the box from a timer
    // inside that loop, then close it.
    QString text;
    QTimer poll;
    poll.setInterval(10);
    connect(&poll, &QTimer::timeout, this, [&] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            text = box->text();
            box->accept();
            poll.stop();
        }
    });
    poll.start();
    QTimer::singleShot(5000, &poll, [&] { // never hang the suite
        poll.stop();
        if (QWidget *modal = QApplication::activeModalWidget())
            modal->close();
    });
    about->trigger();

    QVERIFY2(text.contains(QStringLiteral("9.8.7")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Kernelscope")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
