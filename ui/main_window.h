// The main window: the image view in the middle, the parameter panel in a
// dock, menus, the status bar, and the live preview behind them.
//
// The window owns the document (source image + Document). Every edit sends a
// copy to the PreviewController, whose worker thread computes a quick preview
// and then the exact result; the GUI thread never runs a filter (exports run
// on a thread-pool thread).
#pragma once

#include "core/document.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <functional>
#include <optional>

class QLabel;
class QMenu;
class QProgressBar;
class QDockWidget;
class QUndoStack;

namespace ks {

class DocumentCommand;
class ImageView;
class KernelPlots;
class ParameterPanel;
class RegionPanel;
class PreviewController;
struct PreviewResult;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    /// Opens with the embedded sample photograph.
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Loads an image file as the new source. On failure shows a message that
    /// names the file and the reason, keeps the current document, and
    /// returns false.
    bool openFile(const QString &path);

    /// Replaces the source image (any type loadImage gives). name is what the
    /// title calls it; path is its file (empty for the sample).
    void setSource(const cv::Mat &image, const QString &name, const QString &path = {});

    /// Loads a preset file into the document (keeping the image); shows a
    /// message and returns false on failure.
    bool loadPresetFile(const QString &path);

    const Document &document() const { return document_; }
    /// Shows this document (keeping the image). Not an undo step: for
    /// start-up and tests; the user's edits go through edit().
    void setDocument(const Document &document);

    /// Every change of the document made by the user: shows it, computes it,
    /// and pushes one undo step named text ("Change sigma", "Add region").
    /// Edits with the same non-empty mergeKey merge into one step while open
    /// is true (a drag in progress); see DocumentCommand.
    void edit(const Document &after, const QString &text, const QString &mergeKey = {},
              bool open = false);

    QUndoStack *undoStack() const { return undo_; }

    /// Runs the pipeline for the current document on a pool thread and saves
    /// the result to path (depth CV_8U or CV_16U, or CV_32F with the Raw
    /// mapping; quality for JPEG/WebP), atomically. exported() reports the
    /// outcome; errors also get a message box.
    void exportTo(const QString &path, int depth = 0 /* CV_8U */, int quality = 95);

    /// Saves the kernel (.csv, .npy, .json by extension), or with a Gabor
    /// bank every kernel of it in the Keras layout (kh, kw, 1, N*M), like
    /// `kernelscope kernel --bank N --scales M --layout keras`. Returns the
    /// error (one line naming the file), empty on success.
    QString exportKernelTo(const QString &path) const;

    /// True when the document has blur regions that differ from the ones in
    /// the last image exported from it (or from none, before any export).
    bool hasUnexportedRegions() const;

    /// What the user answers when unexported regions would be lost (closing
    /// the window, opening another image): QMessageBox::Save (export first),
    /// Discard or Cancel. The default asks with a message box; tests replace it.
    using RegionsPrompt = std::function<QMessageBox::StandardButton()>;
    void setUnexportedRegionsPrompt(RegionsPrompt prompt);

    const cv::Mat &source() const { return source_; }
    QString sourcePath() const { return sourcePath_; }

    /// The last exact result shown (display-mapped), empty before the first.
    const cv::Mat &exactOutput() const { return exactOutput_; }
    bool showsExactResult() const { return showsExact_; }

    ImageView *imageView() const { return view_; }
    ParameterPanel *parameterPanel() const { return panel_; }
    RegionPanel *regionPanel() const { return regionPanel_; }
    KernelPlots *kernelPlots() const { return plots_; }
    /// The checkable "Blur Region" tool (shortcut B).
    QAction *regionToolAction() const { return regionTool_; }
    PreviewController *previewController() const { return preview_; }

    /// The status bar's summary of the image, e.g. "512 × 512 · 8-bit · 3 channels".
    QString imageInfoText() const;
    /// The status bar's text for the stage shown: "Quick preview" or "Exact".
    QString stageText() const;
    /// The status bar's readout at the cursor ("x 12, y 40 · RGB 200, 180, 170 → 12.5").
    QString readoutText() const;

