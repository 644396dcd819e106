"use strict";
// The rows of an ordered inline (reports/templates/admin/reports/ordered_tabular.html) are put
// in order by dragging their handle or with their "Move up" and "Move down" buttons; each row's
// hidden position is numbered from the order on the page, and each move is announced.
{
    const groups = () => document.querySelectorAll(".ordered-inline");

    const rowsOf = (group) =>
        Array.from(group.querySelectorAll("tbody > tr.form-row")).filter(
            (row) => !row.classList.contains("empty-form")
        );

    // A row and the row of its errors above it, if any, move together.
    const withErrors = (row) => {
        const previous = row.previousElementSibling;
        return previous && previous.classList.contains("row-form-errors")
            ? [previous, row]
            : [row];
    };

    const placeBefore = (row, reference) => {
        const body = row.parentNode;
        const target = reference ? withErrors(reference)[0] : null;
        for (const element of withErrors(row)) {
            body.insertBefore(element, target);
        }
    };

    const placeAfter = (row, reference) => {
        const anchor = reference.nextSibling;
        for (const element of withErrors(row)) {
            reference.parentNode.insertBefore(element, anchor);
        }
    };

    const number = (group) => {
        rowsOf(group).forEach((row, index) => {
            const position = row.querySelector("input[name$='-position']");
            if (position) {
                position.value = index;
            }
        });
    };

    const announce = (group, row) => {
        const rows = rowsOf(group);
        const status = group.querySelector(".reorder-status");
        const name = group.dataset.reorder || "row";
        const where = rows.indexOf(row) + 1;
        status.textContent = `${name[0].toUpperCase()}${name.slice(1)} moved to position ${where} of ${rows.length}.`;
    };

    const move = (row, by) => {
        const group = row.closest(".ordered-inline");
        const rows = rowsOf(group);
        const index = rows.indexOf(row);
        const target = index + by;
        if (target < 0 || target >= rows.length) {
            group.querySelector(".reorder-status").textContent =
                by < 0 ? "Already first." : "Already last.";
            return;
        }
        if (by < 0) {
            placeBefore(row, rows[target]);
        } else {
            placeBefore(rows[target], row);
        }
        number(group);
        announce(group, row);
    };

    document.addEventListener("click", (event) => {
        const button = event.target.closest(".ordered-inline .reorder-up, .ordered-inline .reorder-down");
        if (!button) {
            return;
        }
        event.preventDefault();
        move(button.closest("tr"), button.classList.contains("reorder-up") ? -1 : 1);
        button.focus(); // moving the row took the focus away from it
    });

    // Dragging, with a mouse, pen or finger (pointer events).
    let dragged = null;
    document.addEventListener("pointerdown", (event) => {
        const handle = event.target.closest(".ordered-inline .reorder-handle");
        if (!handle || event.button !== 0) {
            return;
        }
        event.preventDefault();
        dragged = handle.closest("tr");
        dragged.classList.add("dragging");
        handle.setPointerCapture(event.pointerId);
    });
    document.addEventListener("pointermove", (event) => {
        if (!dragged) {
            return;
        }
        const rows = rowsOf(dragged.closest(".ordered-inline"));
        const others = rows.filter((row) => row !== dragged);
        const below = others.find((row) => {
            const box = row.getBoundingClientRect();
            return event.clientY < box.top + box.height / 2;
        });
        const current = rows[rows.indexOf(dragged) + 1];
        if (below && below !== current) {
            placeBefore(dragged, below);
        } else if (!below && others.length && rows[rows.length - 1] !== dragged) {
            placeAfter(dragged, others[others.length - 1]);
        }
    });
    const drop = () => {
        if (!dragged) {
            return;
        }
        const group = dragged.closest(".ordered-inline");
        dragged.classList.remove("dragging");
        number(group);
        announce(group, dragged);
        dragged = null;
    };
    document.addEventListener("pointerup", drop);
    document.addEventListener("pointercancel", drop);

    // Removing a new row makes Django's inlines.js number the forms in the order of the rows
    // on the page; the forms of the stored rows must keep the first numbers, as the formset
    // expects, so the new rows are numbered again after them.
    const renumberForms = (group) => {
        const prefix = JSON.parse(group.dataset.inlineFormset).options.prefix;
        const pattern = new RegExp(`${prefix}-(\\d+|__prefix__)`);
        const rows = rowsOf(group);
        const ordered = [
            ...rows.filter((row) => row.classList.contains("has_original")),
            ...rows.filter((row) => !row.classList.contains("has_original")),
        ];
        ordered.forEach((row, index) => {
            const replacement = `${prefix}-${index}`;
            for (const element of [row, ...row.querySelectorAll("*")]) {
                for (const attribute of ["id", "name", "for", "aria-describedby", "data-count-for"]) {
                    const value = element.getAttribute(attribute);
                    if (value && pattern.test(value)) {
                        element.setAttribute(attribute, value.replace(pattern, replacement));
                    }
                }
            }
        });
        number(group);
    };

    document.addEventListener("formset:removed", (event) => {
        const group = document.getElementById(`${event.detail.formsetName}-group`);
        if (group && group.classList.contains("ordered-inline")) {
            setTimeout(() => renumberForms(group), 0);
        }
    });
    document.addEventListener("formset:added", (event) => {
        const group = event.target.closest && event.target.closest(".ordered-inline");
        if (group) {
            number(group);
        }
    });
    // The positions sent are those of the rows as shown.
    document.addEventListener(
        "submit",
        () => {
            groups().forEach(number);
        },
        true
    );
}
