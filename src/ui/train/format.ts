// Number formatting for the training panel.

export function formatLoss(loss: number): string {
  return Number.isFinite(loss) ? loss.toFixed(3) : '—';
}

/** 75 -> "1 min 15 s"; 3700 -> "1 h 2 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** 5_120 -> "5.1 k"; 86_016 -> "86 k"; 5_999_872 -> "6.0 M" (trainable parameters). */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  const [value, unit] = n < 1e6 ? [n / 1e3, 'k'] : n < 1e9 ? [n / 1e6, 'M'] : [n / 1e9, 'G'];
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}
