"use strict";
// Keeps the report form's "Also editing" notice current: every half minute it tells the desk
// that this form is still open and shows whom else the desk names. The notice is drawn with
// the page, so it is there without this script too.
{
    const notice = document.querySelector(".also-editing[data-editing-url]");
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const everyMs = 30000;
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
    if (notice && token) {
        window.setInterval(refresh, everyMs);
        document.addEventListener("visibilitychange", refresh);
    }
}
