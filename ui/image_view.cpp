#include "image_view.h"

#include "image_convert.h"

#include <QApplication>
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
#include <array>
#include <climits>
#include <cmath>
#include <utility>

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
// Region handles, in widget pixels so they work at any zoom: the side of the
// square drawn, and how far from its centre (on either axis) a press grabs it.
constexpr int kHandleSize = 8;
constexpr double kHandleGrab = 6;
// Device coordinates of region outlines are kept within this, far outside
// any screen, so a huge region at a high zoom cannot overflow an int.
constexpr int kFarDevice = 1 << 24;
// Region outlines: light lines, dark halos, the selected one in an accent.
const QColor kOutline(255, 255, 255, 230);
const QColor kHalo(0, 0, 0, 140);
const QColor kSelected(80, 190, 255);
const QColor kSelectedFill(80, 190, 255, 40);
const QColor kRubberBandFill(80, 190, 255, 60);

// floor(v) as an int, kept within [lo, hi] (v may be far outside an int).
int floorWithin(double v, int lo, int hi)
{
    return int(std::clamp(std::floor(v), double(lo), double(hi)));
}

int ceilWithin(double v, int lo, int hi)
{
    return int(std::clamp(std::ceil(v), double(lo), double(hi)));
}

// The 8 handles of a region drawn at r (widget coordinates): the edges each
// one moves and its centre. Corners first, so they win ties.
struct Handle {
    Qt::Edges edges;
    QPointF centre;
};

std::array<Handle, 8> handlesOf(const QRectF &r)
{
    const QPointF c = r.center();
    return {{
        {Qt::LeftEdge | Qt::TopEdge, r.topLeft()},
        {Qt::RightEdge | Qt::TopEdge, r.topRight()},
        {Qt::RightEdge | Qt::BottomEdge, r.bottomRight()},
        {Qt::LeftEdge | Qt::BottomEdge, r.bottomLeft()},
        {Qt::TopEdge, {c.x(), r.top()}},
        {Qt::RightEdge, {r.right(), c.y()}},
        {Qt::BottomEdge, {c.x(), r.bottom()}},
        {Qt::LeftEdge, {r.left(), c.y()}},
    }};
}

Qt::CursorShape resizeCursor(Qt::Edges edges)
{
    const bool horizontal = edges.testAnyFlags(Qt::LeftEdge | Qt::RightEdge);
    const bool vertical = edges.testAnyFlags(Qt::TopEdge | Qt::BottomEdge);
    if (horizontal && vertical) {
        const bool falling = edges.testFlag(Qt::LeftEdge) == edges.testFlag(Qt::TopEdge);
        return falling ? Qt::SizeFDiagCursor : Qt::SizeBDiagCursor;
    }
    return horizontal ? Qt::SizeHorCursor : Qt::SizeVerCursor;
}

