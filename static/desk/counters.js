"use strict";
// The count of characters beside each field with a length limit ("143 / 300"; see
// diethnos/lengths.py), kept up to date as the editor types. Text over the limit is kept: the
// count says by how much it is over, and saving is refused with a message.
{
    const length = (text) => Array.from(text.replace(/\r\n/g, "\n")).length;

    const counterOf = (field) => {
        const next = field.nextElementSibling;
        return next && next.classList.contains("char-count") ? next : null;
    };

    const update = (field) => {
        const counter = counterOf(field);
        if (!counter) {
            return;
        }
        const limit = Number(field.dataset.maxlength);
        const used = length(field.value);
        const over = used - limit;
        counter.textContent =
            over > 0 ? `${used} / ${limit}: ${over} over the limit` : `${used} / ${limit}`;
        counter.classList.toggle("char-count-over", over > 0);
    };

    document.addEventListener("input", (event) => {
        if (event.target.matches && event.target.matches("[data-maxlength]")) {
            update(event.target);
        }
    });

    // A row added with "Add another" is a copy of the empty form: its fields' ids are
    // numbered, and their descriptions are made to follow.
    document.addEventListener("formset:added", (event) => {
        for (const field of event.target.querySelectorAll("[data-maxlength]")) {
            const counter = counterOf(field);
            if (counter && field.id) {
                counter.id = `${field.id}_count`;
                counter.dataset.countFor = field.id;
                const described = (field.getAttribute("aria-describedby") || "")
                    .split(/\s+/)
                    .filter((id) => id && !id.endsWith("_count"));
                field.setAttribute("aria-describedby", [...described, counter.id].join(" "));
            }
            update(field);
        }
    });

    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll("[data-maxlength]").forEach(update);
    });
}
