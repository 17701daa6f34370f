// The "Advanced" disclosure: hyperparameters as optional fields. An empty field keeps the value
// the engine chooses from the data (chooseDefaults), shown as the placeholder once known.
import '../../i18n/train';
import type { ConfigValue, TrainDefaults } from '../../engine/protocol/types';
import { t } from '../../i18n';
import type { TrainSettings } from '../../tuning/train/defaults';
import type { MethodName } from '../../tuning/types';

export type SettingField = 'maxSteps' | 'epochs' | 'lr' | 'batchSize' | 'maxLength' | 'seed' | 'r' | 'numVirtualTokens';
export type AdvancedValues = Partial<Record<SettingField, string>>;

const TRAIN_FIELDS: SettingField[] = ['maxSteps', 'epochs', 'lr', 'batchSize', 'maxLength', 'seed'];
const METHOD_FIELD: Record<MethodName, SettingField> = { lora: 'r', 'prompt-tuning': 'numVirtualTokens' };
/** Fields that must be whole numbers. */
const INTEGER_FIELDS = new Set<SettingField>(['maxSteps', 'epochs', 'batchSize', 'maxLength', 'seed', 'r', 'numVirtualTokens']);

export type BuiltOverrides =
  | { overrides: Partial<TrainSettings>; methodConfig: Record<string, ConfigValue> }
  | { invalid: SettingField };

/** Turns the filled-in fields into engine overrides; names the first field that is not valid. */
export function overridesFrom(values: AdvancedValues, method: MethodName): BuiltOverrides {
  const overrides: Partial<TrainSettings> = {};
  const methodConfig: Record<string, ConfigValue> = {};
  for (const field of [...TRAIN_FIELDS, METHOD_FIELD[method]]) {
    const raw = values[field]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    const valid = Number.isFinite(value) && (field === 'seed' ? value >= 0 : value > 0) && (!INTEGER_FIELDS.has(field) || Number.isInteger(value));
    if (!valid) return { invalid: field };
    if (field === 'r' || field === 'numVirtualTokens') methodConfig[field] = value;
    else (overrides as Record<string, number>)[field] = value;
  }
  if (overrides.lr !== undefined) overrides.minLr = overrides.lr / 10; // keep the cosine's floor in proportion
  return { overrides, methodConfig };
}

function placeholderFor(field: SettingField, defaults: TrainDefaults | null): string {
  if (!defaults) return '';
  if (field === 'r' || field === 'numVirtualTokens') return String(defaults.methodConfig[field] ?? '');
  const value = defaults.settings[field as keyof TrainSettings];
  return value === null || value === undefined ? '' : String(value);
}

interface Props {
  method: MethodName;
  values: AdvancedValues;
  defaults: TrainDefaults | null;
  disabled: boolean;
  onOpen(): void;
  onChange(values: AdvancedValues): void;
}

export function AdvancedSettings({ method, values, defaults, disabled, onOpen, onChange }: Props) {
  const fields = [...TRAIN_FIELDS, METHOD_FIELD[method]];
  return (
    <details class="train-advanced" data-testid="train-advanced" onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && onOpen()}>
      <summary>{t('train.advanced')}</summary>
      <p class="hint">{t('train.advanced.hint')}</p>
      <div class="train-advanced-grid">
        {fields.map((field) => (
          <label class="form-field" key={field}>
            {t(`train.setting.${field}`)}
            <input
              type="text"
              inputMode="decimal"
              data-testid={`train-setting-${field}`}
              value={values[field] ?? ''}
              placeholder={placeholderFor(field, defaults)}
              disabled={disabled}
              onInput={(e) => onChange({ ...values, [field]: e.currentTarget.value })}
            />
          </label>
        ))}
      </div>
    </details>
  );
}
