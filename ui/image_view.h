// A widget that shows one image, fitted to its size.
#pragma once

#include <QImage>
#include <QPixmap>
#include <QRect>
#include <QWidget>

namespace ks {

/// Shows an image scaled to fit the widget with its aspect ratio kept,
/// centred on a dark neutral background. Scaling down is smooth (area
/// averaging, cached per widget size); scaling up is nearest-neighbour so
/// single pixels stay visible as crisp squares. GUI thread only.
class ImageView : public QWidget {
    Q_OBJECT

public:
    /// Colour of the area around the image.
    static constexpr QRgb kBackground = qRgb(0x2b, 0x2b, 0x2b);

    explicit ImageView(QWidget *parent = nullptr);

    /// Shows image (implicitly shared, not copied); a null image shows only
    /// the background.
    void setImage(const QImage &image);
    const QImage &image() const { return image_; }

    /// Where the image is drawn, in widget pixels: the largest rectangle of
    /// the image's aspect ratio that fits the widget, centred. Empty without
    /// an image.
    QRect imageRect() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage image_;
    QPixmap pixmap_;  // image_ in the screen's format, for unscaled and enlarged drawing
    QPixmap reduced_; // image_ smoothly scaled down to the last drawn size, in device pixels
};

} // namespace ks
