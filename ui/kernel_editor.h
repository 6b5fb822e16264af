// The custom-kernel editor: a grid of taps, its size, and a text area that
// takes CSV or whitespace-separated rows. Shown by the parameter panel when
// the filter is Custom.
#pragma once

#include "core/filter_spec.h"

#include <QString>
#include <QWidget>

#include <vector>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QResizeEvent;
class QSpinBox;
class QTableWidget;
class QTableWidgetItem;
class QToolButton;

namespace ks {

/// Edits a CustomSpec's matrix. The cells hold text, so whatever is typed
/// stays visible: a cell that is not a finite number (empty, "abc", "nan",
/// "inf") is highlighted red with the reason as its tooltip, the status line
/// says what is wrong, and the kernel is not applied until every cell is
/// valid. The same holds for a kernel that validate() refuses, such as
/// normalize on taps that sum to 0: its message is shown and nothing is
/// emitted until it is fixed.
///
/// Changing the number of rows or columns keeps the taps around the anchor
/// (cols / 2, rows / 2) where they are and fills new taps with 0, so growing
/// a kernel never changes its result; shrinking crops around the anchor.
///
/// The header labels are offsets from the anchor (-1, 0, +1 ...) and the
/// anchor cell is bold. GUI thread only.
class KernelEditor : public QWidget {
    Q_OBJECT

public:
    explicit KernelEditor(QWidget *parent = nullptr);

    /// Shows spec (its matrix and normalize flag). Emits nothing. A spec that
    /// validate() refuses is shown with its message and does not replace
    /// kernel().
    void setKernel(const CustomSpec &spec);

    /// The last valid kernel, set or edited: what is applied. While the
    /// cells are invalid it is the kernel from before the bad edit.
    CustomSpec kernel() const { return applied_; }

    /// True when the cells (and the normalize flag) form a kernel that
    /// validate() accepts, i.e. kernel() is what the editor shows.
    bool isValid() const { return valid_; }

    QTableWidget *table() const { return table_; }

    /// Sets the normalize flag the cells are checked with (the parameter
    /// panel owns the checkbox). Emits nothing; when the result is valid it
    /// becomes kernel(), otherwise the message is shown.
    void setNormalize(bool normalize);

    /// Puts text in the text area and applies it, as if pasted there and
    /// "Apply" pressed: text parsed by ks::parseKernelText replaces the
    /// cells (the normalize flag stays) and kernelChanged is emitted when
    /// the result is valid and differs. Text that does not parse leaves the
    /// cells alone and shows parseKernelText's message under the text area.
    void setText(const QString &text);

    /// The message under the text area ("" when the text is fine) and the
    /// status line under the grid ("3 × 3 · sum 1", or what is wrong).
    QString textMessage() const;
    QString statusMessage() const;

signals:
    /// The user changed the kernel and it is valid; spec == kernel().
    void kernelChanged(const ks::CustomSpec &spec);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    enum class Emit { No, IfChanged };

    /// Replaces the grid with rows x cols cells holding texts (row-major).
    void fillTable(int rows, int cols, const std::vector<QString> &texts);
    void resizeKernel();
    void cellEdited(QTableWidgetItem *item);
    void textEdited();
    void applyText();
    void showCellProblem(QTableWidgetItem *item);
    /// Reads the cells, checks them and the normalize flag, updates the
    /// status line and, when valid, kernel(); emits as asked.
    void refresh(Emit emitPolicy);
    void fitTableHeight();

    QSpinBox *rowsBox_ = nullptr;
    QSpinBox *colsBox_ = nullptr;
    QToolButton *textToggle_ = nullptr;
    QTableWidget *table_ = nullptr;
    QLabel *status_ = nullptr;
    QWidget *textArea_ = nullptr;
    QPlainTextEdit *text_ = nullptr;
    QLabel *textStatus_ = nullptr;
    QPushButton *applyText_ = nullptr;

    bool normalize_ = false;
    bool valid_ = true;
    CustomSpec applied_;
};

} // namespace ks
