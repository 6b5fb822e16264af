#include "main_window.h"

#include "document_commands.h"
#include "image_convert.h"
#include "image_view.h"
#include "kernel_plots.h"
#include "parameter_panel.h"
#include "preview_controller.h"
#include "region_panel.h"

#include "core/errors.h"
#include "core/filter.h"
#include "core/image_io.h"
#include "core/kernel_io.h"
#include "core/kernels.h"
#include "core/preset.h"

#include <QAbstractButton>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QProgressDialog>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/core.hpp>

#include <filesystem>
#include <memory>
#include <stop_token>
#include <utility>

namespace ks {

namespace {

constexpr int kMaxRecentFiles = 10;
const QString kSamplePath = QStringLiteral(":/samples/astronaut.png");

std::filesystem::path toPath(const QString &path)
{
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

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

QString number(double value, int depth)
{
    if (depth == CV_32F || depth == CV_64F)
        return QString::number(value, 'g', 5);
    return QString::number(static_cast<qint64>(value));
}

/// The pixel at (x, y) as people read it: "grey 12", "RGB 200, 180, 170",
/// "RGBA ...". The Mat is BGR(A) ordered, of depth 8U, 16U or 32F.
QString pixelText(const cv::Mat &image, int x, int y)
{
    if (image.empty() || x < 0 || y < 0 || x >= image.cols || y >= image.rows)
        return {};
    cv::Mat one;
    image(cv::Rect(x, y, 1, 1)).convertTo(one, CV_64F);
    const double *v = one.ptr<double>(0);
    const int depth = image.depth();
    switch (image.channels()) {
    case 1:
        return MainWindow::tr("grey %1").arg(number(v[0], depth));
    case 3:
        return MainWindow::tr("RGB %1, %2, %3")
            .arg(number(v[2], depth), number(v[1], depth), number(v[0], depth));
    case 4:
        return MainWindow::tr("RGBA %1, %2, %3, %4")
            .arg(number(v[2], depth), number(v[1], depth), number(v[0], depth),
                 number(v[3], depth));
    default:
        return {};
    }
}

/// The preview shows the raw response through a min-max mapping: raw float
/// values are for export, not for the screen.
Document forScreen(Document document)
{
    if (document.display.mode == DisplayMode::Raw)
        document.display = DisplayMapping{DisplayMode::Normalize, 0};
    return document;
}

/// The Blur Region tool's icon: a dashed frame around pixelated cells.
QIcon regionToolIcon()
{
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    const QColor cells[] = {QColor(0x8a, 0x9b, 0xb0), QColor(0x5d, 0x6e, 0x84),
                            QColor(0xb8, 0xc4, 0xd2), QColor(0x71, 0x82, 0x99)};
    for (int row = 0; row < 4; ++row)
        for (int col = 0; col < 4; ++col)
            painter.fillRect(QRect(6 + col * 5, 6 + row * 5, 5, 5), cells[(row * 3 + col) % 4]);
    QPen pen(QColor(0x2a, 0x82, 0xda), 2, Qt::DashLine);
    painter.setPen(pen);
    painter.drawRect(QRectF(3, 3, 26, 26));
    return QIcon(pixmap);
}

struct ExportChoice {
    int depth = CV_8U;
    int quality = 95;
};

/// Asks for the depth (and JPEG/WebP quality) an export to `extension` should
/// have; std::nullopt when cancelled or when the format cannot hold any depth
/// the display mapping produces (after telling why).
std::optional<ExportChoice> askExportOptions(QWidget *parent, const QString &extension,
                                             DisplayMode mode)
{
    const std::string ext = extension.toStdString();
    QDialog dialog(parent);
    dialog.setWindowTitle(MainWindow::tr("Export Options"));
    auto *form = new QFormLayout(&dialog);
    auto *depth = new QComboBox(&dialog);
    if (mode == DisplayMode::Raw) {
        if (formatSupportsDepth(ext, CV_32F))
            depth->addItem(MainWindow::tr("32-bit float (raw response)"), CV_32F);
    } else {
        if (formatSupportsDepth(ext, CV_8U))
            depth->addItem(MainWindow::tr("8-bit"), CV_8U);
        if (formatSupportsDepth(ext, CV_16U))
            depth->addItem(MainWindow::tr("16-bit"), CV_16U);
    }
    if (depth->count() == 0) {
        QMessageBox::warning(
            parent, MainWindow::tr("Export Image"),
            mode == DisplayMode::Raw
                ? MainWindow::tr("The raw response is 32-bit float: export it "
                                 "as .tif, or choose another display mapping.")
                : MainWindow::tr("The format .%1 cannot be written.").arg(extension));
        return std::nullopt;
    }
    form->addRow(MainWindow::tr("Depth:"), depth);
    auto *quality = new QSpinBox(&dialog);
    quality->setRange(1, 100);
    quality->setValue(95);
    const QString lower = extension.toLower();
    const bool lossy = lower == QLatin1String("jpg") || lower == QLatin1String("jpeg") ||
                       lower == QLatin1String("webp");
    if (lossy)
        form->addRow(MainWindow::tr("Quality:"), quality);
    else
        quality->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (depth->count() == 1 && !lossy)
        return ExportChoice{depth->itemData(0).toInt(), 95};
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return ExportChoice{depth->currentData().toInt(), quality->value()};
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), view_(new ImageView(this)), panel_(new ParameterPanel(this)),
      preview_(new PreviewController(this)), undo_(new QUndoStack(this))
{
    setWindowIcon(QIcon(QStringLiteral(":/icons/kernelscope.png")));
    setCentralWidget(view_);
    setAcceptDrops(true);
    createDocks();
    createActions();
    createStatusBar();

    connect(panel_, &ParameterPanel::settingsChanged, this, &MainWindow::panelChanged);
    connect(preview_, &PreviewController::resultReady, this, &MainWindow::showResult);
    connect(preview_, &PreviewController::failed, this, &MainWindow::previewFailed);
    connect(preview_, &PreviewController::busyChanged, this, &MainWindow::setBusy);
    connect(view_, &ImageView::viewportChanged, preview_, &PreviewController::setViewport);
    connect(view_, &ImageView::cursorMoved, this, &MainWindow::updateReadout);
    connect(view_, &ImageView::zoomChanged, this, &MainWindow::updateZoomLabel);

    connect(view_, &ImageView::regionDrawn, this, &MainWindow::regionDrawn);
    connect(view_, &ImageView::regionSelected, this, &MainWindow::selectRegion);
    connect(view_, &ImageView::regionEdited, this, &MainWindow::regionGeometryEdited);
    connect(view_, &ImageView::regionEditCancelled, this, &MainWindow::regionEditCancelled);
    connect(view_, &ImageView::regionDeleteRequested, this, &MainWindow::removeRegion);
    connect(regionPanel_, &RegionPanel::selectionChanged, this, &MainWindow::selectRegion);
    connect(regionPanel_, &RegionPanel::regionEdited, this, &MainWindow::regionPanelEdited);
    connect(regionPanel_, &RegionPanel::moveRequested, this, &MainWindow::moveRegion);
    connect(regionPanel_, &RegionPanel::removeRequested, this, &MainWindow::removeRegion);
    connect(regionPanel_, &RegionPanel::clearRequested, this, &MainWindow::clearRegions);

    // Open on a filter with sliders to play with, not on "None".
    document_.filter = GaborSpec{};
    document_.display.mode = defaultDisplayMode(document_.filter);
    panel_->setSettings(document_.filter, document_.options, document_.display, document_.bank);
    scheduleKernelPlots();
    readSettings();
    setSource(decodeImageResource(kSamplePath), tr("astronaut.png (sample)"));
    // The view's keys (Space to pan, backslash to compare) work from the start.
    view_->setFocus();
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks()
{
    panelDock_ = new QDockWidget(tr("Parameters"), this);
    panelDock_->setObjectName(QStringLiteral("parametersDock"));
    panelDock_->setWidget(panel_);
    panelDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                            QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, panelDock_);

    regionPanel_ = new RegionPanel(this);
    regionDock_ = new QDockWidget(tr("Regions"), this);
    regionDock_->setObjectName(QStringLiteral("regionsDock"));
    regionDock_->setWidget(regionPanel_);
    regionDock_->setFeatures(panelDock_->features());
    addDockWidget(Qt::RightDockWidgetArea, regionDock_);

    plots_ = new KernelPlots(this);
    plots_->setMinimumWidth(300); // a readable heat map and all four tabs
    plotsDock_ = new QDockWidget(tr("Kernel"), this);
    plotsDock_->setObjectName(QStringLiteral("kernelDock"));
    plotsDock_->setWidget(plots_);
    plotsDock_->setFeatures(panelDock_->features());
    addDockWidget(Qt::LeftDockWidgetArea, plotsDock_);
    connect(plots_, &KernelPlots::kernelExportRequested, this, &MainWindow::exportKernelDialog);
    // The plots follow the kernel only while someone can see them.
    connect(plotsDock_, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            scheduleKernelPlots();
    });
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Image…"), this, &MainWindow::openDialog);
    open->setShortcuts(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    QAction *exportImage = file->addAction(tr("&Export Image…"), this, &MainWindow::exportDialog);
    exportImage->setShortcut(QKeySequence(tr("Ctrl+E")));
    QAction *exportKernel =
        file->addAction(tr("Export &Kernel…"), this, &MainWindow::exportKernelDialog);
    exportKernel->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    exportKernel->setToolTip(
        tr("Save the kernel (or the whole Gabor bank) as CSV, NumPy .npy or JSON"));
    file->addSeparator();
    QAction *loadPreset = file->addAction(tr("&Load Preset…"), this, &MainWindow::loadPresetDialog);
    loadPreset->setShortcut(QKeySequence(tr("Ctrl+L")));
    QAction *savePreset = file->addAction(tr("&Save Preset…"), this, &MainWindow::savePresetDialog);
    savePreset->setShortcuts(QKeySequence::Save);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcuts(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *editMenu = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = undo_->createUndoAction(this, tr("&Undo"));
    undo->setShortcuts(QKeySequence::Undo);
    QAction *redo = undo_->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    editMenu->addAction(undo);
    editMenu->addAction(redo);
    editMenu->addSeparator();
    regionTool_ = editMenu->addAction(regionToolIcon(), tr("&Blur Region"));
    regionTool_->setCheckable(true);
    regionTool_->setShortcut(QKeySequence(tr("B")));
    regionTool_->setToolTip(tr("Blur Region (B): drag on the image to blur a rectangle; drag a "
                               "region to move it, its handles to resize it"));
    connect(regionTool_, &QAction::toggled, this, [this](bool on) {
        view_->setTool(on ? ImageView::Tool::BlurRegion : ImageView::Tool::Navigate);
        if (on)
            view_->setFocus();
    });
    clearRegions_ = editMenu->addAction(tr("&Clear Regions"), this, &MainWindow::clearRegions);
    clearRegions_->setEnabled(false);

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    QAction *zoomIn = viewMenu_->addAction(tr("Zoom &In"), view_, &ImageView::zoomIn);
    zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))});
    QAction *zoomOut = viewMenu_->addAction(tr("Zoom &Out"), view_, &ImageView::zoomOut);
    zoomOut->setShortcuts(QKeySequence::ZoomOut);
    QAction *fit = viewMenu_->addAction(tr("&Fit to Window"), view_, &ImageView::fitToWindow);
    fit->setShortcut(QKeySequence(tr("Ctrl+0")));
    QAction *actual =
        viewMenu_->addAction(tr("&Actual Size (100 %)"), view_, &ImageView::zoomToActualSize);
    actual->setShortcut(QKeySequence(tr("Ctrl+1")));
    viewMenu_->addSeparator();
    QAction *split = viewMenu_->addAction(tr("&Split Before/After"));
    split->setCheckable(true);
    split->setShortcut(QKeySequence(tr("Ctrl+\\")));
    split->setToolTip(tr("Original on the left of the divider, filtered on the right. Hold \\ "
                         "to see the original."));
    connect(split, &QAction::toggled, view_, &ImageView::setSplitEnabled);
    QAction *showRegions = viewMenu_->addAction(tr("Show &Region Outlines"));
    showRegions->setCheckable(true);
    showRegions->setChecked(true);
    connect(showRegions, &QAction::toggled, view_, &ImageView::setRegionsVisible);
    viewMenu_->addSeparator();
    viewMenu_->addAction(panelDock_->toggleViewAction());
    viewMenu_->addAction(regionDock_->toggleViewAction());
    viewMenu_->addAction(plotsDock_->toggleViewAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Kernelscope"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);

    QToolBar *tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->addAction(open);
    tools->addAction(exportImage);
    tools->addSeparator();
    tools->addAction(regionTool_);
    tools->addSeparator();
    tools->addAction(fit);
    tools->addAction(actual);
    tools->addAction(split);
}

void MainWindow::createStatusBar()
{
    readout_ = new QLabel(this);
    noteLabel_ = new QLabel(this);
    noteLabel_->setStyleSheet(QStringLiteral("color: #b36b00"));
    zoomLabel_ = new QLabel(this);
    stageLabel_ = new QLabel(this);
    busy_ = new QProgressBar(this);
    busy_->setRange(0, 0); // an indeterminate, moving bar
    busy_->setMaximumWidth(90);
    busy_->setMaximumHeight(14);
    busy_->setTextVisible(false);
    busy_->setToolTip(tr("Computing the exact result"));
    busy_->hide();
    imageInfo_ = new QLabel(this);
    statusBar()->addWidget(readout_, 1);
    statusBar()->addPermanentWidget(noteLabel_);
    statusBar()->addPermanentWidget(busy_);
    statusBar()->addPermanentWidget(stageLabel_);
    statusBar()->addPermanentWidget(zoomLabel_);
    statusBar()->addPermanentWidget(imageInfo_);
}

void MainWindow::readSettings()
{
    QSettings settings;
    recentFiles_ = settings.value(QStringLiteral("recentFiles")).toStringList();
    rebuildRecentMenu();
    if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray()))
        resize(1280, 840);
    if (!restoreState(settings.value(QStringLiteral("windowState")).toByteArray()))
        resizeDocks({plotsDock_}, {360}, Qt::Horizontal); // room for a square heat map
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("recentFiles"), recentFiles_);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
}

