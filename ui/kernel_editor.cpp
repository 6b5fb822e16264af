#include "kernel_editor.h"

#include "core/errors.h"
#include "core/kernel_io.h"
#include "core/parameters.h"

#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollBar>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ks {

namespace {

// Rows of the grid shown before it scrolls: a 3 x 3 or 7 x 7 kernel is seen
// whole, a large one does not push the rest of the panel out of the dock.
constexpr int kVisibleRows = 8;
constexpr int kMinColumnWidth = 48;

const QString kErrorStyle = QStringLiteral("color: #c62828;");

/// The shortest text that reads back to the same double.
QString numberText(double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QString::fromLatin1(buffer, static_cast<qsizetype>(result.ptr - buffer));
}

struct Cell {
    double value = 0;
    QString problem; ///< empty when value is a finite number
};

/// A cell's text as a tap: C-locale number, surrounding blanks ignored.
Cell parseCell(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {0, QStringLiteral("is empty")};
    bool ok = false;
    const double value = QLocale::c().toDouble(trimmed, &ok);
    const QString quoted = QStringLiteral("'%1'").arg(trimmed);
    if (!ok && std::isinf(value))
        return {0, quoted + QStringLiteral(" is out of the range of double precision")};
    if (!ok)
        return {0, quoted + QStringLiteral(" is not a number")};
    if (!std::isfinite(value))
        return {0, quoted + QStringLiteral(" is not a finite number")};
    return {value, {}};
}

QString offsetLabel(int offset)
{
    return offset > 0 ? QStringLiteral("+%1").arg(offset) : QString::number(offset);
}

void showMessage(QLabel *label, const QString &text, bool isError)
{
    label->setText(text);
    label->setStyleSheet(isError ? kErrorStyle : QString());
}

} // namespace

KernelEditor::KernelEditor(QWidget *parent)
    : QWidget(parent), rowsBox_(new QSpinBox(this)), colsBox_(new QSpinBox(this)),
      textToggle_(new QToolButton(this)), table_(new QTableWidget(this)), status_(new QLabel(this)),
      textArea_(new QWidget(this)), text_(new QPlainTextEdit(textArea_)),
      textStatus_(new QLabel(textArea_)), applyText_(new QPushButton(tr("Apply"), textArea_))
{
    for (QSpinBox *box : {rowsBox_, colsBox_}) {
        box->setRange(1, kMaxCustomSize);
        // Resizing a kernel rebuilds the grid: only once the number is typed.
        box->setKeyboardTracking(false);
        box->setAlignment(Qt::AlignRight);
    }
    rowsBox_->setObjectName(QStringLiteral("rows"));
    colsBox_->setObjectName(QStringLiteral("cols"));
    rowsBox_->setToolTip(tr("Rows of the kernel (1 to %1); the taps around the anchor stay "
                            "in place, new taps are 0.")
                             .arg(kMaxCustomSize));
    colsBox_->setToolTip(tr("Columns of the kernel (1 to %1); the taps around the anchor stay "
                            "in place, new taps are 0.")
                             .arg(kMaxCustomSize));

    textToggle_->setObjectName(QStringLiteral("pasteToggle"));
    textToggle_->setText(tr("Paste text"));
    textToggle_->setCheckable(true);
    textToggle_->setAutoRaise(true);
    textToggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    textToggle_->setArrowType(Qt::RightArrow);
    textToggle_->setToolTip(tr("Type or paste the kernel as text: CSV or whitespace-separated "
                               "rows."));

    table_->setObjectName(QStringLiteral("taps"));
    table_->setToolTip(tr("Kernel taps, correlated with the image (no flip). Headers are "
                          "offsets from the anchor, shown bold."));
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->horizontalHeader()->setMinimumSectionSize(kMinColumnWidth);
    table_->horizontalHeader()->setHighlightSections(false);
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    table_->verticalHeader()->setHighlightSections(false);
    table_->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    table_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::AnyKeyPressed);

    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);

    text_->setObjectName(QStringLiteral("text"));
    text_->setPlaceholderText(tr("One row per line, values separated by commas or spaces; "
                                 "# starts a comment."));
    text_->setTabChangesFocus(true);
    text_->setFixedHeight(text_->fontMetrics().lineSpacing() * 4 + 2 * text_->frameWidth() + 8);
    textStatus_->setObjectName(QStringLiteral("textStatus"));
    textStatus_->setWordWrap(true);
    applyText_->setObjectName(QStringLiteral("applyText"));
    applyText_->setEnabled(false);
    applyText_->setToolTip(tr("Replace the grid with the kernel in the text (Ctrl+Return)."));

    auto *sizeRow = new QHBoxLayout;
    sizeRow->setSpacing(4);
    auto *sizeLabel = new QLabel(tr("Size"), this);
    sizeRow->addWidget(sizeLabel);
    sizeRow->addWidget(rowsBox_);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(colsBox_);
    sizeRow->addStretch(1);
    sizeRow->addWidget(textToggle_);

    auto *textLayout = new QGridLayout(textArea_);
    textLayout->setContentsMargins(0, 0, 0, 0);
    textLayout->setSpacing(4);
    textLayout->addWidget(text_, 0, 0, 1, 2);
    textLayout->addWidget(textStatus_, 1, 0, Qt::AlignTop);
    textLayout->addWidget(applyText_, 1, 1, Qt::AlignTop);
    textLayout->setColumnStretch(0, 1);
    textArea_->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(sizeRow);
    layout->addWidget(table_);
    layout->addWidget(status_);
    layout->addWidget(textArea_);

    connect(rowsBox_, &QSpinBox::valueChanged, this, &KernelEditor::resizeKernel);
    connect(colsBox_, &QSpinBox::valueChanged, this, &KernelEditor::resizeKernel);
    connect(table_, &QTableWidget::itemChanged, this, &KernelEditor::cellEdited);
    connect(textToggle_, &QToolButton::toggled, this, [this](bool open) {
        textToggle_->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        textArea_->setVisible(open);
    });
    connect(text_, &QPlainTextEdit::textChanged, this, &KernelEditor::textEdited);
    connect(applyText_, &QPushButton::clicked, this, &KernelEditor::applyText);
    auto *applyShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), text_);
    applyShortcut->setContext(Qt::WidgetShortcut);
    connect(applyShortcut, &QShortcut::activated, this, &KernelEditor::applyText);

    setKernel(CustomSpec{});
}

