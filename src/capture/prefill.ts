// What the capture form starts with, given what was selected and how the capture was started.

import type { CaptureMode } from '../messaging/protocol';
import type { CapturedSelection } from './selection';
import { truncateToLimit } from './truncate';

export interface CapturePrefill {
  input: string;
  output: string;
  /** Fields whose prefilled text was cut to the limit, with the original length, for a notice. */
  truncated: { field: 'input' | 'output'; originalLength: number }[];
}

/**
 * 'output': the selection is the answer the model should learn to give; its paragraph (when it
 * says more than the selection) becomes the input/context. 'input': the selection is the input,
 * and the person types the output.
 */
export function prefillFor(mode: CaptureMode, selection: CapturedSelection | null): CapturePrefill {
  const text = selection?.text ?? '';
  const paragraph = selection?.paragraph ?? '';
  const context = paragraph.length > text.length && paragraph.includes(text) ? paragraph : '';
  const raw = mode === 'output' ? { input: context, output: text } : { input: text, output: '' };
  const input = truncateToLimit(raw.input);
  const output = truncateToLimit(raw.output);
  const truncated: CapturePrefill['truncated'] = [];
  if (input.truncated) truncated.push({ field: 'input', originalLength: input.originalLength });
  if (output.truncated) truncated.push({ field: 'output', originalLength: output.originalLength });
  return { input: input.text, output: output.text, truncated };
}