QString MainWindow::lastFolder() const
{
    return QSettings().value(QStringLiteral("lastFolder")).toString();
}

void MainWindow::rememberFolder(const QString &fileOrFolder)
{
    const QFileInfo info(fileOrFolder);
    QSettings().setValue(QStringLiteral("lastFolder"),
                         info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

void MainWindow::addRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recentFiles_.removeAll(absolute);
    recentFiles_.prepend(absolute);
    while (recentFiles_.size() > kMaxRecentFiles)
        recentFiles_.removeLast();
    QSettings().setValue(QStringLiteral("recentFiles"), recentFiles_);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    for (int i = 0; i < recentFiles_.size(); ++i) {
        const QString path = recentFiles_[i];
        QAction *action =
            recentMenu_->addAction(tr("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()), this,
                                   [this, path] { openFile(path); });
        action->setToolTip(path);
    }
    if (!recentFiles_.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("&Clear List"), this, [this] {
            recentFiles_.clear();
            QSettings().setValue(QStringLiteral("recentFiles"), recentFiles_);
            rebuildRecentMenu();
        });
    }
    recentMenu_->setEnabled(!recentFiles_.isEmpty());
}

bool MainWindow::openFile(const QString &path)
{
    if (!keepRegionsSafe([this, path] { openFile(path); }))
        return false;
    cv::Mat image;
    try {
        image = loadImage(toPath(path));
    } catch (const std::exception &e) {
        showError(QString::fromLocal8Bit(e.what()));
        return false;
    }
    setSource(image, QFileInfo(path).fileName(), QFileInfo(path).absoluteFilePath());
    addRecentFile(path);
    rememberFolder(path);
    return true;
}

void MainWindow::setSource(const cv::Mat &image, const QString &name, const QString &path)
{
    source_ = image;
    sourceName_ = name;
    sourcePath_ = path;
    exactOutput_.release();
    exactResponse_.release();
    quickResponse_.release();
    showsExact_ = false;
    setWindowTitle(tr("%1 — Kernelscope").arg(name));
    imageInfo_->setText(describe(image));
    const QImage original = toQImage(image);
    view_->setOriginal(original);
    view_->setProcessed(original, 1.0);
    preview_->setSource(source_);
    // Regions and their history belong to the image they were drawn on; the
    // filter settings carry over.
    exportedRegions_.clear();
    const Document previous = document_;
    document_.regions.clear();
    undo_->clear();
    showDocument(previous, nullptr);
    requestPreview();
    scheduleKernelPlots(); // the image's depth can change a Gaussian's automatic size
}

void MainWindow::setDocument(const Document &document)
{
    const Document previous = std::exchange(document_, document);
    showDocument(previous, nullptr);
}

void MainWindow::edit(const Document &after, const QString &text, const QString &mergeKey,
                      bool open)
{
    const Document before = std::exchange(document_, after);
    pushDocumentEdit(*undo_, before, after, text, mergeKey, open, [this](const Document &shown) {
        const Document previous = std::exchange(document_, shown);
        showDocument(previous, nullptr);
    });
    showDocument(before, sender());
}

void MainWindow::showDocument(const Document &previous, const QObject *changedBy)
{
    const bool settingsChanged =
        previous.filter != document_.filter || previous.options != document_.options ||
        previous.display != document_.display || previous.bank != document_.bank;
    if (changedBy != panel_ && settingsChanged)
        panel_->setSettings(document_.filter, document_.options, document_.display, document_.bank);
    if (previous.filter != document_.filter || previous.bank != document_.bank)
        scheduleKernelPlots();
    if (previous.regions != document_.regions) {
        clearRegions_->setEnabled(!document_.regions.empty());
        view_->setRegions(document_.regions);
        if (changedBy != regionPanel_)
            regionPanel_->setRegions(document_.regions);
        // One selection for both: the panel keeps it while its index exists.
        view_->setSelectedRegion(regionPanel_->selected());
    }
    if (previous != document_)
        requestPreview();
}

void MainWindow::scheduleKernelPlots()
{
    // Coalesced: a slider drag sends many edits per event-loop pass, the
    // plots are drawn once after them.
    if (kernelPlotsPending_)
        return;
    kernelPlotsPending_ = true;
    QTimer::singleShot(0, this, &MainWindow::updateKernelPlots);
}

void MainWindow::updateKernelPlots()
{
    kernelPlotsPending_ = false;
    if (!plotsDock_->isVisible() && !plots_->kernel().empty())
        return; // caught up when the dock is shown again
    const int depth = source_.empty() ? CV_8U : source_.depth();
    try {
        plots_->setKernel(makeKernel(document_.filter, depth), document_.filter);
        const auto *gabor = std::get_if<GaborSpec>(&document_.filter);
        if (gabor != nullptr && document_.bank)
            plots_->setBank(bankKernels(*gabor, *document_.bank), document_.bank->orientations,
                            document_.bank->scales, bankSpecs(*gabor, *document_.bank));
        else
            plots_->setBank({}, 0, 0);
    } catch (const std::exception &e) {
        // The document is valid, so this is not expected; keep the old plots.
        statusBar()->showMessage(QString::fromLocal8Bit(e.what()), 8000);
    }
}

bool MainWindow::loadPresetFile(const QString &path)
{
    try {
        const PresetLoad loaded = loadPreset(toPath(path));
        edit(loaded.document, tr("Load preset %1").arg(QFileInfo(path).fileName()));
        if (!loaded.warnings.empty())
            statusBar()->showMessage(QString::fromStdString(loaded.warnings.front()), 8000);
        return true;
    } catch (const std::exception &e) {
        showError(QString::fromLocal8Bit(e.what()));
        return false;
    }
}

void MainWindow::panelChanged(const QString &key, bool dragging)
{
    Document after = document_;
    after.filter = panel_->filter();
    after.options = panel_->options();
    after.display = panel_->display();
    after.bank = panel_->bank();
    edit(after, key == QLatin1String("matrix") ? tr("Edit kernel") : tr("Change %1").arg(key), key,
         dragging);
}

const DocumentCommand *MainWindow::openStep() const
{
    if (undo_->count() == 0 || undo_->index() != undo_->count())
        return nullptr;
    const auto *step = dynamic_cast<const DocumentCommand *>(undo_->command(undo_->index() - 1));
    return step != nullptr && step->isOpen() ? step : nullptr;
}

void MainWindow::regionDrawn(QRect imageRect)
{
    Region region = regionPanel_->newRegionTemplate();
    region.rect = toCvRect(imageRect);
    Document after = document_;
    after.regions.push_back(region);
    const int index = static_cast<int>(after.regions.size()) - 1;
    regionPanel_->setRegions(after.regions);
    regionPanel_->setSelected(index);
    edit(after, tr("Add region"));
}

void MainWindow::regionGeometryEdited(int index, QRect imageRect, bool finished)
{
    if (index < 0 || index >= static_cast<int>(document_.regions.size()))
        return;
    Document after = document_;
    const cv::Rect rect = toCvRect(imageRect);
    const QString key = QStringLiteral("region-geometry %1").arg(index);
    const DocumentCommand *open = openStep();
    // The step's name comes from the whole drag: moved regions keep their size.
    const cv::Rect start = open != nullptr && open->mergeKey() == key
                               ? open->before().regions[static_cast<std::size_t>(index)].rect
                               : document_.regions[static_cast<std::size_t>(index)].rect;
    after.regions[static_cast<std::size_t>(index)].rect = rect;
    edit(after, start.size() == rect.size() ? tr("Move region") : tr("Resize region"), key,
         !finished);
}

void MainWindow::regionEditCancelled(int index)
{
    const QString key = QStringLiteral("region-geometry %1").arg(index);
    const DocumentCommand *open = openStep();
    if (open == nullptr || open->mergeKey() != key)
        return;
    // Closing the step at its starting point leaves no step at all.
    const Document start = open->before();
    edit(start, open->text(), key, false);
}

void MainWindow::regionPanelEdited(int index, const Region &region, const QString &key,
                                   bool dragging)
{
    if (index < 0 || index >= static_cast<int>(document_.regions.size()))
        return;
    Document after = document_;
    after.regions[static_cast<std::size_t>(index)] = region;
    const QString text = key == QLatin1String("method") ? tr("Change region method")
                                                        : tr("Change region %1").arg(key);
    edit(after, text, QStringLiteral("region-%1 %2").arg(key).arg(index), dragging);
}

void MainWindow::moveRegion(int from, int to)
{
    const int count = static_cast<int>(document_.regions.size());
    if (from < 0 || from >= count || to < 0 || to >= count || from == to)
        return;
    Document after = document_;
    const Region moved = after.regions[static_cast<std::size_t>(from)];
    after.regions.erase(after.regions.begin() + from);
    after.regions.insert(after.regions.begin() + to, moved);
    regionPanel_->setRegions(after.regions);
    regionPanel_->setSelected(to);
    edit(after, tr("Reorder regions"));
}

void MainWindow::removeRegion(int index)
{
    if (index < 0 || index >= static_cast<int>(document_.regions.size()))
        return;
    Document after = document_;
    after.regions.erase(after.regions.begin() + index);
    regionPanel_->setRegions(after.regions);
    regionPanel_->setSelected(-1);
    edit(after, tr("Delete region"));
}

void MainWindow::clearRegions()
{
    if (document_.regions.empty())
        return;
    Document after = document_;
    after.regions.clear();
    regionPanel_->setRegions(after.regions); // also when the panel's own button asked
    edit(after, tr("Clear regions"));
}

void MainWindow::selectRegion(int index)
{
    regionPanel_->setSelected(index);
    view_->setSelectedRegion(regionPanel_->selected());
}

bool MainWindow::hasUnexportedRegions() const
{
    return !document_.regions.empty() && document_.regions != exportedRegions_;
}

void MainWindow::setUnexportedRegionsPrompt(RegionsPrompt prompt)
{
    regionsPrompt_ = std::move(prompt);
}

bool MainWindow::keepRegionsSafe(std::function<void()> then)
{
    if (!hasUnexportedRegions())
        return true;
    QMessageBox::StandardButton answer = QMessageBox::Cancel;
    if (regionsPrompt_) {
        answer = regionsPrompt_();
    } else {
        QMessageBox box(QMessageBox::Warning, tr("Kernelscope"),
                        tr("The blur regions have not been exported."),
                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        box.setInformativeText(tr("Export the image with them before going on?"));
        box.button(QMessageBox::Save)->setText(tr("Export…"));
        box.setDefaultButton(QMessageBox::Save);
        answer = static_cast<QMessageBox::StandardButton>(box.exec());
    }
    if (answer == QMessageBox::Discard)
        return true;
    if (answer == QMessageBox::Save) {
        afterExport_ = std::move(then);
        exportDialog();
    }
    return false;
}

void MainWindow::requestPreview()
{
    showsExact_ = false;
    preview_->setDocument(forScreen(document_));
}

void MainWindow::showResult(const PreviewResult &result)
{
    if (result.generation != preview_->generation())
        return; // a newer request is on its way; never show an older one
    const QImage image = toQImage(result.output);
    noteLabel_->setText(result.note);
    if (!result.exact) {
        view_->setProcessed(image, result.scale);
        quickResponse_ = result.response;
        quickScale_ = result.scale;
        exactResponse_.release();
        showsExact_ = false;
        stageLabel_->setText(tr("Quick preview"));
    } else if (result.partial) {
        view_->setProcessedPatch(image, result.region);
        stageLabel_->setText(tr("Exact (visible part)"));
    } else {
        view_->setProcessed(image, 1.0);
        exactOutput_ = result.output;
        exactResponse_ = result.response;
        showsExact_ = true;
        stageLabel_->setText(tr("Exact"));
    }
    if (cursorInside_)
        updateReadout(lastCursor_, true);
    if (showsExact_)
        emit exactResultShown(result.generation);
}

void MainWindow::previewFailed(quint64 generation, const QString &message)
{
    if (generation != preview_->generation())
        return;
    stageLabel_->setText(tr("Failed"));
    statusBar()->showMessage(message, 10000);
}

void MainWindow::setBusy(bool busy)
{
    busy_->setVisible(busy);
}

QString MainWindow::imageInfoText() const
{
    return imageInfo_->text();
}

QString MainWindow::stageText() const
{
    return stageLabel_->text();
}

QString MainWindow::readoutText() const
{
    return readout_->text();
}

void MainWindow::updateReadout(QPoint imagePos, bool inside)
{
    lastCursor_ = imagePos;
    cursorInside_ = inside;
    if (!inside) {
        readout_->clear();
        return;
    }
    const int x = imagePos.x();
    const int y = imagePos.y();
    QString text = tr("x %1, y %2 · %3").arg(x).arg(y).arg(pixelText(source_, x, y));
    if (!exactResponse_.empty()) {
        text += tr(" → %1").arg(pixelText(exactResponse_, x, y));
    } else if (!quickResponse_.empty()) {
        const int qx = std::min(static_cast<int>(x * quickScale_), quickResponse_.cols - 1);
        const int qy = std::min(static_cast<int>(y * quickScale_), quickResponse_.rows - 1);
        text += tr(" → ≈ %1").arg(pixelText(quickResponse_, qx, qy));
    }
    readout_->setText(text);
}

void MainWindow::updateZoomLabel(double zoom)
{
    zoomLabel_->setText(tr("%1 %").arg(zoom * 100, 0, 'f', zoom < 0.1 ? 1 : 0));
}

void MainWindow::showError(const QString &message)
{
    // Window-modal and non-blocking, so the event loop (and the preview)
    // keeps running and tests can inspect it.
    auto *box =
        new QMessageBox(QMessageBox::Warning, tr("Kernelscope"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    emit errorShown(message);
}

void MainWindow::openDialog()
{
    QStringList patterns;
    for (const std::string &ext : readableImageExtensions())
        patterns << QStringLiteral("*.%1").arg(QString::fromStdString(ext));
    const QString filter = tr("Images (%1);;All files (*)").arg(patterns.join(QLatin1Char(' ')));
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Image"), lastFolder(), filter);
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::exportDialog()
{
    // A pending action (closing, opening) only goes on after this export.
    std::function<void()> then = std::exchange(afterExport_, {});
    const QString base = sourcePath_.isEmpty() ? QStringLiteral("astronaut")
                                               : QFileInfo(sourcePath_).completeBaseName();
    const bool raw = document_.display.mode == DisplayMode::Raw;
    const QString suggested = QDir(lastFolder())
                                  .filePath(base + (raw ? QStringLiteral("-response.tif")
                                                        : QStringLiteral("-filtered.png")));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Image"), suggested,
        tr("PNG (*.png);;JPEG (*.jpg *.jpeg);;TIFF (*.tif *.tiff);;BMP (*.bmp);;WebP (*.webp)"));
    if (path.isEmpty())
        return;
    const std::optional<ExportChoice> choice =
        askExportOptions(this, QFileInfo(path).suffix(), document_.display.mode);
    if (!choice)
        return;
    rememberFolder(path);
    afterExport_ = std::move(then);
    exportTo(path, choice->depth, choice->quality);
}

void MainWindow::exportTo(const QString &path, int depth, int quality)
{
    // The pipeline runs on a pool thread; the dialog cancels it through the
    // engine's stop token.
    auto stop = std::make_shared<std::stop_source>();
    auto *progress = new QProgressDialog(tr("Exporting %1…").arg(QFileInfo(path).fileName()),
                                         tr("Cancel"), 0, 0, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    connect(progress, &QProgressDialog::canceled, this, [stop] { stop->request_stop(); });

    SaveOptions save;
    save.jpegQuality = quality;
    if (!sourcePath_.isEmpty())
        save.source = toPath(sourcePath_);
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this,
            [this, watcher, progress, path, regions = document_.regions] {
                const QString error = watcher->result();
                watcher->deleteLater();
                progress->close();
                std::function<void()> then = std::exchange(afterExport_, {});
                if (error.isEmpty()) {
                    exportedRegions_ = regions;
                    statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)),
                                             6000);
                    emit exported(path, QString());
                    if (then)
                        then();
                } else if (error == QLatin1String("cancelled")) {
                    emit exported(path, error);
                } else {
                    showError(error);
                    emit exported(path, error);
                }
            });
    watcher->setFuture(QtConcurrent::run([source = source_, document = document_, depth,
                                          target = toPath(path), save, stop]() -> QString {
        try {
            const PipelineOutput out =
                runPipeline(source, document, depth, RunControl{stop->get_token(), {}});
            saveImage(target, out.output, save);
            return {};
        } catch (const Cancelled &) {
            return QStringLiteral("cancelled"); // by the user: nothing to report
        } catch (const std::exception &e) {
            return QString::fromLocal8Bit(e.what());
        }
    }));
}

void MainWindow::exportKernelDialog()
{
    const auto *gabor = std::get_if<GaborSpec>(&document_.filter);
    const bool bank = gabor != nullptr && document_.bank.has_value();
    QString selected;
    QString path = QFileDialog::getSaveFileName(
        this, bank ? tr("Export Gabor Bank") : tr("Export Kernel"),
        QDir(lastFolder())
            .filePath(bank ? QStringLiteral("gabor-bank.npy") : QStringLiteral("kernel.csv")),
        tr("NumPy (*.npy);;CSV (*.csv);;JSON (*.json)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QLatin1String("npy"))    ? QStringLiteral(".npy")
                : selected.contains(QLatin1String("json")) ? QStringLiteral(".json")
                                                           : QStringLiteral(".csv");
    rememberFolder(path);
    const QString error = exportKernelTo(path);
    if (error.isEmpty())
        statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)), 6000);
    else
        showError(error);
}