void KernelEditor::setKernel(const CustomSpec &spec)
{
    const int rows = std::clamp(spec.rows, 1, kMaxCustomSize);
    const int cols = std::clamp(spec.cols, 1, kMaxCustomSize);
    std::vector<QString> texts(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
    for (std::size_t i = 0; i < texts.size() && i < spec.values.size(); ++i)
        texts[i] = numberText(spec.values[i]);
    normalize_ = spec.normalize;
    fillTable(rows, cols, texts);
    showMessage(textStatus_, QString(), false);
    refresh(Emit::No);
}

void KernelEditor::setNormalize(bool normalize)
{
    normalize_ = normalize;
    refresh(Emit::No);
}

void KernelEditor::setText(const QString &text)
{
    textToggle_->setChecked(true);
    text_->setPlainText(text);
    applyText();
}

QString KernelEditor::textMessage() const
{
    return textStatus_->text();
}

QString KernelEditor::statusMessage() const
{
    return status_->text();
}

void KernelEditor::fillTable(int rows, int cols, const std::vector<QString> &texts)
{
    {
        const QSignalBlocker tableBlocker(table_);
        const QSignalBlocker rowsBlocker(rowsBox_);
        const QSignalBlocker colsBlocker(colsBox_);
        rowsBox_->setValue(rows);
        colsBox_->setValue(cols);

        table_->setUpdatesEnabled(false);
        table_->clearContents();
        table_->setRowCount(rows);
        table_->setColumnCount(cols);
        QStringList columnLabels;
        for (int c = 0; c < cols; ++c)
            columnLabels << offsetLabel(c - cols / 2);
        QStringList rowLabels;
        for (int r = 0; r < rows; ++r)
            rowLabels << offsetLabel(r - rows / 2);
        table_->setHorizontalHeaderLabels(columnLabels);
        table_->setVerticalHeaderLabels(rowLabels);

        QFont anchorFont = table_->font();
        anchorFont.setBold(true);
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < cols; ++c) {
                const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                                      static_cast<std::size_t>(c);
                auto *item = new QTableWidgetItem(texts[i]);
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                if (r == rows / 2 && c == cols / 2)
                    item->setFont(anchorFont);
                table_->setItem(r, c, item);
                showCellProblem(item);
            }
        }
        table_->setUpdatesEnabled(true);
    }
    fitTableHeight();
}

void KernelEditor::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTableHeight(); // whether the columns need a scroll bar depends on the width
}

void KernelEditor::fitTableHeight()
{
    const int rowHeight = table_->verticalHeader()->defaultSectionSize();
    const int visibleRows = std::min(table_->rowCount(), kVisibleRows);
    // Room for a horizontal scroll bar when the columns cannot stretch to fit.
    int available =
        width() - table_->verticalHeader()->sizeHint().width() - 2 * table_->frameWidth();
    if (table_->rowCount() > visibleRows)
        available -= table_->verticalScrollBar()->sizeHint().width();
    const bool mayScroll = table_->columnCount() * kMinColumnWidth > available;
    int height = table_->horizontalHeader()->sizeHint().height() + visibleRows * rowHeight +
                 2 * table_->frameWidth();
    if (mayScroll)
        height += table_->horizontalScrollBar()->sizeHint().height();
    table_->setFixedHeight(height);
}

