"use strict";
// A refused desk form lists its problems at the top (error_summary.html): the list takes the
// focus, and each link puts the focus in its field, whatever widget stands in for the input
// (the rich-text editor, an autocomplete, a collapsed fieldset).
{
    const fields =
        "input:not([type=hidden]), select, textarea, [contenteditable=true], .select2-selection";
    const focusable = `${fields}, button`;
    const visible = (element) =>
        element.getClientRects().length > 0 && !element.classList.contains("select2-hidden-accessible");

    const fieldFor = (target) => {
        if (target.matches(focusable) && visible(target)) {
            return target;
        }
        const area = target.matches("input, select, textarea")
            ? target.closest(".form-row, tr, fieldset") || target.parentElement
            : target;
        // A field before a button: a row's first control may be its "Move up" button.
        return (
            [...area.querySelectorAll(fields)].find(visible) ||
            [...area.querySelectorAll(focusable)].find(visible) ||
            null
        );
    };

    const ready = () => {
        const summary = document.getElementById("error-summary");
        if (!summary) {
            return;
        }
        summary.focus();
        // Widgets set up after this (the rich-text editor, autocompletes) may take the focus:
        // once the page has loaded, it goes back to the list unless the editor has moved on.
        let moved = false;
        const move = () => {
            moved = true;
        };
        document.addEventListener("pointerdown", move, {once: true});
        document.addEventListener("keydown", move, {once: true});
        const refocus = () => {
            if (!moved && !summary.contains(document.activeElement)) {
                summary.focus();
            }
        };
        if (document.readyState === "complete") {
            setTimeout(refocus, 0);
        } else {
            window.addEventListener("load", () => setTimeout(refocus, 0), {once: true});
        }
        summary.addEventListener("click", (event) => {
            const link = event.target.closest("a[data-focus]");
            const target = link && document.getElementById(link.dataset.focus);
            if (!target) {
                return;
            }
            event.preventDefault();
            for (let details = target.closest("details"); details; details = details.parentElement.closest("details")) {
                details.open = true;
            }
            const field = fieldFor(target);
            if (field) {
                field.scrollIntoView({block: "center"});
                field.focus({preventScroll: true});
            } else {
                target.setAttribute("tabindex", "-1");
                target.focus();
            }
        });
    };

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", ready);
    } else {
        ready();
    }
}