QString MainWindow::exportKernelTo(const QString &path) const
{
    try {
        const auto *gabor = std::get_if<GaborSpec>(&document_.filter);
        if (gabor != nullptr && document_.bank) {
            // Keras layout (kh, kw, 1, N*M): a Conv2D weight, ready to load.
            saveKernels(toPath(path), bankKernels(*gabor, *document_.bank), document_.filter,
                        KernelLayout::Keras);
        } else {
            const int depth = source_.empty() ? CV_8U : source_.depth();
            saveKernels(toPath(path), {makeKernel(document_.filter, depth)}, document_.filter);
        }
        return {};
    } catch (const std::exception &e) {
        return QString::fromLocal8Bit(e.what());
    }
}

void MainWindow::savePresetDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Preset"), QDir(lastFolder()).filePath(QStringLiteral("preset.json")),
        tr("Kernelscope presets (*.json)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    try {
        savePreset(toPath(path), document_);
        statusBar()->showMessage(tr("Saved preset %1").arg(QDir::toNativeSeparators(path)), 6000);
    } catch (const std::exception &e) {
        showError(QString::fromLocal8Bit(e.what()));
    }
}

void MainWindow::loadPresetDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load Preset"), lastFolder(),
                                                      tr("Kernelscope presets (*.json)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    loadPresetFile(path);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Kernelscope"),
                       tr("<h3>Kernelscope %1</h3>"
                          "<p>A workbench for designing, previewing and exporting image "
                          "filters.</p>"
                          "<p>Built with Qt %2 and OpenCV %3.</p>")
                           .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
                                QString::fromLatin1(qVersion()), QStringLiteral(CV_VERSION)));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!keepRegionsSafe([this] { close(); })) {
        event->ignore();
        return;
    }
    writeSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openFile(urls.first().toLocalFile());
}

} // namespace ks