// Fills a frame width device pixels wide just inside deviceRect; the
// painter draws in device pixels.
void fillFrame(QPainter &painter, const QRect &deviceRect, int width, const QColor &colour)
{
    const QRect r = deviceRect;
    if (r.width() <= 2 * width || r.height() <= 2 * width) {
        painter.fillRect(r, colour); // all frame
        return;
    }
    const int inner = r.height() - 2 * width;
    painter.fillRect(QRect(r.left(), r.top(), r.width(), width), colour);
    painter.fillRect(QRect(r.left(), r.bottom() - width + 1, r.width(), width), colour);
    painter.fillRect(QRect(r.left(), r.top() + width, width, inner), colour);
    painter.fillRect(QRect(r.right() - width + 1, r.top() + width, width, inner), colour);
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

// --- Regions ----------------------------------------------------------------

void ImageView::setTool(Tool tool)
{
    if (tool == tool_)
        return;
    tool_ = tool;
    updateCursor(lastMousePos_);
}

void ImageView::setRegions(std::vector<Region> regions)
{
    regions_ = std::move(regions);
    if (selected_ >= int(regions_.size()))
        selected_ = -1;
    if (isRegionDrag()) {
        if (editIndex_ >= int(regions_.size())) {
            // The region is gone: nothing left to drag or to signal about.
            drag_ = Drag::None;
            dragButton_ = Qt::NoButton;
            editIndex_ = -1;
            dragging_ = false;
        } else if (dragging_) {
            regions_[editIndex_].rect = toCvRect(editRect_);
        } else {
            // Not moved yet: the drag starts from the region as it is now.
            editOriginal_ = editRect_ = toQRect(regions_[editIndex_].rect);
        }
    }
    updateCursor(lastMousePos_);
    update();
}

void ImageView::setSelectedRegion(int index)
{
    const int selected = index >= 0 && index < int(regions_.size()) ? index : -1;
    if (selected == selected_)
        return;
    selected_ = selected;
    updateCursor(lastMousePos_);
    update();
}

void ImageView::setRegionsVisible(bool visible)
{
    if (visible == regionsVisible_)
        return;
    regionsVisible_ = visible;
    if (!visible && isRegionDrag())
        cancelDrag(); // no editing what cannot be seen
    updateCursor(lastMousePos_);
    update();
}

bool ImageView::hasSelection() const
{
    return selected_ >= 0 && selected_ < int(regions_.size());
}

QRectF ImageView::widgetRectOf(const QRect &imageRect) const
{
    const QPointF topLeft(imageRect.x(), imageRect.y());
    const QPointF size(imageRect.width(), imageRect.height());
    return {imageToWidget(topLeft), imageToWidget(topLeft + size)};
}

Qt::Edges ImageView::handleAt(QPointF widgetPos) const
{
    if (!regionsVisible_ || !hasSelection() || imageSize().isEmpty())
        return {};
    // The nearest handle within reach; corners come first and win ties.
    Qt::Edges nearest;
    double nearestDistance = kHandleGrab;
    for (const Handle &handle : handlesOf(widgetRectOf(toQRect(regions_[selected_].rect)))) {
        const QPointF d = widgetPos - handle.centre;
        const double distance = std::max(std::abs(d.x()), std::abs(d.y()));
        if (distance <= nearestDistance && (!nearest || distance < nearestDistance)) {
            nearest = handle.edges;
            nearestDistance = distance;
        }
    }
    return nearest;
}

int ImageView::regionAt(QPointF widgetPos) const
{
    if (!regionsVisible_ || imageSize().isEmpty())
        return -1;
    // The topmost: later regions are applied, and drawn, over earlier ones.
    const QPointF p = widgetToImage(widgetPos);
    for (int i = int(regions_.size()) - 1; i >= 0; --i) {
        const cv::Rect &r = regions_[i].rect;
        if (p.x() >= r.x && p.x() < r.x + double(r.width) && p.y() >= r.y &&
            p.y() < r.y + double(r.height))
            return i;
    }
    return -1;
}

void ImageView::selectByUser(int index)
{
    if (index == selected_ || (index < 0 && !hasSelection()))
        return;
    selected_ = index;
    update();
    emit regionSelected(index);
}

QRect ImageView::rubberBandRect(QPointF widgetPos) const
{
    // The pixels under both ends and between them (see the pixel rule),
    // clipped to the image.
    const QPointF a = pressImagePos_;
    const QPointF b = widgetToImage(widgetPos);
    const QSize size = imageSize();
    const int left = floorWithin(std::min(a.x(), b.x()), 0, size.width());
    const int top = floorWithin(std::min(a.y(), b.y()), 0, size.height());
    const int right = floorWithin(std::max(a.x(), b.x()), -1, size.width() - 1) + 1;
    const int bottom = floorWithin(std::max(a.y(), b.y()), -1, size.height() - 1) + 1;
    if (right <= left || bottom <= top)
        return {};
    return {left, top, right - left, bottom - top};
}

QRect ImageView::editedRect(QPointF widgetPos) const
{
    // Whole image pixels: the pointer's displacement since the press, rounded.
    const QPointF shift = widgetToImage(widgetPos) - pressImagePos_;
    const QSize size = imageSize();
    const QRect r = editOriginal_;
    if (drag_ == Drag::Move) {
        // Within the image; a region larger than the image covers it.
        auto moved = [](int start, int extent, int image, double by) {
            return floorWithin(start + by + 0.5, std::min(0, image - extent),
                               std::max(0, image - extent));
        };
        return {QPoint(moved(r.x(), r.width(), size.width(), shift.x()),
                       moved(r.y(), r.height(), size.height(), shift.y())),
                r.size()};
    }
    // Dragged edges stay within the image and at least a pixel past the
    // fixed ones, which win if the region lies outside the image.
    int left = r.x();
    int top = r.y();
    int right = r.x() + r.width();
    int bottom = r.y() + r.height();
    if (editEdges_.testFlag(Qt::LeftEdge))
        left = std::min(floorWithin(left + shift.x() + 0.5, 0, size.width()), right - 1);
    if (editEdges_.testFlag(Qt::RightEdge))
        right = std::max(floorWithin(right + shift.x() + 0.5, 0, size.width()), left + 1);
    if (editEdges_.testFlag(Qt::TopEdge))
        top = std::min(floorWithin(top + shift.y() + 0.5, 0, size.height()), bottom - 1);
    if (editEdges_.testFlag(Qt::BottomEdge))
        bottom = std::max(floorWithin(bottom + shift.y() + 0.5, 0, size.height()), top + 1);
    return {left, top, right - left, bottom - top};
}

void ImageView::setShownRect(int index, const QRect &imageRect)
{
    editRect_ = imageRect;
    regions_[index].rect = toCvRect(imageRect);
    update();
}

void ImageView::dragRegionTo(QPointF widgetPos, bool finishing)
{
    if (!dragging_) {
        // Until then it is a click.
        if ((widgetPos - pressPos_).manhattanLength() < QApplication::startDragDistance())
            return;
        dragging_ = true;
    }
    if (drag_ == Drag::RubberBand) {
        const QRect band = rubberBandRect(widgetPos);
        if (band != rubberBand_) {
            rubberBand_ = band;
            update();
        }
        return;
    }
    const QRect rect = editedRect(widgetPos);
    if (rect == editRect_)
        return;
    setShownRect(editIndex_, rect);
    if (!finishing) { // the release sends the finished rect itself
        editSignalled_ = true;
        emit regionEdited(editIndex_, rect, false);
    }
}

void ImageView::cancelDrag()
{
    const bool regionDrag = isRegionDrag();
    const int index = editIndex_;
    const bool signalled = editSignalled_;
    drag_ = Drag::None;
    dragButton_ = Qt::NoButton;
    dragging_ = false;
    rubberBand_ = {};
    editIndex_ = -1;
    editSignalled_ = false;
    if (regionDrag)
        setShownRect(index, editOriginal_);
    updateCursor(lastMousePos_);
    update();
    if (regionDrag && signalled)
        emit regionEditCancelled(index);
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

ImageView::Hit ImageView::hitAt(QPointF widgetPos, Qt::MouseButton button) const
{
    if (button == Qt::MiddleButton)
        return {Drag::Pan, -1, {}};
    if (button != Qt::LeftButton)
        return {};
    if (spaceHeld_)
        return {Drag::Pan, -1, {}};
    if (isOverDivider(widgetPos))
        return {Drag::Divider, -1, {}};
    if (const Qt::Edges edges = handleAt(widgetPos))
        return {Drag::Resize, selected_, edges};
    if (const int region = regionAt(widgetPos); region >= 0)
        return {Drag::Move, region, {}};
    if (tool_ == Tool::BlurRegion && !imageSize().isEmpty())
        return {Drag::RubberBand, -1, {}};
    return {};
}

void ImageView::mousePressEvent(QMouseEvent *event)
{
    lastMousePos_ = event->position();
    if (drag_ != Drag::None) {
        event->accept(); // a second button during a drag changes nothing
        return;
    }
    const Hit hit = hitAt(event->position(), event->button());
    if (hit.drag == Drag::None) {
        if (event->button() == Qt::LeftButton)
            selectByUser(-1);
        QWidget::mousePressEvent(event);
        return;
    }
    drag_ = hit.drag;
    dragButton_ = event->button();
    if (drag_ == Drag::Divider)
        setSplitPosition(event->position().x() / std::max(1, width()));
    const bool onRegions = drag_ == Drag::RubberBand || isRegionDrag();
    if (onRegions) {
        pressPos_ = event->position();
        pressImagePos_ = widgetToImage(pressPos_);
        dragging_ = false;
        rubberBand_ = {};
        editIndex_ = hit.region;
        editEdges_ = hit.edges;
        editSignalled_ = false;
        if (editIndex_ >= 0)
            editOriginal_ = editRect_ = toQRect(regions_[editIndex_].rect);
    }
    updateCursor(event->position());
    event->accept();
    if (onRegions) // last: the owner may answer with setRegions
        selectByUser(hit.region);
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
    case Drag::RubberBand:
    case Drag::Move:
    case Drag::Resize:
        dragRegionTo(pos, false);
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
    const Drag ended = drag_;
    if (ended == Drag::RubberBand || isRegionDrag())
        dragRegionTo(event->position(), true);
    const bool drawn = ended == Drag::RubberBand && dragging_ && !rubberBand_.isEmpty();
    const bool edited = isRegionDrag() && (editSignalled_ || editRect_ != editOriginal_);
    const QRect band = rubberBand_;
    const int index = editIndex_;
    const QRect rect = editRect_;
    drag_ = Drag::None;
    dragButton_ = Qt::NoButton;
    dragging_ = false;
    rubberBand_ = {};
    editIndex_ = -1;
    editSignalled_ = false;
    updateCursor(event->position());
    update();
    event->accept();
    // Last: the owner answers with setRegions.
    if (drawn)
        emit regionDrawn(band);
    if (edited)
        emit regionEdited(index, rect, true);
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
    } else if (key == Qt::Key_Escape && (drag_ == Drag::RubberBand || isRegionDrag())) {
        cancelDrag();
    } else if ((key == Qt::Key_Delete || key == Qt::Key_Backspace) && modifiers == Qt::NoModifier &&
               hasSelection() && !isRegionDrag()) {
        emit regionDeleteRequested(selected_);
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
    // During a drag its own cursor, otherwise what a left press would start.
    const Hit hit =
        drag_ == Drag::None ? hitAt(widgetPos, Qt::LeftButton) : Hit{drag_, editIndex_, editEdges_};
    if (drag_ == Drag::Pan)
        setCursor(Qt::ClosedHandCursor);
    else if (spaceHeld_)
        setCursor(Qt::OpenHandCursor);
    else if (hit.drag == Drag::Divider)
        setCursor(Qt::SplitHCursor);
    else if (hit.drag == Drag::Resize)
        setCursor(resizeCursor(hit.edges));
    else if (hit.drag == Drag::Move)
        // A press on another region selects it (and a drag moves it).
        setCursor(drag_ == Drag::Move || hit.region == selected_ ? Qt::SizeAllCursor
                                                                 : Qt::PointingHandCursor);
    else if (hit.drag == Drag::RubberBand)
        setCursor(Qt::CrossCursor);
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

    const int x = qRound(dividerX());
    if (showOriginal_) {
        drawOriginal(imageArea);
    } else if (splitEnabled_) {
        const QRect left = imageArea & QRect(0, 0, x, height());
        const QRect right = imageArea & QRect(x, 0, width() - x, height());
        if (!left.isEmpty())
            drawOriginal(left);
        if (!right.isEmpty())
            drawProcessed(right);
    } else {
        drawProcessed(imageArea);
    }
    painter.setClipping(false);

    // Regions over either side; the divider and labels over them.
    drawRegions(painter);

    // Labels go at the top of the visible part of the image.
    const QRectF shown(imageArea);
    if (showOriginal_) {
        drawLabel(painter, tr("Original"), shown, Qt::AlignLeft);
    } else if (splitEnabled_) {
        drawDivider(painter);
        drawLabel(painter, tr("Original"), QRectF(0, shown.top(), x, shown.height()),
                  Qt::AlignRight);
        drawLabel(painter, tr("Filtered"), QRectF(x, shown.top(), width() - x, shown.height()),
                  Qt::AlignLeft);
    }
}

void ImageView::drawRegions(QPainter &painter) const
{
    // Outlines are whole device pixels, just inside the region's edges: a
    // light line with a dark halo one device pixel either side, readable on
    // any photo, at any zoom and device pixel ratio.
    const qreal dpr = devicePixelRatioF();
    const double zoom = placement().zoom;
    const QRectF widget(rect());
    auto deviceRect = [&](const QRect &imageRect) {
        const QRectF w = widgetRectOf(imageRect);
        auto device = [&](double v) { return floorWithin(v * dpr + 0.5, -kFarDevice, kFarDevice); };
        const int left = device(w.left());
        const int top = device(w.top());
        // At least one device pixel, however far zoomed out.
        const int right = std::max(left + 1, device(w.right()));
        const int bottom = std::max(top + 1, device(w.bottom()));
        return QRect(left, top, right - left, bottom - top);
    };
    auto frame = [&](const QRect &imageRect, int lineWidth, const QColor &line,
                     const QColor &fill) {
        const QRect r = deviceRect(imageRect);
        painter.save();
        painter.scale(1 / dpr, 1 / dpr);
        if (fill.isValid())
            painter.fillRect(r, fill);
        fillFrame(painter, r.adjusted(-1, -1, 1, 1), lineWidth + 2, kHalo);
        fillFrame(painter, r, lineWidth, line);
        painter.restore();
    };

    QFont small = font();
    if (small.pointSizeF() > 0)
        small.setPointSizeF(small.pointSizeF() * 0.8);
    const QFontMetricsF metrics(small);
    auto drawRegion = [&](int index, bool selected) {
        const Region &region = regions_[index];
        const QRect rect = toQRect(region.rect);
        const QRectF w = widgetRectOf(rect);
        const double feather = region.feather * zoom;
        // Far outside the widget: nothing to see, and coordinates the
        // rasterizer would not take.
        const double margin = feather + 16;
        const QRectF bound = widget.adjusted(-margin, -margin, margin, margin);
        if (!w.adjusted(-feather, -feather, feather, feather).intersects(bound))
            return;

        if (region.feather > 0) {
            // The feather's outer limit: every point within feather pixels
            // (Euclidean) of the rectangle, a rounded rectangle.
            const QRectF outer = w.adjusted(-feather, -feather, feather, feather) & bound;
            painter.save();
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setBrush(Qt::NoBrush);
            QPen halo(kHalo, 3);
            halo.setCosmetic(true);
            painter.setPen(halo);
            painter.drawRoundedRect(outer, feather, feather);
            QPen dashes(kOutline, 1, Qt::DashLine);
            dashes.setCosmetic(true);
            painter.setPen(dashes);
            painter.drawRoundedRect(outer, feather, feather);
            painter.restore();
        }

        if (selected)
            frame(rect, 2, kSelected, kSelectedFill);
        else
            frame(rect, 1, kOutline, QColor());

        // The number (index + 1, as in messages) inside the top-left corner,
        // clear of the handle there.
        const QString number = QString::number(index + 1);
        const QPointF inset(kHandleSize / 2 + 2, kHandleSize / 2 + 2);
        const QRectF box(w.topLeft() + inset,
                         QSizeF(metrics.horizontalAdvance(number) + 6, metrics.height()));
        painter.save();
        painter.setClipRect(w & widget);
        painter.fillRect(box, QColor(0, 0, 0, 150));
        painter.setFont(small);
        painter.setPen(selected ? kSelected : QColor(Qt::white));
        painter.drawText(box, Qt::AlignCenter, number);
        painter.restore();

        if (selected) {
            for (const Handle &handle : handlesOf(w)) {
                if (!bound.contains(handle.centre))
                    continue;
                const QRect square(qRound(handle.centre.x()) - kHandleSize / 2,
                                   qRound(handle.centre.y()) - kHandleSize / 2, kHandleSize,
                                   kHandleSize);
                painter.fillRect(square, QColor(0, 0, 0, 200));
                painter.fillRect(square.adjusted(1, 1, -1, -1), Qt::white);
            }
        }
    };

    if (regionsVisible_) {
        // The selected one last, so its handles are on top.
        const int selected = hasSelection() ? selected_ : -1;
        for (int i = 0; i < int(regions_.size()); ++i)
            if (i != selected)
                drawRegion(i, false);
        if (selected >= 0)
            drawRegion(selected, true);
    }
    // What the rubber band would add, as it will be clipped.
    if (drag_ == Drag::RubberBand && !rubberBand_.isEmpty())
        frame(rubberBand_, 1, kOutline, kRubberBandFill);
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
