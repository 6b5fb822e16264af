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
#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <optional>

class QLabel;
class QMenu;
class QProgressBar;
class QDockWidget;

namespace ks {

class ImageView;
class ParameterPanel;
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
    void setDocument(const Document &document);

    const cv::Mat &source() const { return source_; }
    QString sourcePath() const { return sourcePath_; }

    /// The last exact result shown (display-mapped), empty before the first.
    const cv::Mat &exactOutput() const { return exactOutput_; }
    bool showsExactResult() const { return showsExact_; }

    ImageView *imageView() const { return view_; }
    ParameterPanel *parameterPanel() const { return panel_; }
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
};

} // namespace ks
