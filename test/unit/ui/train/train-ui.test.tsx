// @vitest-environment jsdom
// The pieces of the Train view that hold logic: hyperparameter fields -> engine overrides, and the
// loss chart (drawn lines, accessible name and summary).
import { render } from 'preact';
import { describe, expect, test } from 'vitest';
import { setLocale } from '../../../../src/i18n';
import { LossChart, chartScale, lossSummary } from '../../../../src/ui/charts/LossChart';
import { methodSummaries } from '../../../../src/tuning/registry';
import { advancedMethodFields, fieldLabel, overridesFrom } from '../../../../src/ui/train/AdvancedSettings';

const summary = (name: string) => methodSummaries().find((m) => m.name === name)!;

describe('advanced settings', () => {
  test('empty fields keep the defaults; filled ones become overrides, lr also sets the floor', () => {
    expect(overridesFrom({}, summary('lora'))).toEqual({ overrides: {}, methodConfig: {} });
    expect(overridesFrom({ maxSteps: '8', lr: '0.05', r: '16', alpha: '32', numVirtualTokens: '4' }, summary('lora'))).toEqual({
      overrides: { maxSteps: 8, lr: 0.05, minLr: 0.005 },
      methodConfig: { r: 16, alpha: 32 }, // the soft-prompt field does not leak into a LoRA run
    });
    expect(overridesFrom({ numVirtualTokens: '12', seed: '0' }, summary('prompt-tuning'))).toEqual({ overrides: { seed: 0 }, methodConfig: { numVirtualTokens: 12 } });
    expect(overridesFrom({ dropout: '0' }, summary('lora'))).toEqual({ overrides: {}, methodConfig: { dropout: 0 } }); // its minimum is 0
  });
  test.each([
    [{ maxSteps: '2.5' }, 'maxSteps'],
    [{ lr: '-1' }, 'lr'],
    [{ batchSize: 'many' }, 'batchSize'],
    [{ r: '0' }, 'r'],
    [{ r: '4.5' }, 'r'],
    [{ dropout: '-0.1' }, 'dropout'],
  ])('names the first invalid field (%o)', (values, field) => {
    expect(overridesFrom(values, summary('lora'))).toEqual({ invalid: field });
  });
  test('every method shows its own fields, labelled in both languages', () => {
    for (const method of methodSummaries()) {
      const fields = advancedMethodFields(method);
      expect(fields.length, method.name).toBeGreaterThan(0);
      for (const locale of ['en', 'zh_CN'] as const) {
        setLocale(locale);
        for (const field of fields) expect(fieldLabel(field.key, method)).toBe(field.label![locale]);
        expect(method.text[locale].label.length).toBeGreaterThan(0);
        expect(method.text[locale].description.length).toBeGreaterThan(10);
      }
    }
    setLocale('en');
    expect(fieldLabel('lr', summary('lora'))).toBe('Learning rate');
  });
});

describe('loss chart', () => {
  const points = [
    { step: 1, loss: 4, heldOutLoss: null },
    { step: 2, loss: 3, heldOutLoss: 3.5 },
    { step: 4, loss: 2, heldOutLoss: 3 },
  ];
  test('scales the highest loss to the top and the last step to the right edge', () => {
    const scale = chartScale(points, 500, 200);
    expect(scale.y(4)).toBeLessThan(scale.y(2));
    expect(scale.y(4)).toBe(10);
    expect(scale.x(4)).toBe(500 - 12);
    expect(scale.minLoss).toBe(2);
  });
  test('draws both lines with an accessible name and a text summary', () => {
    setLocale('en');
    const root = document.createElement('div');
    render(<LossChart points={points} />, root);
    const svg = root.querySelector('svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(root.querySelector(`#${svg.getAttribute('aria-labelledby')}`)?.textContent).toBe('Loss by step');
    expect(root.querySelector('[data-testid="loss-chart-train"]')!.getAttribute('d')!.split('L')).toHaveLength(3);
    expect(root.querySelector('[data-testid="loss-chart-heldout"]')!.getAttribute('d')!.split('L')).toHaveLength(2);
    expect(root.querySelector('[data-testid="loss-chart-summary"]')!.textContent).toBe(lossSummary(points));
    expect(lossSummary(points)).toBe('Training loss went from 4.000 at step 1 to 2.000 at step 4. Held-out loss is now 3.000.');
  });
  test('says in words that the curve is still empty, in Chinese too', () => {
    setLocale('zh_CN');
    const root = document.createElement('div');
    render(<LossChart points={[]} />, root);
    expect(root.textContent).toBe('第一步之后会显示损失曲线。');
    setLocale('en');
  });
});
