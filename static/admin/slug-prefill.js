"use strict";
// The desk prefills a slug from the name as it is typed, with Django's URLify. The slug the
// server keeps is made by diethnos/slugs.py (anyascii), which agrees with URLify on the Latin
// script only: URLify spells Greek "Αθήνα" as "a8hna", anyascii as "athina". So for a name
// with letters of another script the prefill stays empty, and the server makes the slug on
// saving.
{
    const urlify = window.URLify;
    const otherScript = /(?=\p{L})\P{Script=Latin}/u;
    if (urlify) {
        window.URLify = (text, maxLength, allowUnicode) =>
            otherScript.test(text) ? "" : urlify(text, maxLength, allowUnicode);
    }
}
