// Saves text or bytes as a file through the browser's normal download flow (no extra permission
// needed).

export function downloadText(filename: string, text: string, type = 'application/x-ndjson'): void {
  downloadBlob(filename, new Blob([text], { type }));
}

export function downloadBytes(filename: string, bytes: Uint8Array, type = 'application/zip'): void {
  downloadBlob(filename, new Blob([bytes as BlobPart], { type }));
}

function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: revoking synchronously can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** attune-examples-2024-05-01.jsonl */
export function exportFileName(now: Date = new Date()): string {
  return `attune-examples-${now.toISOString().slice(0, 10)}.jsonl`;
}