    QStringList recentFiles() const { return recentFiles_; }

signals:
    /// An exact full-resolution result for the current document is on screen.
    void exactResultShown(quint64 generation);
    /// A message box was opened for an error (its text), for tests and logs.
    void errorShown(const QString &message);
    /// An export finished: error is empty on success, "cancelled" when the
    /// user stopped it, else the reason shown.
    void exported(const QString &path, const QString &error);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createDocks();
    void createStatusBar();
    void readSettings();
    void writeSettings() const;

    void openDialog();
    void exportDialog();
    void savePresetDialog();
    void loadPresetDialog();
    void showAbout();
    void showError(const QString &message);

    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    QString lastFolder() const;
    void rememberFolder(const QString &fileOrFolder);

    void panelChanged(const QString &key, bool dragging);
    /// Shows document_ in every widget that did not make the change; from an
    /// undo or redo (changedBy null) every widget is updated.
    void showDocument(const Document &previous, const QObject *changedBy);
    void scheduleKernelPlots();
    void updateKernelPlots();
    void exportKernelDialog();

    // Regions: gestures in the view and edits in the region panel.
    void regionDrawn(QRect imageRect);
    void regionGeometryEdited(int index, QRect imageRect, bool finished);
    void regionEditCancelled(int index);
    void regionPanelEdited(int index, const Region &region, const QString &key, bool dragging);
    void moveRegion(int from, int to);
    void removeRegion(int index);
    void clearRegions();
    void selectRegion(int index);
    /// The newest undo step when it is a drag still in progress, else null.
    const DocumentCommand *openStep() const;

    /// Asks what to do with unexported regions before they would be lost.
    /// Returns true to go on; false when the user cancelled or chose to
    /// export first (then `then` runs once the export succeeded).
    bool keepRegionsSafe(std::function<void()> then);
    void requestPreview();
    void showResult(const PreviewResult &result);
    void previewFailed(quint64 generation, const QString &message);
    void setBusy(bool busy);
    void updateReadout(QPoint imagePos, bool inside);
    void updateZoomLabel(double zoom);

    cv::Mat source_;
    QString sourceName_;
    QString sourcePath_;
    Document document_;

    cv::Mat exactOutput_;
    cv::Mat exactResponse_;
    cv::Mat quickResponse_;
    double quickScale_ = 1.0;
    bool showsExact_ = false;
    QPoint lastCursor_{-1, -1};
    bool cursorInside_ = false;

    QStringList recentFiles_;

    // Owned through Qt's parent-child tree.
    ImageView *view_ = nullptr;
    ParameterPanel *panel_ = nullptr;
    PreviewController *preview_ = nullptr;
    QDockWidget *panelDock_ = nullptr;
    QMenu *recentMenu_ = nullptr;
    QMenu *viewMenu_ = nullptr;
    QLabel *imageInfo_ = nullptr;
    QLabel *readout_ = nullptr;
    QLabel *zoomLabel_ = nullptr;
    QLabel *stageLabel_ = nullptr;
    QLabel *noteLabel_ = nullptr;
    QProgressBar *busy_ = nullptr;
    QUndoStack *undo_ = nullptr;
    RegionPanel *regionPanel_ = nullptr;
    KernelPlots *plots_ = nullptr;
    QDockWidget *regionDock_ = nullptr;
    QDockWidget *plotsDock_ = nullptr;
    QAction *regionTool_ = nullptr;
    QAction *clearRegions_ = nullptr;
    bool kernelPlotsPending_ = false;

    /// The regions of the last export (see hasUnexportedRegions).
    std::vector<Region> exportedRegions_;
    RegionsPrompt regionsPrompt_;
    /// Runs after the next successful export (the action that asked for it).
    std::function<void()> afterExport_;
};

} // namespace ks
