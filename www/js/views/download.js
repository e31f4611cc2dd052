// Saves a file through a temporary object URL; works from a document or a shadow root alike.

export function saveBlob(fileName, blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has started the download; the URL is not needed afterwards.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function saveText(fileName, mimeType, text) {
  saveBlob(fileName, new Blob([text], { type: mimeType }));
}
