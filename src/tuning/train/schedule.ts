// nanoGPT's learning-rate schedule: linear warmup, then cosine decay to a floor.

export interface LrSchedule {
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  /** Step at which the cosine reaches minLr (normally the total number of optimizer steps). */
  decaySteps: number;
}

/** Learning rate for optimizer step `step` (0-based). */
export function getLr(step: number, s: LrSchedule): number {
  if (step < s.warmupSteps) return (s.maxLr * (step + 1)) / (s.warmupSteps + 1);
  if (step >= s.decaySteps) return s.minLr;
  const ratio = (step - s.warmupSteps) / Math.max(1, s.decaySteps - s.warmupSteps);
  const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
  return s.minLr + coeff * (s.maxLr - s.minLr);
}
