// Undo and redo for the document: every edit is a pair of snapshots.
//
// A Document is a small value (a spec, a few options, a list of regions), so
// instead of one command class per kind of edit, every edit stores the whole
// document before and after it. Undo restores the exact prior state, bit for
// bit, whatever the edit was; there is no inverse operation to get wrong.
#pragma once

#include "core/document.h"

#include <QString>
#include <QUndoCommand>

#include <functional>

class QUndoStack;

namespace ks {

/// One undo step: the document before and after an edit. Consecutive edits
/// with the same non-empty merge key merge into one step while the step is
/// open (a slider or a region being dragged): the step keeps the first
/// `before` and takes the last `after`, and closes with the first edit made
/// with open == false (the release). A step whose merged edits end where they
/// started becomes obsolete and leaves the stack.
class DocumentCommand : public QUndoCommand {
public:
    /// Shows a document everywhere (panels, view, preview).
    using Apply = std::function<void(const Document &)>;

    /// text: what Edit > Undo names ("Change sigma", "Add region").
    /// The first redo() (QUndoStack::push calls it) does nothing: the edit
    /// has already been shown by the widget that made it, and showing it
    /// again would fight with that widget (a slider being dragged, a spin box
    /// being typed in). Later redos apply `after`.
    DocumentCommand(Document before, Document after, const QString &text, QString mergeKey,
                    bool open, Apply apply);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand *other) override;

    const Document &before() const { return before_; }
    const Document &after() const { return after_; }
    bool isOpen() const { return open_; }
    const QString &mergeKey() const { return mergeKey_; }

private:
    Document before_;
    Document after_;
    QString mergeKey_;
    bool open_;
    bool firstRedo_ = true;
    Apply apply_;
};

/// Pushes the edit before -> after onto stack (nothing when they are equal,
/// unless it closes an open step with the same key). See DocumentCommand.
void pushDocumentEdit(QUndoStack &stack, const Document &before, const Document &after,
                      const QString &text, const QString &mergeKey, bool open,
                      DocumentCommand::Apply apply);

} // namespace ks
