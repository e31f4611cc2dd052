// Saves text as a file through a temporary object URL; works from a document or a shadow root alike.

export function saveText(fileName, mimeType, text) {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has started the download; the URL is not needed afterwards.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
