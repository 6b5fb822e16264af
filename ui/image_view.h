// The image view: zoom, pan, a before/after comparison of the source image
// with the filtered result, and the blur regions drawn over them.
#pragma once

#include "core/region_blur.h"

#include <QImage>
#include <QPointF>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <QWidget>

#include <vector>

class QPainter;

namespace ks {

namespace detail {

/// Pixels that cover a rectangle of image coordinates (the whole image for
/// the original or a reduced preview, a region for an exact patch), with the
/// caches that make drawing them cheap at any zoom. GUI thread only.
class ImageLayer {
public:
    ImageLayer() = default;
    /// pixels are stretched over coverage (image coordinates); the layer's
    /// scale is pixels.size() / coverage.size() on each axis.
    ImageLayer(const QImage &pixels, const QRectF &coverage);

    bool isNull() const { return pixels_.isNull(); }
    const QImage &pixels() const { return pixels_; }
    const QRectF &coverage() const { return coverage_; }

    /// Draws the layer where image point p lands at offset + p * zoom
    /// (widget coordinates), through the painter's clip. viewport is the part
    /// of the widget that can be visible; caches are sized for it, not the
    /// clip, so the two sides of a split share one cache.
    ///
    /// A full-resolution layer at zoom >= 1 samples the nearest pixel from
    /// the visible source rectangle only. Formats the raster engine cannot
    /// scale directly (all but RGB32 and ARGB32_Premultiplied) are converted
    /// once for the visible part plus a margin rather than on every paint.
    /// Otherwise (zoom < 1, or a reduced preview at any zoom) it draws a
    /// cached smooth rescale of the visible part (plus a margin), reductions
    /// area-averaged from a mipmap level at most twice the size. Caches are
    /// rebuilt only when the zoom, the device pixel ratio, or a pan past the
    /// margin asks for other pixels.
    void draw(QPainter &painter, double zoom, QPointF offset, const QRectF &viewport);

private:
    void drawCrisp(QPainter &painter, double zoom, QPointF offset, const QRectF &viewport);
    void drawSmooth(QPainter &painter, double zoom, QPointF offset, const QRectF &viewport);
    const QImage &level(int index);

    // What tile_ holds: part of a mipmap level scaled to tileZoom_, or part
    // of pixels_ converted for enlarging.
    static constexpr int kNoTile = -1;
    static constexpr int kConvertedTile = -2;

