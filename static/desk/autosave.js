"use strict";
// The report form saves itself as the editor works (ReportAdmin.autosave_view): some seconds
// after a change, and when the page is left. It never publishes anything and writes no
// version to History. Leaving the page with changes not saved asks first.
{
    const ready = () => {
        const form = document.getElementById("report_form");
        if (!form) {
            return;
        }
        const status = document.getElementById("autosave-status");
        const url = status ? status.dataset.url : null;
        const delay = (Number(status && status.dataset.seconds) || 20) * 1000;
        // A form drawn again after a refused save holds what is not saved yet.
        let unsaved = document.getElementById("error-summary") ? 1 : 0;
        let submitting = false;
        let saving = false;
        let refused = false;
        let timer = null;

        const say = (text) => {
            if (status) {
                status.textContent = text;
            }
        };

        const payload = () => {
            const data = new FormData(form);
            for (const [name, value] of [...data.entries()]) {
                // A chosen file is sent with the form itself, when it is saved.
                if (value instanceof File || name.includes("__pending")) {
                    data.delete(name);
                }
            }
            return data;
        };

        const input = (name) => form.querySelector(`[name="${CSS.escape(name)}"]`);

        // A chosen image is saved with the form only, and its alt text with it: saved alone,
        // that text would be taken for the description of the image stored before.
        const imageWaits = () =>
            [...form.querySelectorAll("input[type=file]")].some((file) => file.files.length) ||
            [...form.querySelectorAll("input[name$='__pending']")].some(
                (kept) => !form.querySelector(`[name="${CSS.escape(kept.name)}_drop"]:checked`)
            );

        // The rows just saved are stored rows now: they carry their id, and the next save
        // updates (or deletes) them rather than adding them again.
        const markSaved = (result) => {
            input("version_seen").value = result.version;
            input("values_seen").value = result.values_seen;
            for (const [prefix, ids] of Object.entries(result.rows)) {
                const initial = input(`${prefix}-INITIAL_FORMS`);
                let count = Number(initial.value);
                while (count < ids.length && ids[count] !== null) {
                    const row = document.getElementById(`${prefix}-${count}`);
                    const id = input(`${prefix}-${count}-id`);
                    if (id) {
                        id.value = ids[count];
                    }
                    const remove = row && row.querySelector(".inline-deletelink");
                    if (remove) {
                        const box = document.createElement("input");
                        box.type = "checkbox";
                        box.name = `${prefix}-${count}-DELETE`;
                        box.setAttribute("aria-label", "Delete");
                        remove.replaceWith(box);
                    }
                    if (row) {
                        row.classList.add("has_original");
                    }
                    count += 1;
                }
                initial.value = count;
            }
        };

        const save = async () => {
            timer = null;
            if (!url || saving || submitting || refused || !unsaved) {
                return;
            }
            if (imageWaits()) {
                say("Not saved automatically while a chosen image waits: save the form to keep both.");
                return;
            }
            const sent = unsaved;
            saving = true;
            try {
                const response = await fetch(url, {method: "POST", body: payload(), credentials: "same-origin"});
                const result = await response.json().catch(() => ({}));
                if (response.ok) {
                    markSaved(result);
                    unsaved -= sent;
                    say(`Saved automatically at ${result.saved_at}.`);
                } else {
                    refused = response.status === 409;
                    say(result.error || "Not saved automatically: save the form to keep your changes.");
                }
            } catch {
                say("Not saved automatically (no connection): save the form to keep your changes.");
            } finally {
                saving = false;
            }
        };

        const changed = () => {
            unsaved += 1;
            if (url && !timer && !refused) {
                timer = window.setTimeout(save, delay);
            }
        };

        form.addEventListener("input", changed);
        form.addEventListener("change", changed);
        if (window.django && window.django.jQuery) {
            // Autocomplete fields (select2) say they changed through jQuery only.
            window.django.jQuery(form).on("select2:select select2:unselect", changed);
        }
        form.addEventListener("submit", (event) => {
            // A preview opens in another tab: this page stays.
            if (!event.submitter || event.submitter.formTarget !== "_blank") {
                submitting = true;
            }
        });
        window.addEventListener("beforeunload", (event) => {
            if (unsaved && !submitting) {
                event.preventDefault();
                event.returnValue = "";
            }
        });
        window.addEventListener("pagehide", () => {
            if (unsaved && !submitting && url && !refused && !saving && !imageWaits()) {
                navigator.sendBeacon(url, payload());
            }
        });
        window.addEventListener("pageshow", (event) => {
            // Back from another page: the form may have been saved meanwhile.
            if (event.persisted) {
                window.location.reload();
            }
        });
    };

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", ready);
    } else {
        ready();
    }
}
