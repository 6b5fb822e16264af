// The region panel: the document's blur regions as a list, reordering and
// removal, and an editor for the selected region's method, strength and
// feather.
#pragma once

#include "core/region_blur.h"

#include <QString>
#include <QWidget>

#include <array>
#include <vector>

class QAbstractButton;
class QComboBox;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace ks {

class ParameterControl;
class RegionList;

/// A view of the document's region list; it never owns the truth. The owner
/// shows its list with setRegions and answers the signals by changing its
/// document (through its undo stack) and calling setRegions again.
///
/// Each row reads "1  Gaussian σ 8 · 120×80 at (40, 30)" (number in list
/// order, which is the order the blurs are applied in, method, strength,
/// size and position; the tooltip adds the feather). Up and Down (and
/// dragging a row) ask to move the selected region, Remove (or Delete in the
/// list) to remove it, "Clear regions" to remove them all.
///
/// Below the list, the selected region's editor: a method selector, then a
/// ParameterControl for its strength and one for its feather, from
/// regionParameterDescriptors(method). Changing the method gives the region
/// the strength last used with the new method in this panel (through any
/// region, or the strength it had when its method was changed away from it),
/// the method's default strength when there is none. With no region the
/// editor gives way to a hint; with regions but none selected, to another.
///
/// Edits are shown at once (the row, and the region the next edit starts
/// from) and emitted with the whole edited region; a later setRegions shows
/// whatever the owner made of them. GUI thread only.
class RegionPanel : public QWidget {
    Q_OBJECT

public:
    explicit RegionPanel(QWidget *parent = nullptr);
    ~RegionPanel() override;

    /// Shows these regions; emits nothing. Keeps the selection when its
    /// index is still valid, else selects none.
    void setRegions(const std::vector<Region> &regions);
    const std::vector<Region> &regions() const { return regions_; }

    /// Selects the region at index (-1: none; out of range: none) and shows
    /// it in the editor; emits nothing.
    void setSelected(int index);
    /// The selected region's index, -1 for none.
    int selected() const { return selected_; }

    /// The method, strength and feather for the owner's next new region:
    /// Region{} at first; editing a region's method or strength makes them
    /// that region's method and strength, editing its feather its feather.
    /// rect is empty.
    Region newRegionTemplate() const;

    // For tests.
    QListWidget *list() const;
    QComboBox *methodSelector() const { return methodBox_; }
    /// The selected region's strength and feather controls; they belong to
    /// the editor and are replaced when the method changes.
    ParameterControl *strengthControl() const { return strength_; }
    ParameterControl *featherControl() const { return feather_; }
    QAbstractButton *upButton() const { return up_; }
    QAbstractButton *downButton() const { return down_; }
    QAbstractButton *removeButton() const { return remove_; }
    QAbstractButton *clearButton() const { return clear_; }
    /// The text shown instead of the editor, empty when the editor shows.
    QString hint() const;

signals:
    /// The user selected another row (-1: none).
    void selectionChanged(int index);
    /// The user edited the region at index; region is the whole region after
    /// the edit. key: "method", the strength's descriptor key ("sigma",
    /// "cell" or "ksize") or "feather". dragging as in
    /// ParameterControl::valueEdited: true while a slider is held down, then
    /// once false on release, so the owner can merge one drag into one undo
    /// step.
    void regionEdited(int index, const ks::Region &region, const QString &key, bool dragging);
    /// Move the region at from so that it ends up at index to.
    void moveRequested(int from, int to);
    void removeRequested(int index);
    void clearRequested();

private:
    void showRows();
    void showEditor();
    void buildControls(RegionMethod method);
    void updateButtons();

    void rowSelected();
    void methodChosen(int index);
    void valueEdited(const QString &key, double value, bool dragging);
    void emitEdited(const QString &key, bool dragging);
    void requestMove(int to);

    std::vector<Region> regions_; ///< as last shown, with the user's edits since
    int selected_ = -1;

    /// The strength last used with each method, indexed by RegionMethod.
    std::array<double, 3> lastStrength_{};
    RegionMethod lastMethod_ = RegionMethod::Gaussian;
    int lastFeather_ = 0;

    RegionList *list_ = nullptr;
    QAbstractButton *up_ = nullptr;
    QAbstractButton *down_ = nullptr;
    QAbstractButton *remove_ = nullptr;
    QAbstractButton *clear_ = nullptr;
    QStackedWidget *pages_ = nullptr;
    QLabel *hint_ = nullptr;
    QWidget *editor_ = nullptr;
    QComboBox *methodBox_ = nullptr;
    QWidget *controlsHost_ = nullptr;
    QWidget *controls_ = nullptr; ///< strength and feather, rebuilt per method
    ParameterControl *strength_ = nullptr;
    ParameterControl *feather_ = nullptr;
    int labelWidth_ = 0;
    int spinWidth_ = 0;
};

} // namespace ks
