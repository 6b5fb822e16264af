#include "image_view.h"

#include <QFocusEvent>
#include <QFontMetricsF>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPen>
#include <QResizeEvent>
#include <QWheelEvent>

#include <algorithm>
#include <climits>
#include <cmath>

namespace ks {

namespace {

// Beyond this the view asks for less than the image's own size.
constexpr QSize kLargestHint(1024, 768);
constexpr QSize kSmallestHint(160, 120);

// How close to the divider (widget pixels) a press grabs it.
constexpr double kDividerGrab = 5;
// Extra device pixels kept around the visible part of a reduced tile, so
// small pans reuse it.
constexpr int kTileMargin = 256;
// Zoom ladder positions closer than this to a rung count as on it.
constexpr double kRungTolerance = 1e-6;

// floor(v) as an int, kept within [lo, hi] (v may be far outside an int).
int floorWithin(double v, int lo, int hi)
{
    return int(std::clamp(std::floor(v), double(lo), double(hi)));
}

int ceilWithin(double v, int lo, int hi)
{
    return int(std::clamp(std::ceil(v), double(lo), double(hi)));
}

// The whole pixels of a w x h grid that the rectangle from a to b touches.
QRect touchedPixels(QPointF a, QPointF b, QSize grid)
{
    const int left = floorWithin(a.x(), 0, grid.width());
    const int top = floorWithin(a.y(), 0, grid.height());
    const int right = ceilWithin(b.x(), 0, grid.width());
    const int bottom = ceilWithin(b.y(), 0, grid.height());
    return QRect(left, top, right - left, bottom - top);
}

// The formats the raster engine scales without converting every pixel.
bool isPaintFormat(QImage::Format format)
{
    return format == QImage::Format_RGB32 || format == QImage::Format_ARGB32_Premultiplied;
}

QImage::Format paintFormat(const QImage &image)
{
    return image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32;
}

// Part of image, sharing its pixels where it can: valid only while image
// lives, so scale or convert it, never keep it. A shared part must start
// 32-bit aligned, as QImage expects of outside memory; alignedLeft() gives
// regions that do.
QImage regionOf(const QImage &image, const QRect &region)
{
    const int bytesPerPixel = image.depth() / 8;
    if (image.depth() % 8 != 0 || image.format() == QImage::Format_Indexed8 ||
        region.x() * bytesPerPixel % 4 != 0)
        return image.copy(region);
    const uchar *first = image.constScanLine(region.y()) + region.x() * bytesPerPixel;
    return QImage(first, region.width(), region.height(), image.bytesPerLine(), image.format());
}

// region widened to start at a multiple of 4 pixels.
QRect alignedLeft(QRect region)
{
    region.setLeft(region.left() & ~3);
    return region;
}

// A copy of part of image in a paint format.
QImage paintableCopy(const QImage &image, const QRect &region)
{
    if (isPaintFormat(image.format()))
        return image.copy(region);
    return regionOf(image, region).convertToFormat(paintFormat(image));
}

} // namespace

namespace detail {

ImageLayer::ImageLayer(const QImage &pixels, const QRectF &coverage)
    : pixels_(pixels), coverage_(coverage)
{
}

void ImageLayer::draw(QPainter &painter, double zoom, QPointF offset, const QRectF &viewport)
{
    if (pixels_.isNull() || coverage_.isEmpty())
        return;
    // Enlarged pixels of the image itself stay crisp squares; the pixels of
    // a reduced preview are not the image's, so they are smoothed like a
    // reduction.
    const bool fullResolution =
        pixels_.width() >= coverage_.width() && pixels_.height() >= coverage_.height();
    if (zoom >= 1 && fullResolution)
        drawCrisp(painter, zoom, offset, viewport);
    else
        drawSmooth(painter, zoom, offset, viewport);
}

void ImageLayer::drawCrisp(QPainter &painter, double zoom, QPointF offset, const QRectF &viewport)
{
    // Layer pixels per image unit.
    const double sx = pixels_.width() / coverage_.width();
    const double sy = pixels_.height() / coverage_.height();
    auto toPixels = [&](QPointF widgetPos) {
        const QPointF p = (widgetPos - offset) / zoom - coverage_.topLeft();
        return QPointF(p.x() * sx, p.y() * sy);
    };
    const QRect source = touchedPixels(toPixels(viewport.topLeft()),
                                       toPixels(viewport.bottomRight()), pixels_.size());
    if (source.isEmpty())
        return;
    const QPointF topLeft =
        offset + (coverage_.topLeft() + QPointF(source.left() / sx, source.top() / sy)) * zoom;
    const QRectF target(topLeft, QSizeF(source.width() / sx * zoom, source.height() / sy * zoom));

    // Only the visible source pixels go to the raster engine, which samples
    // the nearest one for each device pixel: crisp squares, and at zoom 64 a
    // 12 MP image costs no more than a small one.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    if (isPaintFormat(pixels_.format())) {
        painter.drawImage(target, pixels_, QRectF(source));
        return;
    }
    if (tileLevel_ != kConvertedTile || !tileSource_.contains(source)) {
        const double devicePerPixel = zoom * painter.device()->devicePixelRatioF() / sx;
        const int margin = int(std::ceil(kTileMargin / devicePerPixel));
        tileSource_ =
            alignedLeft(source.adjusted(-margin, -margin, margin, margin)) & pixels_.rect();
        tile_ = paintableCopy(pixels_, tileSource_);
        tileLevel_ = kConvertedTile;
        tileZoom_ = 0;
    }
    painter.drawImage(target, tile_, QRectF(source.translated(-tileSource_.topLeft())));
}

void ImageLayer::drawSmooth(QPainter &painter, double zoom, QPointF offset, const QRectF &viewport)
{
    const qreal dpr = painter.device()->devicePixelRatioF();
    const double deviceZoom = zoom * dpr;

    // The smallest mipmap level that still has at least one pixel per device
    // pixel: the reduction from it is by a factor in (0.5, 1], cheap and
    // area-averaged. (Enlarging a quick preview uses level 0.)
    int index = 0;
    for (QSize size = pixels_.size();;) {
        const QSize next((size.width() + 1) / 2, (size.height() + 1) / 2);
        if (next == size || deviceZoom * coverage_.width() / next.width() > 1 ||
            deviceZoom * coverage_.height() / next.height() > 1)
            break;
        size = next;
        ++index;
    }
    const QImage &source = level(index);
    const double levelPerUnitX = source.width() / coverage_.width();
    const double levelPerUnitY = source.height() / coverage_.height();
    const double rx = deviceZoom / levelPerUnitX; // device pixels per level pixel
    const double ry = deviceZoom / levelPerUnitY;

    auto toLevel = [&](QPointF widgetPos) {
        const QPointF p = (widgetPos - offset) / zoom - coverage_.topLeft();
        return QPointF(p.x() * levelPerUnitX, p.y() * levelPerUnitY);
    };
    const QRect needed =
        touchedPixels(toLevel(viewport.topLeft()), toLevel(viewport.bottomRight()), source.size());
    if (needed.isEmpty())
        return;

    if (tileLevel_ != index || tileZoom_ != deviceZoom || !tileSource_.contains(needed)) {
        const int mx = int(std::ceil(kTileMargin / rx));
        const int my = int(std::ceil(kTileMargin / ry));
        tileSource_ = alignedLeft(needed.adjusted(-mx, -my, mx, my)) & source.rect();
        const QSize tileSize(std::max(1, qRound(tileSource_.width() * rx)),
                             std::max(1, qRound(tileSource_.height() * ry)));
        // QImage::scaled averages the source pixels when reducing, unlike the
        // bilinear SmoothPixmapTransform, which aliases.
        if (tileSource_ == source.rect() && tileSize == source.size() &&
            isPaintFormat(source.format()))
            tile_ = source;
        else if (tileSize == tileSource_.size())
            tile_ = paintableCopy(source, tileSource_);
        else
            tile_ = regionOf(source, tileSource_)
                        .scaled(tileSize, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        tileLevel_ = index;
        tileZoom_ = deviceZoom;
    }

    // At a whole device pixel the tile is copied 1:1, without resampling;
    // the rounding moves it by at most half a device pixel.
    const QPointF origin =
        (offset + (coverage_.topLeft() +
                   QPointF(tileSource_.left() / levelPerUnitX, tileSource_.top() / levelPerUnitY)) *
                      zoom) *
        dpr;
    const QPointF aligned(std::round(origin.x()) / dpr, std::round(origin.y()) / dpr);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(QRectF(aligned, QSizeF(tile_.size()) / dpr), tile_);
}

const QImage &ImageLayer::level(int index)
{
    if (levels_.empty())
        levels_.push_back(pixels_);
    while (int(levels_.size()) <= index) {
        const QImage &finer = levels_.back();
        QImage coarser = finer.scaled((finer.width() + 1) / 2, (finer.height() + 1) / 2,
                                      Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        levels_.push_back(std::move(coarser));
    }
    return levels_[std::size_t(index)];
}

} // namespace detail

ImageView::ImageView(QWidget *parent) : QWidget(parent)
{
    // paintEvent fills every pixel itself.
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setFocusPolicy(Qt::StrongFocus); // Space and '\' are held on the view
    setMouseTracking(true);          // cursorMoved and the divider cursor
}

// --- Images ---------------------------------------------------------------

void ImageView::setOriginal(const QImage &original)
{
    const QSize oldSize = imageSize();
    // The same pixels again (the window re-sends its source) keep the caches.
    if (original.cacheKey() != original_.pixels().cacheKey())
        original_ = detail::ImageLayer(original, QRectF(QPointF(0, 0), QSizeF(original.size())));
    if (imageSize() != oldSize) {
        // A result for another image would be stretched wrongly.
        processed_ = {};
        patches_.clear();
        derivedImageSize_ = {};
    }
    imagesChanged(oldSize);
}

void ImageView::setProcessed(const QImage &processed, double scale)
{
    const QSize oldSize = imageSize();
    patches_.clear();
    if (processed.isNull() || !(scale > 0)) {
        processed_ = {};
        derivedImageSize_ = {};
    } else {
        derivedImageSize_ = QSize(std::max(1, qRound(processed.width() / scale)),
                                  std::max(1, qRound(processed.height() / scale)));
        const QRectF coverage(QPointF(0, 0), QSizeF(imageSize()));
        if (processed.cacheKey() != processed_.pixels().cacheKey() ||
            coverage != processed_.coverage())
            processed_ = detail::ImageLayer(processed, coverage);
    }
    imagesChanged(oldSize);
}

void ImageView::setProcessedPatch(const QImage &patch, const QRect &imageRect)
{
    if (patch.isNull() || imageRect.isEmpty())
        return;
    // Progressive results arrive tile by tile; a patch hidden by a newer one
    // only costs memory.
    std::erase_if(patches_, [&](const detail::ImageLayer &old) {
        return QRectF(imageRect).contains(old.coverage());
    });
    patches_.emplace_back(patch, QRectF(imageRect));
    update();
}

void ImageView::setImage(const QImage &image)
{
    setOriginal(image);
    setProcessed(image);
}

const QImage &ImageView::image() const
{
    if (!processed_.isNull() &&
        (original_.isNull() || processed_.pixels().size() == original_.pixels().size()))
        return processed_.pixels();
    return original_.pixels();
}

QSize ImageView::imageSize() const
{
    return original_.isNull() ? derivedImageSize_ : original_.pixels().size();
}

void ImageView::imagesChanged(QSize oldSize)
{
    if (imageSize() != oldSize) {
        fit_ = true;
        updateGeometry();
    }
    notifyViewChanged();
    update();
}

// --- Geometry -------------------------------------------------------------

ImageView::Placement ImageView::placement() const
{
    if (fit_)
        return fittedPlacement();
    // The clamp matters only before a pending resize event has arrived.
    return {manual_.zoom, clampedOffset(manual_.offset, manual_.zoom)};
}

ImageView::Placement ImageView::fittedPlacement() const
{
    const QSize size = imageSize();
    if (size.isEmpty())
        return {};
    const double zoom =
        std::clamp(std::min(double(width()) / size.width(), double(height()) / size.height()),
                   kMinZoom, kMaxZoom);
    return {zoom,
            QPointF((width() - size.width() * zoom) / 2, (height() - size.height() * zoom) / 2)};
}

QPointF ImageView::clampedOffset(QPointF offset, double zoom) const
{
    // Per axis: an image narrower than the widget is centred; a wider one
    // keeps covering the widget.
    auto clampAxis = [](double value, double view, double extent) {
        if (extent <= view)
            return (view - extent) / 2;
        return std::clamp(value, view - extent, 0.0);
    };
    const QSize size = imageSize();
    return {clampAxis(offset.x(), width(), size.width() * zoom),
            clampAxis(offset.y(), height(), size.height() * zoom)};
}

void ImageView::place(double zoom, QPointF offset)
{
    fit_ = false;
    manual_ = {zoom, clampedOffset(offset, zoom)};
    notifyViewChanged();
    update();
}

QRect ImageView::imageRect() const
{
    const QSize size = imageSize();
    if (size.isEmpty())
        return {};
    const Placement p = placement();
    const QPointF topLeft = p.offset;
    const QPointF bottomRight = p.offset + QPointF(size.width(), size.height()) * p.zoom;
    return QRect(QPoint(qRound(topLeft.x()), qRound(topLeft.y())),
                 QPoint(qRound(bottomRight.x()) - 1, qRound(bottomRight.y()) - 1));
}

double ImageView::zoom() const
{
    return placement().zoom;
}

QPointF ImageView::widgetToImage(QPointF widgetPos) const
{
    const Placement p = placement();
    return (widgetPos - p.offset) / p.zoom;
}

QPointF ImageView::imageToWidget(QPointF imagePos) const
{
    const Placement p = placement();
    return p.offset + imagePos * p.zoom;
}

QRectF ImageView::visibleImageRect() const
{
    const QSize size = imageSize();
    if (size.isEmpty())
        return {};
    const QRectF inWidget(widgetToImage(QPointF(0, 0)), widgetToImage(QPointF(width(), height())));
    return inWidget & QRectF(QPointF(0, 0), QSizeF(size));
}

void ImageView::notifyViewChanged()
{
    const double z = zoom();
    if (z != signalledZoom_) {
        signalledZoom_ = z;
        emit zoomChanged(z);
    }
    const qreal dpr = devicePixelRatioF();
    const QSize viewPixels(qRound(width() * dpr), qRound(height() * dpr));
    const QRectF visible = visibleImageRect();
    if (viewPixels != signalledViewPixels_ || visible != signalledVisible_) {
        signalledViewPixels_ = viewPixels;
        signalledVisible_ = visible;
        emit viewportChanged(viewPixels, visible);
    }
}

// --- Zoom and pan -----------------------------------------------------------

void ImageView::setZoom(double zoom, QPointF anchorWidgetPos)
{
    const QPointF anchorImagePos = widgetToImage(anchorWidgetPos);
    const double z = std::clamp(zoom, kMinZoom, kMaxZoom);
    place(z, anchorWidgetPos - anchorImagePos * z);
}

void ImageView::stepZoom(int steps, QPointF anchorWidgetPos)
{
    // Step to the neighbouring rungs of the ladder 2^(k/4), so that zooming
    // in from a fitted zoom lands on the ladder and 4 steps from 1 give 2.
    const double rung = kStepsPerDoubling * std::log2(zoom());
    const double target = steps > 0 ? std::floor(rung + kRungTolerance) + steps
                                    : std::ceil(rung - kRungTolerance) + steps;
    setZoom(std::exp2(target / kStepsPerDoubling), anchorWidgetPos);
}

void ImageView::zoomIn()
{
    stepZoom(1, QPointF(width() / 2.0, height() / 2.0));
}

void ImageView::zoomOut()
{
    stepZoom(-1, QPointF(width() / 2.0, height() / 2.0));
}

void ImageView::fitToWindow()
{
    fit_ = true;
    notifyViewChanged();
    update();
}

void ImageView::zoomToActualSize()
{
    setZoom(1, QPointF(width() / 2.0, height() / 2.0));
}

void ImageView::panBy(QPointF widgetDelta)
{
    const Placement p = placement();
    const QPointF moved = clampedOffset(p.offset + widgetDelta, p.zoom);
    if (moved == p.offset)
        return; // a fitted image has nowhere to go: stay in fit mode
    place(p.zoom, moved);
}

// --- Split and original ---------------------------------------------------

void ImageView::setSplitEnabled(bool enabled)
{
    if (enabled == splitEnabled_)
        return;
    splitEnabled_ = enabled;
    updateCursor(lastMousePos_);
    update();
}

void ImageView::setSplitPosition(double fraction)
{
    const double clamped = std::clamp(fraction, 0.0, 1.0);
    if (clamped == splitPosition_)
        return;
    splitPosition_ = clamped;
    if (splitEnabled_)
        update();
}

void ImageView::setShowOriginal(bool show)
{
    originalKeyHeld_ = false;
    if (show == showOriginal_)
        return;
    showOriginal_ = show;
    updateCursor(lastMousePos_);
    update();
}

double ImageView::dividerX() const
{
    return splitPosition_ * width();
}

bool ImageView::isOverDivider(QPointF widgetPos) const
{
    return splitEnabled_ && !showOriginal_ && std::abs(widgetPos.x() - dividerX()) <= kDividerGrab;
}

// --- Events ---------------------------------------------------------------

void ImageView::resizeEvent(QResizeEvent *event)
{
    const QSize old = event->oldSize();
    if (!fit_ && old.isValid()) {
        // Keep the image point at the centre where it is.
        const QSize grown = event->size() - old;
        manual_.offset = clampedOffset(manual_.offset + QPointF(grown.width(), grown.height()) / 2,
                                       manual_.zoom);
    }
    notifyViewChanged();
}

void ImageView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0 || imageSize().isEmpty()) {
        event->ignore();
        return;
    }
    // High-resolution wheels and touchpads send fractions of a notch.
    wheelRemainder_ += delta;
    const int steps = wheelRemainder_ / QWheelEvent::DefaultDeltasPerStep;
    wheelRemainder_ -= steps * QWheelEvent::DefaultDeltasPerStep;
    if (steps != 0)
        stepZoom(steps, event->position());
    event->accept();
}

