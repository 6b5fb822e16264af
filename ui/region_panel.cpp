#include "region_panel.h"

#include "parameter_control.h"

#include <QComboBox>
#include <QDataStream>
#include <QDropEvent>
#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMap>
#include <QMimeData>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <functional>

namespace ks {

namespace {

constexpr RegionMethod kAllRegionMethods[] = {RegionMethod::Gaussian, RegionMethod::Pixelate,
                                              RegionMethod::Box};

/// What QAbstractItemModel::mimeData calls the rows it drags.
const QString kItemListFormat = QStringLiteral("application/x-qabstractitemmodeldatalist");

QString methodLabel(RegionMethod method)
{
    switch (method) {
    case RegionMethod::Gaussian:
        return QObject::tr("Gaussian");
    case RegionMethod::Pixelate:
        return QObject::tr("Pixelate");
    case RegionMethod::Box:
        return QObject::tr("Box");
    }
    return {};
}

QString methodHelp(RegionMethod method)
{
    switch (method) {
    case RegionMethod::Gaussian:
        return QObject::tr("Gaussian blur; the strength is its sigma in pixels.");
    case RegionMethod::Pixelate:
        return QObject::tr("Square cells, aligned to the rectangle's top-left corner, each "
                           "replaced by its mean; the strength is the cell size in pixels.");
    case RegionMethod::Box:
        return QObject::tr("Box blur, the mean over a square window; the strength is the "
                           "window's odd size in pixels.");
    }
    return {};
}

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

/// "σ 8", "cell 12", "size 31".
QString strengthText(const Region &region)
{
    switch (region.method) {
    case RegionMethod::Gaussian:
        return QStringLiteral("σ %1").arg(number(region.strength));
    case RegionMethod::Pixelate:
        return QObject::tr("cell %1").arg(number(region.strength));
    case RegionMethod::Box:
        return QObject::tr("size %1").arg(number(region.strength));
    }
    return {};
}

/// "1  Gaussian σ 8 · 120×80 at (40, 30)".
QString rowText(int index, const Region &region)
{
    const cv::Rect &r = region.rect;
    return QStringLiteral("%1  %2 %3 · %4×%5 at (%6, %7)")
        .arg(index + 1)
        .arg(methodLabel(region.method), strengthText(region))
        .arg(r.width)
        .arg(r.height)
        .arg(r.x)
        .arg(r.y);
}

QString rowToolTip(int index, const Region &region)
{
    const cv::Rect &r = region.rect;
    return QObject::tr("Region %1: %2 %3 px, feather %4 px; %5 × %6 px at (%7, %8). "
                       "Regions are blurred in list order.")
        .arg(index + 1)
        .arg(methodLabel(region.method), strengthText(region))
        .arg(region.feather)
        .arg(r.width)
        .arg(r.height)
        .arg(r.x)
        .arg(r.y);
}

/// The descriptor of a method's strength: the first of its parameters.
const ParamDescriptor &strengthDescriptor(RegionMethod method)
{
    return regionParameterDescriptors(method)[0];
}

const ParamDescriptor &featherDescriptor(RegionMethod method)
{
    return regionParameterDescriptors(method)[1];
}

QToolButton *makeToolButton(const QString &name, const QString &text, const QString &toolTip,
                            QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(name);
    button->setText(text);
    button->setToolTip(toolTip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

/// The list, with rows dragged to a new place reported instead of moved: the
/// owner moves the region and shows the result.
class RegionList : public QListWidget {
public:
    explicit RegionList(QWidget *parent) : QListWidget(parent)
    {
        setSelectionMode(QAbstractItemView::SingleSelection);
        setDragEnabled(true);
        setAcceptDrops(true);
        setDragDropMode(QAbstractItemView::DragDrop);
        setDefaultDropAction(Qt::MoveAction);
        setDropIndicatorShown(true);
    }

    /// Called with (from, to) when a row is dropped elsewhere in the list.
    std::function<void(int, int)> rowDropped;
    /// Called when Delete (or Backspace) is pressed in the list.
    std::function<void()> deletePressed;

protected:
    void keyPressEvent(QKeyEvent *event) override
    {
        if ((event->matches(QKeySequence::Delete) || event->key() == Qt::Key_Backspace) &&
            deletePressed) {
            deletePressed();
            return;
        }
        QListWidget::keyPressEvent(event);
    }

    void dropEvent(QDropEvent *event) override
    {
        // Nothing moves here: Ignore also keeps the drag's source from
        // removing the row when the drag ends.
        event->setDropAction(Qt::IgnoreAction);
        event->accept();
        stopAutoScroll();
        setState(NoState);
        viewport()->update();

        const int from = draggedRow(event);
        if (from < 0)
            return;
        const QPoint position = event->position().toPoint();
        const QModelIndex at = indexAt(position);
        int before = count();
        if (at.isValid())
            before = at.row() + (position.y() > visualRect(at).center().y() ? 1 : 0);
        const int to = before > from ? before - 1 : before;
        if (to != from && rowDropped)
            rowDropped(from, to);
    }

private:
    /// The row this list's own drag carries, -1 for anything else.
    int draggedRow(const QDropEvent *event) const
    {
        if (event->source() && event->source() != this)
            return -1;
        QByteArray encoded = event->mimeData()->data(kItemListFormat);
        QDataStream stream(&encoded, QIODevice::ReadOnly);
        int row = -1;
        int column = -1;
        QMap<int, QVariant> roles;
        stream >> row >> column >> roles;
        if (stream.status() != QDataStream::Ok || row < 0 || row >= count() ||
            roles.value(Qt::DisplayRole).toString() != item(row)->text())
            return -1;
        return row;
    }
};

RegionPanel::RegionPanel(QWidget *parent) : QWidget(parent)
{
    for (RegionMethod method : kAllRegionMethods)
        lastStrength_[static_cast<std::size_t>(method)] = strengthDescriptor(method).defaultValue;
    const Region initial;
    lastMethod_ = initial.method;
    lastStrength_[static_cast<std::size_t>(initial.method)] = initial.strength;
    lastFeather_ = initial.feather;

    // Shared sizes, over every method so nothing shifts when it changes.
    const QFontMetrics metrics(font());
    labelWidth_ = metrics.horizontalAdvance(tr("Method"));
    for (RegionMethod method : kAllRegionMethods) {
        for (const ParamDescriptor &d : regionParameterDescriptors(method)) {
            labelWidth_ =
                std::max(labelWidth_, metrics.horizontalAdvance(ParameterControl::labelText(d)));
            spinWidth_ = std::max(spinWidth_, ParameterControl::spinBoxWidthHint(d));
        }
    }

    // ---- The list and its buttons
    list_ = new RegionList(this);
    list_->setObjectName(QStringLiteral("regions"));
    list_->setToolTip(tr("Blur regions, applied from top to bottom. Drag a row to reorder."));

    up_ = makeToolButton(QStringLiteral("up"), tr("Up"),
                         tr("Move the selected region up: blurred earlier"), this);
    qobject_cast<QToolButton *>(up_)->setArrowType(Qt::UpArrow);
    down_ = makeToolButton(QStringLiteral("down"), tr("Down"),
                           tr("Move the selected region down: blurred later"), this);
    qobject_cast<QToolButton *>(down_)->setArrowType(Qt::DownArrow);
    remove_ = makeToolButton(QStringLiteral("remove"), tr("Remove"),
                             tr("Remove the selected region (Delete)"), this);
    clear_ = new QPushButton(tr("Clear regions"), this);
    clear_->setObjectName(QStringLiteral("clear"));
    clear_->setToolTip(tr("Remove every region"));
    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    buttons->addWidget(up_);
    buttons->addWidget(down_);
    buttons->addWidget(remove_);
    buttons->addStretch(1);
    buttons->addWidget(clear_);

    // ---- The selected region's editor, or a hint
    hint_ = new QLabel(this);
    hint_->setObjectName(QStringLiteral("hint"));
    hint_->setWordWrap(true);
    hint_->setAlignment(Qt::AlignCenter);
    hint_->setEnabled(false);

    editor_ = new QWidget(this);
    auto *editorGrid = makeParameterGrid(editor_);
    editorGrid->setContentsMargins(0, 0, 0, 0);
    editorGrid->setColumnMinimumWidth(0, labelWidth_);
    methodBox_ = new QComboBox(editor_);
    methodBox_->setObjectName(QStringLiteral("method"));
    for (RegionMethod method : kAllRegionMethods) {
        methodBox_->addItem(methodLabel(method), static_cast<int>(method));
        methodBox_->setItemData(methodBox_->count() - 1, methodHelp(method), Qt::ToolTipRole);
    }
    methodBox_->setToolTip(tr("How the selected region is blurred."));
    auto *methodLabelWidget = new QLabel(tr("Method"), editor_);
    methodLabelWidget->setBuddy(methodBox_);
    editorGrid->addWidget(methodLabelWidget, 0, 0);
    editorGrid->addWidget(methodBox_, 0, 1, 1, 3);
    controlsHost_ = new QWidget(editor_);
    auto *hostLayout = new QVBoxLayout(controlsHost_);
    hostLayout->setContentsMargins(0, 0, 0, 0);
    editorGrid->addWidget(controlsHost_, 1, 0, 1, 4);

    pages_ = new QStackedWidget(this);
    pages_->addWidget(hint_);
    pages_->addWidget(editor_);

    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(6, 6, 6, 6);
    column->setSpacing(6);
    column->addWidget(list_, 1);
    column->addLayout(buttons);
    column->addWidget(pages_);

    list_->rowDropped = [this](int from, int to) { emit moveRequested(from, to); };
    connect(list_, &QListWidget::itemSelectionChanged, this, &RegionPanel::rowSelected);
    list_->deletePressed = [this] {
        if (selected_ >= 0)
            emit removeRequested(selected_);
    };
    connect(up_, &QAbstractButton::clicked, this, [this] { requestMove(selected_ - 1); });
    connect(down_, &QAbstractButton::clicked, this, [this] { requestMove(selected_ + 1); });
    connect(remove_, &QAbstractButton::clicked, this, [this] {
        if (selected_ >= 0)
            emit removeRequested(selected_);
    });
    connect(clear_, &QAbstractButton::clicked, this, &RegionPanel::clearRequested);
    connect(methodBox_, &QComboBox::currentIndexChanged, this, &RegionPanel::methodChosen);

    buildControls(initial.method);
    showRows();
}

RegionPanel::~RegionPanel() = default;

QListWidget *RegionPanel::list() const
{
    return list_;
}

QString RegionPanel::hint() const
{
    return pages_->currentWidget() == hint_ ? hint_->text() : QString();
}

Region RegionPanel::newRegionTemplate() const
{
    Region region;
    region.method = lastMethod_;
    region.strength = lastStrength_[static_cast<std::size_t>(lastMethod_)];
    region.feather = lastFeather_;
    return region;
}

// ------------------------------------------------------------------- showing

void RegionPanel::setRegions(const std::vector<Region> &regions)
{
    regions_ = regions;
    if (selected_ >= static_cast<int>(regions_.size()))
        selected_ = -1;
    showRows();
}

void RegionPanel::setSelected(int index)
{
    selected_ = index >= 0 && index < static_cast<int>(regions_.size()) ? index : -1;
    showRows();
}

void RegionPanel::showRows()
{
    {
        const QSignalBlocker blocker(list_);
        const int count = static_cast<int>(regions_.size());
        // Rows are updated in place, so that a region edited many times a
        // second (a slider drag) does not reset the list's scroll position.
        while (list_->count() > count)
            delete list_->takeItem(list_->count() - 1);
        while (list_->count() < count)
            list_->addItem(QString());
        for (int i = 0; i < count; ++i) {
            QListWidgetItem *item = list_->item(i);
            item->setText(rowText(i, regions_[static_cast<std::size_t>(i)]));
            item->setToolTip(rowToolTip(i, regions_[static_cast<std::size_t>(i)]));
        }
        if (selected_ >= 0) {
            list_->setCurrentRow(selected_, QItemSelectionModel::ClearAndSelect);
            list_->scrollToItem(list_->item(selected_));
        } else {
            list_->clearSelection();
            list_->setCurrentItem(nullptr);
        }
    }
    showEditor();
    updateButtons();
}

void RegionPanel::showEditor()
{
    if (regions_.empty() || selected_ < 0) {
        hint_->setText(regions_.empty() ? tr("Press B and drag on the image to blur a region.")
                                        : tr("Select a region to edit its blur."));
        pages_->setCurrentWidget(hint_);
        return;
    }
    const Region &region = regions_[static_cast<std::size_t>(selected_)];
    {
        const QSignalBlocker blocker(methodBox_);
        methodBox_->setCurrentIndex(methodBox_->findData(static_cast<int>(region.method)));
    }
    if (strength_->descriptor().key != strengthDescriptor(region.method).key)
        buildControls(region.method);
    strength_->setValue(region.strength);
    feather_->setValue(region.feather);
    pages_->setCurrentWidget(editor_);
}

void RegionPanel::buildControls(RegionMethod method)
{
    if (controls_) {
        // Detached now, deleted later: this may run inside a signal of one
        // of these controls.
        controls_->setParent(nullptr);
        controls_->deleteLater();
    }
    controls_ = new QWidget(controlsHost_);
    controlsHost_->layout()->addWidget(controls_);
    auto *layout = new QVBoxLayout(controls_);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    strength_ = new ParameterControl(strengthDescriptor(method), controls_);
    feather_ = new ParameterControl(featherDescriptor(method), controls_);
    for (ParameterControl *control : {strength_, feather_}) {
        control->setColumnWidths(labelWidth_, spinWidth_);
        layout->addWidget(control);
        connect(control, &ParameterControl::valueEdited, this,
                [this, key = control->key()](double value, bool dragging) {
                    valueEdited(key, value, dragging);
                });
    }
}

void RegionPanel::updateButtons()
{
    const int count = static_cast<int>(regions_.size());
    up_->setEnabled(selected_ > 0);
    down_->setEnabled(selected_ >= 0 && selected_ < count - 1);
    remove_->setEnabled(selected_ >= 0);
    clear_->setEnabled(count > 0);
}

// ------------------------------------------------------------------- editing

void RegionPanel::rowSelected()
{
    const QList<QListWidgetItem *> items = list_->selectedItems();
    const int index = items.isEmpty() ? -1 : list_->row(items.first());
    if (index == selected_)
        return;
    selected_ = index;
    showEditor();
    updateButtons();
    emit selectionChanged(index);
}

void RegionPanel::methodChosen(int index)
{
    if (selected_ < 0)
        return;
    const auto method = static_cast<RegionMethod>(methodBox_->itemData(index).toInt());
    Region &region = regions_[static_cast<std::size_t>(selected_)];
    if (method == region.method)
        return;
    lastStrength_[static_cast<std::size_t>(region.method)] = region.strength;
    region.method = method;
    region.strength = lastStrength_[static_cast<std::size_t>(method)];
    lastMethod_ = method;
    buildControls(method);
    strength_->setValue(region.strength);
    feather_->setValue(region.feather);
    emitEdited(QStringLiteral("method"), false);
}

void RegionPanel::valueEdited(const QString &key, double value, bool dragging)
{
    if (selected_ < 0)
        return;
    Region &region = regions_[static_cast<std::size_t>(selected_)];
    if (key == QStringLiteral("feather")) {
        region.feather = static_cast<int>(std::lround(value));
        lastFeather_ = region.feather;
    } else {
        region.strength = value;
        lastMethod_ = region.method;
        lastStrength_[static_cast<std::size_t>(region.method)] = value;
    }
    emitEdited(key, dragging);
}

void RegionPanel::emitEdited(const QString &key, bool dragging)
{
    const int index = selected_;
    // A copy: the owner may answer with setRegions before this returns.
    const Region region = regions_[static_cast<std::size_t>(index)];
    QListWidgetItem *item = list_->item(index);
    item->setText(rowText(index, region));
    item->setToolTip(rowToolTip(index, region));
    emit regionEdited(index, region, key, dragging);
}

void RegionPanel::requestMove(int to)
{
    if (selected_ < 0 || to < 0 || to >= static_cast<int>(regions_.size()))
        return;
    emit moveRequested(selected_, to);
}

} // namespace ks
