// Saves text as a file through the browser's normal download flow (no extra permission needed).

export function downloadText(filename: string, text: string, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
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