ImageView::Drag ImageView::dragFor(const QMouseEvent &event) const
{
    if (event.button() == Qt::MiddleButton)
        return Drag::Pan;
    if (event.button() == Qt::LeftButton) {
        if (spaceHeld_)
            return Drag::Pan;
        if (isOverDivider(event.position()))
            return Drag::Divider;
    }
    return Drag::None;
}

void ImageView::mousePressEvent(QMouseEvent *event)
{
    lastMousePos_ = event->position();
    if (drag_ != Drag::None) {
        event->accept(); // a second button during a drag changes nothing
        return;
    }
    drag_ = dragFor(*event);
    if (drag_ == Drag::None) {
        QWidget::mousePressEvent(event);
        return;
    }
    dragButton_ = event->button();
    if (drag_ == Drag::Divider)
        setSplitPosition(event->position().x() / std::max(1, width()));
    updateCursor(event->position());
    event->accept();
}

void ImageView::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF pos = event->position();
    switch (drag_) {
    case Drag::Pan:
        panBy(pos - lastMousePos_);
        break;
    case Drag::Divider:
        setSplitPosition(pos.x() / std::max(1, width()));
        break;
    case Drag::None:
        break;
    }
    lastMousePos_ = pos;
    updateCursor(pos);

    const QPointF imagePos = widgetToImage(pos);
    lastCursorPixel_ = QPoint(floorWithin(imagePos.x(), INT_MIN, INT_MAX),
                              floorWithin(imagePos.y(), INT_MIN, INT_MAX));
    emit cursorMoved(lastCursorPixel_, QRect(QPoint(0, 0), imageSize()).contains(lastCursorPixel_));
}

