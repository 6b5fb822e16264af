#include "main_window.h"

#include "image_convert.h"
#include "image_view.h"

#include "core/filter.h"

#include <QAction>
#include <QCoreApplication>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include <opencv2/core.hpp>

namespace ks {

namespace {

// "512 × 512 · 8-bit · 3 channels"
QString describe(const cv::Mat &image)
{
    const int channels = image.channels();
    return MainWindow::tr("%1 × %2 · %3 · %4 %5")
        .arg(image.cols)
        .arg(image.rows)
        .arg(QString::fromStdString(depthName(image.depth())))
        .arg(channels)
        .arg(channels == 1 ? MainWindow::tr("channel") : MainWindow::tr("channels"));
}

} // namespace

MainWindow::MainWindow(const cv::Mat &image, const QString &name, QWidget *parent)
    : QMainWindow(parent), view_(new ImageView(this)), imageInfo_(new QLabel(this))
{
    setWindowTitle(tr("%1 — Kernelscope").arg(name));

    view_->setImage(toQImage(image));
    setCentralWidget(view_);

    imageInfo_->setText(describe(image));
    statusBar()->addPermanentWidget(imageInfo_);

    createMenus();
}

QString MainWindow::imageInfoText() const
{
    return imageInfo_->text();
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *quit = fileMenu->addAction(tr("&Quit"));
    quit->setShortcuts(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *about = helpMenu->addAction(tr("&About Kernelscope"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Kernelscope"),
                       tr("<h3>Kernelscope %1</h3>"
                          "<p>A workbench for designing image filters.</p>"
                          "<p>Built with Qt %2 and OpenCV %3.</p>")
                           .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
                                QString::fromLatin1(qVersion()), QStringLiteral(CV_VERSION)));
}

} // namespace ks