    QImage pixels_;
    QRectF coverage_;
    std::vector<QImage> levels_; // levels_[k]: pixels_ halved k times; built on demand
    QImage tile_;
    QRect tileSource_; // the part, in pixels of level tileLevel_ (of pixels_ if converted)
    int tileLevel_ = kNoTile;
    double tileZoom_ = 0; // device pixels per image unit
};

} // namespace detail

/// Shows a source image and its filtered version on a dark neutral
/// background, with zoom, pan and a before/after comparison. GUI thread only.
///
/// Image coordinates are the source's pixels: (0, 0) is the top-left corner
/// of the top-left pixel, (x + 0.5, y + 0.5) the centre of pixel (x, y).
/// Widget coordinates are logical (device-independent) pixels. zoom is widget
/// pixels per image pixel: 1 is "100 %", which is two device pixels per image
/// pixel on a 2x screen.
///
/// Mouse and keys:
///   wheel                     zoom in steps of 2^(1/4), keeping the point under the cursor
///   Ctrl+= / Ctrl++, Ctrl+-   zoom in / out about the centre (also QKeySequence::ZoomIn/Out)
///   Ctrl+0, Ctrl+1            fit to window, 100 %
///   middle drag, Space+drag   pan (open hand while Space is held, closed while dragging)
///   drag the divider          move the before/after split
///   \ (backslash), held       show the original over the whole image
///   left press on a region    select it (the topmost, last in list order); drag to move it
///   drag a selected handle    resize the selected region
///   left drag, BlurRegion     draw a new region (rubber band)
///   left press elsewhere      deselect (Navigate tool)
///   Esc                       cancel a rubber band, move or resize in progress
///   Delete, Backspace         ask to delete the selected region
/// Keys reach the view only while it has focus, and only if no window
/// shortcut takes them first; the slots do the same from menu actions.
///
/// Zoom ranges over [kMinZoom, kMaxZoom]. In fit mode (the initial state)
/// the whole image is fitted and centred, enlarged too, and refitted on every
/// resize; any zoom or pan that moves the image leaves fit mode. An image
/// smaller than the widget on an axis is centred on that axis; a larger one
/// always covers the widget on it (panning stops at its edges).
///
/// Drawing: crisp nearest-neighbour pixels at zoom >= 1, area-averaged
/// reduction below 1; a reduced quick preview is enlarged smoothly at any
/// zoom, as its pixels are not the image's. Only the visible part is ever
/// drawn or scaled.
///
/// Regions: the view shows the document's blur regions and reports gestures
/// on them (regionDrawn, regionSelected, regionEdited, ...); it never changes
/// the document. Outlines are drawn in both tools, over the original, the
/// result and the split alike. A left press becomes a drag once the pointer
/// has moved QApplication::startDragDistance() widget pixels (Manhattan
/// length) from the press; before that a release is a click, which selects
/// or deselects but never draws or edits. Priority of a left press: Space
/// (pan), the divider within its grab margin, a handle of the selected
/// region, the body of the topmost region, then the tool (BlurRegion draws,
/// Navigate deselects). Cursors say which: a cross for drawing, size arrows
/// over handles, a move cursor over the selected region, a pointing hand
/// over another one. Handles are 8-pixel squares grabbed within 6 widget
/// pixels of their centre at any zoom (the nearest wins, corners on ties).
///
/// Pixel rule: a drag from image point a to image point b spans the pixels
/// under a and under b and every pixel between them, i.e. columns
/// floor(min(a.x, b.x)) to floor(max(a.x, b.x)) inclusive (rows alike), then
/// clipped to the image; a point on a pixel edge belongs to the pixel right
/// of (below) it. A drag from the middle of pixel (2, 3) to the middle of
/// (5, 7) gives QRect(2, 3, 4, 5). Moves and resizes shift by whole pixels:
/// the pointer's image displacement since the press, rounded.
class ImageView : public QWidget {
    Q_OBJECT

public:
    /// Colour of the area around the image.
    static constexpr QRgb kBackground = qRgb(0x2b, 0x2b, 0x2b);
    static constexpr double kMinZoom = 1.0 / 64;
    static constexpr double kMaxZoom = 64;
    /// One zoom step (wheel notch, zoomIn): 2^(1/4).
    static constexpr int kStepsPerDoubling = 4;

    /// What a left drag on empty image area does.
    enum class Tool {
        Navigate,   ///< nothing: a press there deselects
        BlurRegion, ///< draws a new region (cross cursor over the view)
    };

    explicit ImageView(QWidget *parent = nullptr);

    /// The source image; it defines image coordinates (imageSize() is its
    /// size). Replacing it by one of the same size keeps the zoom, pan and
    /// processed image (until a new one arrives); another size clears the
    /// processed image and patches and returns to fit mode.
    void setOriginal(const QImage &original);
    /// The filtered result over the whole image, computed at scale
    /// (processed.width() ~= imageSize().width() * scale); it is stretched to
    /// exactly cover the image, as cv::resize maps whole images. Drops all
    /// patches. A null image shows the original instead. Without an original,
    /// imageSize() becomes processed.size() / scale.
    void setProcessed(const QImage &processed, double scale = 1.0);
    /// Exact pixels (scale 1) for imageRect (image coordinates), drawn over
    /// the processed image until the next setProcessed. Patches that the new
    /// one covers entirely are dropped.
    void setProcessedPatch(const QImage &patch, const QRect &imageRect);
    /// Original and processed both set to image.
    void setImage(const QImage &image);

    /// The processed image if it is at full resolution (or there is no
    /// original), else the original: with an original set, its size is
    /// imageSize(). Patches are not included.
    const QImage &image() const;
    QSize imageSize() const;

    /// Where the whole image is drawn at the current zoom and pan, in widget
    /// pixels (edges rounded); may extend beyond the widget. Empty without
    /// an image.
    QRect imageRect() const;

