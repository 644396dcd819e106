"use strict";
// Keeps the report form's "Also editing" notice current: every half minute it tells the desk
// that this form is still open and shows whom else the desk names. The notice is drawn with
// the page, so it is there without this script too. Loaded in the <head>, it starts once the
// page is parsed.
document.addEventListener("DOMContentLoaded", () => {
    const notice = document.querySelector(".also-editing[data-editing-url]");
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!notice || !token) return;
    const refresh = () => {
        if (document.hidden) return;
        fetch(notice.dataset.editingUrl, {
            method: "POST",
            headers: {"X-CSRFToken": token.value, "Accept": "application/json"},
            credentials: "same-origin",
        })
            .then((response) => (response.ok ? response.json() : null))
            .then((data) => {
                if (!data) return;
                notice.textContent = data.notice;
                notice.hidden = !data.notice;
            })
            .catch(() => {});
    };
    window.setInterval(refresh, 30000);
    document.addEventListener("visibilitychange", refresh);
});