void ImageView::mouseReleaseEvent(QMouseEvent *event)
{
    lastMousePos_ = event->position();
    if (drag_ == Drag::None || event->button() != dragButton_) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    drag_ = Drag::None;
    dragButton_ = Qt::NoButton;
    updateCursor(event->position());
    event->accept();
}

void ImageView::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    // Shift is how '+' is typed on many layouts; the keypad flag says nothing.
    const Qt::KeyboardModifiers modifiers =
        event->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier);
    const bool ctrl = modifiers == Qt::ControlModifier;

    if (event->matches(QKeySequence::ZoomIn) ||
        (ctrl && (key == Qt::Key_Equal || key == Qt::Key_Plus))) {
        zoomIn();
    } else if (event->matches(QKeySequence::ZoomOut) || (ctrl && key == Qt::Key_Minus)) {
        zoomOut();
    } else if (ctrl && key == Qt::Key_0) {
        fitToWindow();
    } else if (ctrl && key == Qt::Key_1) {
        zoomToActualSize();
    } else if (key == Qt::Key_Space && modifiers == Qt::NoModifier) {
        if (!event->isAutoRepeat()) {
            spaceHeld_ = true;
            updateCursor(lastMousePos_);
        }
    } else if (key == Qt::Key_Backslash && !ctrl) { // Ctrl+\ is left to the window
        if (!event->isAutoRepeat()) {
            setShowOriginal(true);
            originalKeyHeld_ = true;
        }
    } else {
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void ImageView::keyReleaseEvent(QKeyEvent *event)
{
    // Auto-repeat sends releases too (on X11): the key is still down.
    if (event->isAutoRepeat()) {
        QWidget::keyReleaseEvent(event);
        return;
    }
    if (event->key() == Qt::Key_Space && spaceHeld_) {
        spaceHeld_ = false; // a drag begun with Space continues to the release
        updateCursor(lastMousePos_);
    } else if (event->key() == Qt::Key_Backslash && originalKeyHeld_) {
        setShowOriginal(false);
    } else {
        QWidget::keyReleaseEvent(event);
        return;
    }
    event->accept();
}

void ImageView::focusOutEvent(QFocusEvent *event)
{
    // The release of a held key goes to whoever has the focus now.
    spaceHeld_ = false;
    if (originalKeyHeld_)
        setShowOriginal(false);
    updateCursor(lastMousePos_);
    QWidget::focusOutEvent(event);
}

void ImageView::leaveEvent(QEvent *event)
{
    emit cursorMoved(lastCursorPixel_, false);
    QWidget::leaveEvent(event);
}

void ImageView::updateCursor(QPointF widgetPos)
{
    if (drag_ == Drag::Pan)
        setCursor(Qt::ClosedHandCursor);
    else if (spaceHeld_)
        setCursor(Qt::OpenHandCursor);
    else if (drag_ == Drag::Divider || isOverDivider(widgetPos))
        setCursor(Qt::SplitHCursor);
    else
        unsetCursor();
}

// --- Painting ---------------------------------------------------------------

QSize ImageView::sizeHint() const
{
    const QSize size = imageSize();
    if (size.isEmpty())
        return {640, 480};
    QSize hint = size;
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

    const QRect imageArea = imageRect() & rect();
    if (imageArea.isEmpty())
        return;
    const Placement p = placement();
    const QRectF viewport(rect());

    // setImage gives both sides the same pixels: draw them from one cache.
    detail::ImageLayer &original = original_.isNull() ? processed_ : original_;
    detail::ImageLayer &processed =
        processed_.isNull() || processed_.pixels().cacheKey() == original_.pixels().cacheKey()
            ? original
            : processed_;
    auto drawOriginal = [&](const QRect &clip) {
        painter.setClipRect(clip);
        original.draw(painter, p.zoom, p.offset, viewport);
    };
    auto drawProcessed = [&](const QRect &clip) {
        painter.setClipRect(clip);
        processed.draw(painter, p.zoom, p.offset, viewport);
        for (detail::ImageLayer &patch : patches_)
            patch.draw(painter, p.zoom, p.offset, viewport);
    };

    // Labels go at the top of the visible part of the image.
    const QRectF shown(imageArea);
    if (showOriginal_) {
        drawOriginal(imageArea);
        painter.setClipping(false);
        drawLabel(painter, tr("Original"), shown, Qt::AlignLeft);
    } else if (splitEnabled_) {
        const int x = qRound(dividerX());
        const QRect left = imageArea & QRect(0, 0, x, height());
        const QRect right = imageArea & QRect(x, 0, width() - x, height());
        if (!left.isEmpty())
            drawOriginal(left);
        if (!right.isEmpty())
            drawProcessed(right);
        painter.setClipping(false);
        drawDivider(painter);
        drawLabel(painter, tr("Original"), QRectF(0, shown.top(), x, shown.height()),
                  Qt::AlignRight);
        drawLabel(painter, tr("Filtered"), QRectF(x, shown.top(), width() - x, shown.height()),
                  Qt::AlignLeft);
    } else {
        drawProcessed(imageArea);
    }
}

void ImageView::drawLabel(QPainter &painter, const QString &text, const QRectF &side,
                          Qt::Alignment edge) const
{
    // A dark rounded box at the top of side, against its left or right edge.
    constexpr double kInset = 8;
    constexpr double kPadX = 6;
    constexpr double kPadY = 2;
    const QFontMetricsF metrics(font());
    const QSizeF box(metrics.horizontalAdvance(text) + 2 * kPadX, metrics.height() + 2 * kPadY);
    const double x =
        edge & Qt::AlignRight ? side.right() - kInset - box.width() : side.left() + kInset;
    const QRectF frame(QPointF(x, side.top() + kInset), box);

    painter.save();
    painter.setClipRect(side);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 150));
    painter.drawRoundedRect(frame, 4, 4);
    painter.setPen(Qt::white);
    painter.drawText(frame, Qt::AlignCenter, text);
    painter.restore();
}

void ImageView::drawDivider(QPainter &painter) const
{
    // A crisp white line in pixel column x with dark edges either side,
    // readable on any image, and a round handle with two arrowheads at
    // mid-height.
    const int column = qRound(dividerX());
    const double x = column + 0.5;
    const double midY = height() / 2.0;
    constexpr double kRadius = 10;
    constexpr double kArrow = 4;

    painter.save();
    painter.fillRect(QRect(column - 1, 0, 3, height()), QColor(0, 0, 0, 110));
    painter.fillRect(QRect(column, 0, 1, height()), Qt::white);

    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(Qt::white, 1.5));
    painter.setBrush(QColor(0, 0, 0, 150));
    painter.drawEllipse(QPointF(x, midY), kRadius, kRadius);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::white);
    const QPointF left[] = {{x - 2, midY - kArrow}, {x - 2 - kArrow, midY}, {x - 2, midY + kArrow}};
    const QPointF right[] = {
        {x + 2, midY - kArrow}, {x + 2 + kArrow, midY}, {x + 2, midY + kArrow}};
    painter.drawPolygon(left, 3);
    painter.drawPolygon(right, 3);
    painter.restore();
}

} // namespace ks
