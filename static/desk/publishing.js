"use strict";
// The buttons that publish, schedule or send a report for review say what they will do
// ("Schedule for 30 Nov 2026, 14:00", from the time typed in the form) and ask first
// (publish_buttons.html, workflow_buttons.html).
{
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const pad = (number) => String(number).padStart(2, "0");

    const month = (name) => {
        const index = name.length >= 3 ? months.findIndex((m) => name.toLowerCase().startsWith(m.toLowerCase())) : -1;
        return index + 1;
    };

    // [year, month, day] of a date as the desk accepts it (admin_forms.DATE_INPUT_FORMATS).
    const parseDate = (text) => {
        let m;
        if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text))) {
            return [+m[1], +m[2], +m[3]];
        }
        if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text))) {
            return [+m[3], +m[2], +m[1]];
        }
        if ((m = /^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$/.exec(text)) && month(m[2])) {
            return [+m[3], month(m[2]), +m[1]];
        }
        if ((m = /^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(text)) && month(m[1])) {
            return [+m[3], month(m[1]), +m[2]];
        }
        return null;
    };

    // The moment a split date/time input pair (id_<name>_0, id_<name>_1) holds, or null.
    const moment = (name) => {
        const date = document.getElementById(`id_${name}_0`);
        const time = document.getElementById(`id_${name}_1`);
        if (!date) {
            return null;
        }
        let dateText = date.value.trim().replace(/\s+/g, " ");
        let timeText = time ? time.value.trim() : "";
        const both = /^(.*\d)(?:\s+|T)(\d{1,2}[:.]\d{2})$/.exec(dateText);
        if (!timeText && both) {
            [dateText, timeText] = [both[1], both[2]];
        }
        const day = parseDate(dateText);
        const hour = /^(\d{1,2})[:.](\d{2})/.exec(timeText);
        if (!day || !hour) {
            return null;
        }
        // The server's time zone: the admin gives its offset from UTC, in seconds.
        const offset = Number(document.body.dataset.adminUtcOffset || 0);
        return {
            at: Date.UTC(day[0], day[1] - 1, day[2], +hour[1], +hour[2]) - offset * 1000,
            text: `${day[2]} ${months[day[1] - 1]} ${day[0]}, ${pad(hour[1])}:${pad(hour[2])}`,
        };
    };

    const headline = () => {
        const title = document.getElementById("id_title");
        return title && title.value.trim() ? `“${title.value.trim()}”` : "this report";
    };

    const label = () => {
        const publish = document.querySelector("[data-confirm-publish]");
        if (publish) {
            const when = moment("publish_at");
            publish.value = when && when.at > Date.now() ? `Schedule for ${when.text}` : "Publish now";
        }
        const schedule = document.querySelector("[data-confirm-schedule-changes]");
        if (schedule) {
            const when = moment("changes_go_live_at");
            schedule.value = when ? `Schedule changes for ${when.text}` : "Schedule changes";
        }
    };

    const question = (button) => {
        label();
        if (button.hasAttribute("data-confirm-publish")) {
            const when = moment("publish_at");
            return when && when.at > Date.now()
                ? `Schedule ${headline()} for ${when.text}? It goes live by itself then.`
                : `Publish ${headline()} now? Readers see it at once.`;
        }
        if (button.hasAttribute("data-confirm-publish-changes")) {
            return `Publish the changes to ${headline()} now? Readers see them at once.`;
        }
        if (button.hasAttribute("data-confirm-schedule-changes")) {
            const when = moment("changes_go_live_at");
            return when
                ? `Schedule the changes to ${headline()} for ${when.text}? They go live by themselves then.`
                : `Schedule the changes to ${headline()}? Choose when under “Publish changes at” first.`;
        }
        if (button.hasAttribute("data-confirm-review")) {
            return `Send ${headline()} to the editors for review?`;
        }
        return null;
    };

    const ready = () => {
        label();
        document.addEventListener("input", label);
        document.addEventListener("change", label);
        document.addEventListener("click", (event) => {
            const button = event.target.closest("input[type=submit], button[type=submit]");
            const ask = button && question(button);
            if (ask && !window.confirm(ask)) {
                event.preventDefault();
            }
        });
    };

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", ready);
    } else {
        ready();
    }
}