    double zoom() const;
    bool isFitToWindow() const { return fit_; }
    /// Sets the zoom (clamped to [kMinZoom, kMaxZoom]) keeping the image point
    /// under anchorWidgetPos where it is (as far as the pan limits allow),
    /// and leaves fit mode.
    void setZoom(double zoom, QPointF anchorWidgetPos);

    QPointF widgetToImage(QPointF widgetPos) const;
    QPointF imageToWidget(QPointF imagePos) const;
    /// The part of the image inside the widget, in image coordinates.
    QRectF visibleImageRect() const;

    /// Before/after comparison: left of a vertical divider the original,
    /// right of it the processed image, each labelled at the top. The
    /// position is a fraction of the widget's width, clamped to [0, 1];
    /// the user drags the divider to change it. Off by default, at 0.5.
    void setSplitEnabled(bool enabled);
    bool isSplitEnabled() const { return splitEnabled_; }
    void setSplitPosition(double fraction);
    double splitPosition() const { return splitPosition_; }

    /// Shows the original over the whole image (what holding '\' does).
    void setShowOriginal(bool show);
    bool isShowingOriginal() const { return showOriginal_; }

    /// Navigate by default. Changing it does not end a drag in progress.
    void setTool(Tool tool);
    Tool tool() const { return tool_; }

