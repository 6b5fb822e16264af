// The main window: for now, one image and the menus around it.
#pragma once

#include <QMainWindow>
#include <QString>

#include <opencv2/core/mat.hpp>

class QLabel;

namespace ks {

class ImageView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    /// Shows image, which may be of any type toQImage accepts (a 32-bit float
    /// image is displayed with 0..1 as black..white). name is what the title
    /// calls the image, e.g. "astronaut.png (sample)". Throws
    /// std::invalid_argument for an image type toQImage refuses.
    MainWindow(const cv::Mat &image, const QString &name, QWidget *parent = nullptr);

    const ImageView *imageView() const { return view_; }

    /// The status bar's summary of the image, e.g. "512 × 512 · 8-bit · 3 channels".
    QString imageInfoText() const;

private:
    void createMenus();
    void showAbout();

    // Owned by this window through Qt's parent-child tree.
    ImageView *view_ = nullptr;
    QLabel *imageInfo_ = nullptr;
};

} // namespace ks