void KernelEditor::resizeKernel()
{
    const int oldRows = table_->rowCount();
    const int oldCols = table_->columnCount();
    const int rows = rowsBox_->value();
    const int cols = colsBox_->value();
    if (rows == oldRows && cols == oldCols)
        return;
    // Keep every tap at its offset from the anchor (cols / 2, rows / 2).
    const int rowShift = rows / 2 - oldRows / 2;
    const int colShift = cols / 2 - oldCols / 2;
    std::vector<QString> texts;
    texts.reserve(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            const int oldRow = r - rowShift;
            const int oldCol = c - colShift;
            const QTableWidgetItem *old =
                oldRow >= 0 && oldRow < oldRows && oldCol >= 0 && oldCol < oldCols
                    ? table_->item(oldRow, oldCol)
                    : nullptr;
            texts.push_back(old ? old->text() : QStringLiteral("0"));
        }
    }
    fillTable(rows, cols, texts);
    showMessage(textStatus_, QString(), false);
    refresh(Emit::IfChanged);
}

void KernelEditor::cellEdited(QTableWidgetItem *item)
{
    showMessage(textStatus_, QString(), false); // about the text, no longer the grid
    showCellProblem(item);
    refresh(Emit::IfChanged);
}

void KernelEditor::showCellProblem(QTableWidgetItem *item)
{
    const QSignalBlocker blocker(table_); // styling is not an edit
    const Cell cell = parseCell(item->text());
    if (cell.problem.isEmpty()) {
        item->setData(Qt::BackgroundRole, QVariant());
        item->setData(Qt::ForegroundRole, QVariant());
        item->setData(Qt::ToolTipRole, QVariant());
    } else {
        item->setBackground(QColor(0xff, 0xd2, 0xd2));
        item->setForeground(QColor(0x9b, 0x1c, 0x1c));
        item->setToolTip(cell.problem.at(0).toUpper() + cell.problem.mid(1));
    }
}

void KernelEditor::refresh(Emit emitPolicy)
{
    const int rows = table_->rowCount();
    const int cols = table_->columnCount();
    CustomSpec candidate{rows, cols, {}, normalize_};
    candidate.values.reserve(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
    int badCells = 0;
    QString firstProblem;
    double sum = 0;
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            const QTableWidgetItem *item = table_->item(r, c);
            const Cell cell = parseCell(item ? item->text() : QString());
            if (!cell.problem.isEmpty() && badCells++ == 0)
                firstProblem = tr("row %1, column %2: %3").arg(r + 1).arg(c + 1).arg(cell.problem);
            candidate.values.push_back(cell.value);
            sum += cell.value;
        }
    }
    if (badCells > 0) {
        valid_ = false;
        QString text = tr("Not applied: %1").arg(firstProblem);
        if (badCells == 2)
            text += tr(" (and 1 more invalid cell)");
        else if (badCells > 2)
            text += tr(" (and %1 more invalid cells)").arg(badCells - 1);
        showMessage(status_, text, true);
        return;
    }
    try {
        validate(FilterSpec{candidate});
    } catch (const ParameterError &e) {
        valid_ = false;
        showMessage(status_, tr("Not applied: %1").arg(QString::fromStdString(e.what())), true);
        return;
    }
    valid_ = true;
    QString text = tr("%1 × %2 · sum %3").arg(rows).arg(cols).arg(sum, 0, 'g', 6);
    if (normalize_)
        text += tr(", scaled to 1");
    showMessage(status_, text, false);
    const bool changed = candidate != applied_;
    applied_ = std::move(candidate);
    if (changed && emitPolicy == Emit::IfChanged)
        emit kernelChanged(applied_);
}

void KernelEditor::textEdited()
{
    const QString text = text_->toPlainText();
    if (text.trimmed().isEmpty()) {
        showMessage(textStatus_, QString(), false);
        applyText_->setEnabled(false);
        return;
    }
    try {
        const CustomSpec parsed = parseKernelText(text.toStdString(), "Pasted text");
        showMessage(textStatus_, tr("%1 × %2 kernel").arg(parsed.rows).arg(parsed.cols), false);
        applyText_->setEnabled(true);
    } catch (const KernelIoError &e) {
        showMessage(textStatus_, QString::fromStdString(e.what()), true);
        applyText_->setEnabled(false);
    }
}

void KernelEditor::applyText()
{
    CustomSpec parsed;
    try {
        parsed = parseKernelText(text_->toPlainText().toStdString(), "Pasted text");
    } catch (const KernelIoError &e) {
        showMessage(textStatus_, QString::fromStdString(e.what()), true);
        return;
    }
    std::vector<QString> texts;
    texts.reserve(parsed.values.size());
    for (double v : parsed.values)
        texts.push_back(numberText(v));
    fillTable(parsed.rows, parsed.cols, texts);
    refresh(Emit::IfChanged);
    if (valid_)
        showMessage(textStatus_, tr("%1 × %2 kernel applied").arg(parsed.rows).arg(parsed.cols),
                    false);
    else
        showMessage(textStatus_, tr("In the grid but not applied: see above."), true);
}

} // namespace ks
