// The profile form: a preview of the chosen photo before saving, a fresh description for a
// new photo, and an accessible name for the rich-text editor (it replaces the labelled textarea
// with an unlabelled editable area).

// A new photo needs its own description: choosing one empties the alt text field (the server
// refuses a new photo with the old description too); choosing none again brings it back.
document.querySelectorAll("[data-photo-preview]").forEach((figure) => {
  const input = document.getElementById(figure.dataset.photoPreview);
  if (!input) return;
  const caption = figure.querySelector("figcaption");
  const captionText = caption.textContent;
  const current = figure.querySelector("picture, img");
  const altInput = figure.dataset.altInput && document.getElementById(figure.dataset.altInput);
  const previousAlt = altInput ? altInput.value : "";
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    figure.querySelector("img[data-preview]")?.remove();
    if (current && file) current.remove();
    else if (current) figure.insertBefore(current, caption);
    if (altInput) {
      altInput.value = file ? "" : previousAlt;
      altInput.required = Boolean(file);
    }
    if (!file) {
      caption.textContent = captionText;
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      const img = document.createElement("img");
      img.src = reader.result;
      img.alt = "Preview of the photo you chose";
      img.dataset.preview = "";
      figure.insertBefore(img, caption);
      caption.textContent = altInput
        ? "Preview: saved when you save the profile. Describe the new photo in its alt text below."
        : "Preview: saved when you save the profile.";
    });
    reader.readAsDataURL(file);
  });
});

// The editor's toolbar marks unavailable buttons with a class only: say so to assistive
// technology as well.
function markUnavailableButtons() {
  document.querySelectorAll(".prose-menubar__button").forEach((button) => {
    const unavailable = button.classList.contains("disabled");
    if (button.getAttribute("aria-disabled") !== String(unavailable)) {
      button.setAttribute("aria-disabled", String(unavailable));
    }
  });
}

function nameEditors() {
  document.querySelectorAll(".field [contenteditable]:not([aria-label])").forEach((editable) => {
    const textarea = editable.closest(".field").querySelector("textarea[id]");
    const label = textarea && document.querySelector(`label[for="${textarea.id}"]`);
    if (label) editable.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
  });
}
function improveEditors() {
  nameEditors();
  markUnavailableButtons();
}
new MutationObserver(improveEditors).observe(document.body, {
  childList: true,
  subtree: true,
  attributes: true,
  attributeFilter: ["class"],
});
improveEditors();
