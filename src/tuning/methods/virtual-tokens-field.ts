// The prompt-length knob that soft prompts and per-layer prefixes share: one definition, so the
// Train view and `--virtual-tokens` read the same for every method that has it.
import type { MethodField } from '../types';

export function virtualTokensField(help: string): MethodField {
  return { key: 'numVirtualTokens', flag: 'virtual-tokens', type: 'integer', min: 1, label: { en: 'Virtual tokens', zh_CN: '虚拟词元数' }, help };
}
