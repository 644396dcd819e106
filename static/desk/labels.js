"use strict";
// What the desk's widgets built by scripts need to be named and read aloud: the rich-text
// editor (named by its field's label, spell-checked, as every field of prose is) and the
// autocompletes (select2, named by their field's label or column).
{
    let made = 0;
    const idOf = (element, stem) => {
        if (!element.id) {
            made += 1;
            element.id = `${stem}-${made}`;
        }
        return element.id;
    };

    // The element naming a form field: its <label>, or a hidden one made from its aria-label.
    const nameOf = (field) => {
        const label = field.id && document.querySelector(`label[for="${field.id}"]`);
        if (label) {
            return idOf(label, "desk-label");
        }
        const text = field.getAttribute("aria-label");
        if (!text) {
            return null;
        }
        let hidden = field.previousElementSibling;
        if (!hidden || !hidden.classList.contains("desk-name")) {
            hidden = document.createElement("span");
            hidden.className = "desk-name desk-sr-only";
            hidden.textContent = text;
            field.before(hidden); // select2 puts its widget after the field
        }
        return idOf(hidden, "desk-name");
    };

    const nameEditors = () => {
        for (const editor of document.querySelectorAll(".prose-editor")) {
            const textarea = editor.querySelector("textarea");
            const area = editor.querySelector(".ProseMirror");
            if (!textarea || !area) {
                continue;
            }
            const name = nameOf(textarea);
            if (name && area.getAttribute("aria-labelledby") !== name) {
                area.setAttribute("aria-labelledby", name);
            }
            if (area.getAttribute("spellcheck") !== "true") {
                area.setAttribute("spellcheck", "true");
            }
            area.setAttribute("aria-multiline", "true");
        }
    };

    const nameAutocompletes = () => {
        for (const select of document.querySelectorAll("select.admin-autocomplete")) {
            const container = select.nextElementSibling;
            if (!container || !container.classList.contains("select2")) {
                continue;
            }
            const name = nameOf(select);
            const box = container.querySelector(".select2-selection");
            if (!name || !box) {
                continue;
            }
            const rendered = box.querySelector(".select2-selection__rendered");
            const labelledBy = rendered && rendered.id ? `${name} ${rendered.id}` : name;
            if (box.getAttribute("aria-labelledby") !== labelledBy) {
                box.setAttribute("aria-labelledby", labelledBy);
            }
            // The chosen value, read as a text box of its own (select2 gives it no name).
            if (rendered && rendered.getAttribute("aria-labelledby") !== name) {
                rendered.setAttribute("aria-labelledby", name);
            }
            const search = box.querySelector(".select2-search__field");
            if (search && !search.hasAttribute("aria-labelledby")) {
                search.setAttribute("aria-labelledby", name);
            }
            // The "clear all" cross sits among the chosen items of a multiple choice: a
            // pointer's shortcut, which the keyboard's Backspace does too.
            for (const clear of box.querySelectorAll(".select2-selection__clear")) {
                clear.setAttribute("aria-hidden", "true");
            }
        }
    };

    let queued = false;
    const fix = () => {
        queued = false;
        nameEditors();
        nameAutocompletes();
    };
    const queue = () => {
        if (!queued) {
            queued = true;
            requestAnimationFrame(fix);
        }
    };
    document.addEventListener("DOMContentLoaded", () => {
        fix();
        new MutationObserver(queue).observe(document.body, { childList: true, subtree: true });
    });
}
