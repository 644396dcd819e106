// Shows the photo a contributor has chosen before the profile is saved.
document.querySelectorAll("[data-photo-preview]").forEach((figure) => {
  const input = document.getElementById(figure.dataset.photoPreview);
  if (!input) return;
  const caption = figure.querySelector("figcaption");
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    figure.querySelector("picture, img")?.remove();
    if (!file) {
      caption.textContent = "No photo chosen";
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      const img = document.createElement("img");
      img.src = reader.result;
      img.alt = "Preview of the photo you chose";
      img.className = "preview-image";
      figure.insertBefore(img, caption);
      caption.textContent = "Preview: saved when you save the profile";
    });
    reader.readAsDataURL(file);
  });
});
