// The "Advanced" disclosure: hyperparameters as optional fields. An empty field keeps the value
// the engine chooses from the data (chooseDefaults), shown as the placeholder once known.
import '../../i18n/train';
import type { ConfigValue, TrainDefaults } from '../../engine/protocol/types';
import { getLocale, t } from '../../i18n';
import type { TrainSettings } from '../../tuning/train/defaults';
import type { MethodField, MethodSummary } from '../../tuning/types';

/** The run settings every method shares; the method's own fields follow them. */
const TRAIN_FIELDS = ['maxSteps', 'epochs', 'lr', 'batchSize', 'maxLength', 'seed'] as const;
type TrainField = (typeof TRAIN_FIELDS)[number];
/** Fields that must be whole numbers. */
const INTEGER_TRAIN_FIELDS = new Set<string>(['maxSteps', 'epochs', 'batchSize', 'maxLength', 'seed']);

/** Field key -> what the person typed ('' or absent: keep the chosen value). */
export type AdvancedValues = Partial<Record<string, string>>;

/** The method's fields shown here: numbers with a label (booleans and lists stay on the CLI). */
export function advancedMethodFields(method: Pick<MethodSummary, 'fields'>): MethodField[] {
  return method.fields.filter((f) => f.label && (f.type === 'integer' || f.type === 'number'));
}

export type BuiltOverrides =
  | { overrides: Partial<TrainSettings>; methodConfig: Record<string, ConfigValue> }
  | { invalid: string };

function isValid(raw: string, integer: boolean, min: number | null): number | null {
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return null;
  if (min === null ? value <= 0 : value < min) return null;
  return value;
}

/** Turns the filled-in fields into engine overrides; names the first field that is not valid. */
export function overridesFrom(values: AdvancedValues, method: Pick<MethodSummary, 'fields'>): BuiltOverrides {
  const overrides: Partial<TrainSettings> = {};
  const methodConfig: Record<string, ConfigValue> = {};
  for (const field of TRAIN_FIELDS) {
    const raw = values[field]?.trim();
    if (!raw) continue;
    const value = isValid(raw, INTEGER_TRAIN_FIELDS.has(field), field === 'seed' ? 0 : null);
    if (value === null) return { invalid: field };
    (overrides as Record<TrainField, number>)[field] = value;
  }
  for (const field of advancedMethodFields(method)) {
    const raw = values[field.key]?.trim();
    if (!raw) continue;
    const value = isValid(raw, field.type === 'integer', field.min ?? null);
    if (value === null) return { invalid: field.key };
    methodConfig[field.key] = value;
  }
  if (overrides.lr !== undefined) overrides.minLr = overrides.lr / 10; // keep the cosine's floor in proportion
  return { overrides, methodConfig };
}

/** The label of a field key: a run setting's, or the method's own in the reader's language. */
export function fieldLabel(key: string, method: Pick<MethodSummary, 'fields'>): string {
  const own = method.fields.find((f) => f.key === key)?.label;
  return own ? own[getLocale()] : t(`train.setting.${key}`);
}

function placeholderFor(key: string, own: boolean, defaults: TrainDefaults | null): string {
  if (!defaults) return '';
  const value = own ? defaults.methodConfig[key] : defaults.settings[key as keyof TrainSettings];
  return value === null || value === undefined ? '' : String(value);
}

interface Props {
  method: Pick<MethodSummary, 'fields'>;
  values: AdvancedValues;
  defaults: TrainDefaults | null;
  disabled: boolean;
  onChange(values: AdvancedValues): void;
}

export function AdvancedSettings({ method, values, defaults, disabled, onChange }: Props) {
  const own = advancedMethodFields(method).map((f) => f.key);
  const fields = [...TRAIN_FIELDS, ...own];
  return (
    <details class="train-advanced" data-testid="train-advanced">
      <summary>{t('train.advanced')}</summary>
      <p class="hint">{t('train.advanced.hint')}</p>
      <div class="train-advanced-grid">
        {fields.map((field) => (
          <label class="form-field" key={field}>
            {fieldLabel(field, method)}
            <input
              type="text"
              inputMode="decimal"
              data-testid={`train-setting-${field}`}
              value={values[field] ?? ''}
              placeholder={placeholderFor(field, own.includes(field), defaults)}
              disabled={disabled}
              onInput={(e) => onChange({ ...values, [field]: e.currentTarget.value })}
            />
          </label>
        ))}
      </div>
    </details>
  );
}
