// The composer: a growing text field (Enter sends, Shift+Enter starts a new line) and files —
// chosen with the paper clip or dropped on the thread — sent with the typed text as a caption.

const MAX_FILE_BYTES = 35 * 1024 * 1024; // base64 in JSON must stay under the sandbox's 50 MB
const PHOTO_TYPES = /^image\/(jpeg|png|gif|bmp|webp)$/u;

/**
 * elements: {form, text, file, dropZone}; handlers: {onText(text), onFile(upload)} returning
 * promises that reject when the sandbox refuses (the typed text is kept then).
 */
export function setupComposer({ form, text, file, dropZone }, { onText, onFile, onError }) {
  const grow = () => {
    text.style.height = "auto";
    text.style.height = `${Math.min(text.scrollHeight, 160)}px`;
  };
  text.addEventListener("input", grow);

  const submit = async () => {
    const value = text.value;
    if (!value.trim()) return;
    text.value = "";
    grow();
    try {
      await onText(value);
    } catch (error) {
      if (!text.value) text.value = value;
      grow();
      onError(error);
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });

  const sendFiles = async (files) => {
    for (const chosen of files) {
      try {
        const caption = text.value;
        const upload = await readUpload(chosen, caption);
        text.value = "";
        grow();
        await onFile(upload);
      } catch (error) {
        onError(error);
      }
    }
  };
  file.addEventListener("change", () => {
    const files = [...file.files];
    file.value = ""; // the same file can be chosen again
    sendFiles(files);
  });

  dropZone.addEventListener("dragover", (event) => {
    if (form.hidden || !event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    dropZone.classList.add("dropping");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dropping"));
  dropZone.addEventListener("drop", (event) => {
    dropZone.classList.remove("dropping");
    if (form.hidden || !event.dataTransfer?.files.length) return;
    event.preventDefault();
    sendFiles([...event.dataTransfer.files]);
  });
}

/** A file as the upload request wants it: base64, and "photo" for images, "doc" otherwise. */
async function readUpload(chosen, caption) {
  if (chosen.size > MAX_FILE_BYTES) {
    throw new Error(`Файл «${chosen.name}» больше 35 МБ — песочница такие не принимает`);
  }
  const dataUrl = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error(`Не удалось прочитать файл «${chosen.name}»`));
    reader.readAsDataURL(chosen);
  });
  return {
    filename: chosen.name,
    contentBase64: dataUrl.slice(dataUrl.indexOf(",") + 1),
    kind: PHOTO_TYPES.test(chosen.type) ? "photo" : "doc",
    text: caption,
  };
}
