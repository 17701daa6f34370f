// The "Advanced" disclosure: hyperparameters as optional fields. An empty field keeps the value
// the engine chooses from the data (chooseDefaults), shown as the placeholder once known. A
// method's own fields come as text boxes (numbers), checkboxes (booleans), a select (a string with
// a fixed set of values) or a group of checkboxes (a subset of such values, sent comma-separated
// as on the CLI); untouched, each keeps the method's default.
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

/** The method's fields shown here: labelled numbers, booleans and fixed choices (free text stays on the CLI). */
export function advancedMethodFields(method: Pick<MethodSummary, 'fields'>): MethodField[] {
  return method.fields.filter((f) => f.label && (f.type !== 'string' || (f.choices?.length ?? 0) > 0));
}

/** The value a method field's raw entry stands for, or null when it is not one it takes. */
function fieldValue(field: MethodField, raw: string): ConfigValue | null {
  if (field.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : null;
  if (field.type === 'string') {
    const choices = field.choices ?? [];
    if (!field.multiple) return choices.includes(raw) ? raw : null;
    const picked = raw.split(',').map((v) => v.trim()).filter(Boolean);
    return picked.length > 0 && picked.every((v) => choices.includes(v)) ? picked.join(',') : null;
  }
  return isValid(raw, field.type === 'integer', field.min ?? null);
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
    // Every box of a multiple choice unticked is a choice of nothing, not "automatic".
    if (field.multiple && raw === '') return { invalid: field.key };
    if (!raw) continue;
    const value = fieldValue(field, raw);
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

/** The chosen values of a multiple-choice field: what was ticked, else the method's default. */
function pickedChoices(field: MethodField, values: AdvancedValues, defaults: TrainDefaults | null): string[] {
  const raw = values[field.key] ?? defaults?.methodConfig[field.key];
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',').map((v) => v.trim()) : [];
  return (field.choices ?? []).filter((choice) => list.includes(choice));
}

function MethodFieldControl({ field, values, defaults, disabled, onChange }: Omit<Props, 'method'> & { field: MethodField }) {
  const label = field.label![getLocale()];
  const testId = `train-setting-${field.key}`;
  const set = (value: string) => onChange({ ...values, [field.key]: value });
  if (field.type === 'boolean') {
    const checked = values[field.key] !== undefined ? values[field.key] === 'true' : defaults?.methodConfig[field.key] === true;
    return (
      <label class="form-field checkbox-field">
        <input type="checkbox" data-testid={testId} checked={checked} disabled={disabled} onChange={(e) => set(String(e.currentTarget.checked))} />
        {label}
      </label>
    );
  }
  if (field.type === 'string' && field.multiple) {
    const picked = pickedChoices(field, values, defaults);
    return (
      <fieldset class="form-field choice-group" data-testid={testId}>
        <legend>{label}</legend>
        {(field.choices ?? []).map((choice) => (
          <label key={choice} class="checkbox-field">
            <input
              type="checkbox"
              data-testid={`${testId}-${choice}`}
              checked={picked.includes(choice)}
              disabled={disabled}
              onChange={(e) => {
                const next = e.currentTarget.checked ? [...picked, choice] : picked.filter((p) => p !== choice);
                set((field.choices ?? []).filter((c) => next.includes(c)).join(','));
              }}
            />
            {choice}
          </label>
        ))}
      </fieldset>
    );
  }
  if (field.type === 'string') {
    const automatic = placeholderFor(field.key, true, defaults);
    return (
      <label class="form-field">
        {label}
        <select data-testid={testId} value={values[field.key] ?? ''} disabled={disabled} onChange={(e) => set(e.currentTarget.value)}>
          <option value="">{automatic ? t('train.setting.automaticValue', { value: automatic }) : t('train.setting.automatic')}</option>
          {(field.choices ?? []).map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return <NumberField field={field.key} label={label} own values={values} defaults={defaults} disabled={disabled} onChange={onChange} />;
}

function NumberField({ field, label, own, values, defaults, disabled, onChange }: Omit<Props, 'method'> & { field: string; label: string; own: boolean }) {
  return (
    <label class="form-field">
      {label}
      <input
        type="text"
        inputMode="decimal"
        data-testid={`train-setting-${field}`}
        value={values[field] ?? ''}
        placeholder={placeholderFor(field, own, defaults)}
        disabled={disabled}
        onInput={(e) => onChange({ ...values, [field]: e.currentTarget.value })}
      />
    </label>
  );
}

export function AdvancedSettings({ method, values, defaults, disabled, onChange }: Props) {
  return (
    <details class="train-advanced" data-testid="train-advanced">
      <summary>{t('train.advanced')}</summary>
      <p class="hint">{t('train.advanced.hint')}</p>
      <div class="train-advanced-grid">
        {TRAIN_FIELDS.map((field) => (
          <NumberField key={field} field={field} label={fieldLabel(field, method)} own={false} values={values} defaults={defaults} disabled={disabled} onChange={onChange} />
        ))}
        {advancedMethodFields(method).map((field) => (
          <MethodFieldControl key={field.key} field={field} values={values} defaults={defaults} disabled={disabled} onChange={onChange} />
        ))}
      </div>
    </details>
  );
}
