#include "image_view.h"

#include <QPainter>

namespace ks {

namespace {

// Beyond this the view asks for less than the image's own size.
constexpr QSize kLargestHint(1024, 768);
constexpr QSize kSmallestHint(160, 120);

} // namespace

ImageView::ImageView(QWidget *parent) : QWidget(parent)
{
    // paintEvent fills every pixel itself.
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage &image)
{
    image_ = image;
    pixmap_ = image.isNull() ? QPixmap() : QPixmap::fromImage(image);
    reduced_ = QPixmap();
    updateGeometry();
    update();
}

QRect ImageView::imageRect() const
{
    if (image_.isNull() || width() <= 0 || height() <= 0)
        return {};
    const QSize fitted = image_.size().scaled(size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
}

QSize ImageView::sizeHint() const
{
    if (image_.isNull())
        return {640, 480};
    QSize hint = image_.size();
    if (hint.width() > kLargestHint.width() || hint.height() > kLargestHint.height())
        hint.scale(kLargestHint, Qt::KeepAspectRatio);
    return hint.expandedTo(kSmallestHint);
}

QSize ImageView::minimumSizeHint() const
{
    return kSmallestHint;
}

void ImageView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), QColor(kBackground));

    const QRect target = imageRect();
    if (target.isEmpty())
        return;

    if (target.width() < image_.width() || target.height() < image_.height()) {
        // QImage::scaled averages the source pixels when reducing, unlike the
        // bilinear SmoothPixmapTransform, which aliases beyond a factor of 2.
        const qreal ratio = devicePixelRatioF();
        const QSize deviceSize = (QSizeF(target.size()) * ratio).toSize();
        if (reduced_.size() != deviceSize) {
            reduced_ = QPixmap::fromImage(
                image_.scaled(deviceSize, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
            reduced_.setDevicePixelRatio(ratio);
        }
        painter.drawPixmap(target.topLeft(), reduced_);
    } else {
        // No SmoothPixmapTransform: enlarged pixels stay sharp squares.
        painter.drawPixmap(target, pixmap_);
    }
}

} // namespace ks