    /// The document's regions, in list order (later ones are drawn and hit
    /// on top, as they are applied over earlier ones). Each is outlined
    /// (a 1-device-pixel light line with a dark halo), its feather as a
    /// dashed rounded outline, its number (index + 1) in its top-left
    /// corner. A drag on a region survives this call as long as its index
    /// still exists (it ends silently otherwise); the dragged region keeps
    /// the drag's rect. A selection beyond the new list becomes -1, without
    /// a signal.
    void setRegions(std::vector<Region> regions);
    /// The regions as drawn: the last setRegions, except that the region a
    /// drag edits shows the drag's rect (during it, and after its release or
    /// cancel until the next setRegions).
    const std::vector<Region> &regions() const { return regions_; }
    /// The highlighted region, drawn with 8 handles (corners and edge
    /// midpoints); -1 (or any index outside the list) for none. Sets, does
    /// not signal.
    int selectedRegion() const { return selected_; }
    void setSelectedRegion(int index);
    /// Hides or shows the outlines (on by default); hidden regions cannot be
    /// selected, moved or resized in the view. Drawing new ones still works.
    void setRegionsVisible(bool visible);
    bool areRegionsVisible() const { return regionsVisible_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    /// One step (2^(1/4)) up or down the zoom ladder, about the widget's centre.
    void zoomIn();
    void zoomOut();
    void fitToWindow();
    /// Zoom 1, about the widget's centre.
    void zoomToActualSize();

signals:
    /// On every mouse move: the image pixel under the cursor (floor of its
    /// image coordinates) and whether it lies inside the image. Leaving the
    /// widget sends the last position with insideImage false.
    void cursorMoved(QPoint imagePos, bool insideImage);
    /// The zoom changed (also when fit mode refits on a resize).
    void zoomChanged(double zoom);
    /// The view changed (zoom, pan, resize, image size): the widget's size in
    /// device pixels and visibleImageRect().
    void viewportChanged(QSize viewPixels, QRectF visibleImageRect);

    /// A rubber band drag ended: imageRect (image pixels, clipped to the
    /// image, at least 1x1; see the pixel rule) should become a new region.
    /// Not sent for a click, a drag that ends outside the image on the same
    /// side, or a drag cancelled with Esc.
    void regionDrawn(QRect imageRect);
    /// A press changed the selection: index is the pressed region, or -1 for
    /// a press on empty area (which in the BlurRegion tool also starts a
    /// rubber band). The view already shows it selected.
    void regionSelected(int index);
    /// A drag on region index moved or resized it to imageRect. Sent with
    /// finished false on every move that changes the rect, then once with
    /// finished true on release if anything was sent or the rect differs
    /// from the one at the press (so every run of live edits is closed,
    /// by this or by regionEditCancelled; a click sends nothing). A move keeps the size and stays
    /// within the image (a region larger than the image covers it on that axis); a resize keeps the
    /// opposite edges fixed, keeps the dragged edges within the image and
    /// at least one pixel past the fixed ones (never flips).
    void regionEdited(int index, QRect imageRect, bool finished);
    /// Esc ended the drag on region index after it had sent regionEdited:
    /// the owner should restore the rect the region had before the drag,
    /// which the view already draws. No finished regionEdited follows.
    void regionEditCancelled(int index);
    /// Delete or Backspace on the view with region index selected.
    void regionDeleteRequested(int index);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    // Where the image lands: image point p is drawn at offset + p * zoom.
    struct Placement {
        double zoom = 1;
        QPointF offset;
    };
    // What a left-button or middle-button press started.
    enum class Drag { None, Pan, Divider, RubberBand, Move, Resize };
    // What a left press at a point would start: the drag, the region it
    // grabs (Move, Resize) and the edges a Resize moves.
    struct Hit {
        Drag drag = Drag::None;
        int region = -1;
        Qt::Edges edges;
    };

    Placement placement() const;
    Placement fittedPlacement() const;
    QPointF clampedOffset(QPointF offset, double zoom) const;
    void place(double zoom, QPointF offset);
    void stepZoom(int steps, QPointF anchorWidgetPos);
    void panBy(QPointF widgetDelta);
    void imagesChanged(QSize oldSize);
    void notifyViewChanged();

    Hit hitAt(QPointF widgetPos, Qt::MouseButton button) const;
    double dividerX() const;
    bool isOverDivider(QPointF widgetPos) const;
    void updateCursor(QPointF widgetPos);
    void drawLabel(QPainter &painter, const QString &text, const QRectF &side,
                   Qt::Alignment edge) const;
    void drawDivider(QPainter &painter) const;

    bool isRegionDrag() const { return drag_ == Drag::Move || drag_ == Drag::Resize; }
    bool hasSelection() const;
    QRectF widgetRectOf(const QRect &imageRect) const;
    Qt::Edges handleAt(QPointF widgetPos) const;
    int regionAt(QPointF widgetPos) const;
    void selectByUser(int index);
    void dragRegionTo(QPointF widgetPos, bool finishing);
    QRect rubberBandRect(QPointF widgetPos) const;
    QRect editedRect(QPointF widgetPos) const;
    void setShownRect(int index, const QRect &imageRect);
    void cancelDrag();
    void drawRegions(QPainter &painter) const;

    detail::ImageLayer original_;
    detail::ImageLayer processed_;
    std::vector<detail::ImageLayer> patches_; // drawn in order over processed_
    QSize derivedImageSize_;                  // imageSize() while there is no original

    bool fit_ = true;
    Placement manual_; // the placement outside fit mode

    bool splitEnabled_ = false;
    double splitPosition_ = 0.5;
    bool showOriginal_ = false;

    Drag drag_ = Drag::None;
    Qt::MouseButton dragButton_ = Qt::NoButton;
    QPointF lastMousePos_;
    bool spaceHeld_ = false;
    bool originalKeyHeld_ = false; // showOriginal_ was set by holding '\'
    int wheelRemainder_ = 0;       // eighths of a degree not yet turned into a zoom step
    QPoint lastCursorPixel_;

    Tool tool_ = Tool::Navigate;
    std::vector<Region> regions_;
    int selected_ = -1;
    bool regionsVisible_ = true;
    // The left drag in progress (RubberBand, Move, Resize): where it was
    // pressed, in widget and image coordinates, and whether the pointer has
    // gone far enough for a drag rather than a click.
    QPointF pressPos_;
    QPointF pressImagePos_;
    bool dragging_ = false;
    QRect rubberBand_;   // what the rubber band would add (image pixels)
    int editIndex_ = -1; // Move, Resize: the region, its rect at the press, now
    QRect editOriginal_;
    QRect editRect_;
    Qt::Edges editEdges_;
    bool editSignalled_ = false; // regionEdited was sent during this drag

    // Last values signalled, so signals fire on change only.
    double signalledZoom_ = 0;
    QSize signalledViewPixels_;
    QRectF signalledVisible_;
};

} // namespace ks
