// @vitest-environment jsdom
// The pieces of the Train view that hold logic: hyperparameter fields -> engine overrides, and the
// loss chart (drawn lines, accessible name and summary).
import { render } from 'preact';
import { describe, expect, test } from 'vitest';
import { setLocale } from '../../../../src/i18n';
import { LossChart, chartScale, lossSummary } from '../../../../src/ui/charts/LossChart';
import { methodSummaries } from '../../../../src/tuning/registry';
import { AdvancedSettings, advancedMethodFields, fieldLabel, overridesFrom } from '../../../../src/ui/train/AdvancedSettings';
import { formatCount } from '../../../../src/ui/train/format';
import { TrainResult } from '../../../../src/ui/train/TrainResult';
import type { TrainSummary } from '../../../../src/engine/protocol/types';

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
  test('booleans and fixed choices become method config; a value outside the choices is refused', () => {
    expect(overridesFrom({ useDora: 'true', useRslora: 'false' }, summary('lora'))).toEqual({ overrides: {}, methodConfig: { useDora: true, useRslora: false } });
    expect(overridesFrom({ kind: 'pfeiffer', activation: 'relu' }, summary('adapter'))).toEqual({ overrides: {}, methodConfig: { kind: 'pfeiffer', activation: 'relu' } });
    expect(overridesFrom({ parts: 'norms,head' }, summary('lightweight'))).toEqual({ overrides: {}, methodConfig: { parts: 'norms,head' } });
    expect(overridesFrom({ kind: 'other' }, summary('adapter'))).toEqual({ invalid: 'kind' });
    expect(overridesFrom({ parts: 'head,wings' }, summary('lightweight'))).toEqual({ invalid: 'parts' });
    expect(overridesFrom({ parts: ',' }, summary('lightweight'))).toEqual({ invalid: 'parts' });
    expect(overridesFrom({ parts: '' }, summary('lightweight'))).toEqual({ invalid: 'parts' }); // every box unticked
    expect(overridesFrom({ encoder: '' }, summary('p-tuning'))).toEqual({ overrides: {}, methodConfig: {} }); // "automatic"
  });
  test('draws checkboxes for booleans and parts, a select for a fixed choice, showing the defaults', () => {
    setLocale('en');
    const defaults = { settings: {}, methodConfig: { kind: 'houlsby', parts: ['head', 'norms'], useDora: false, useRslora: true }, exampleCount: 3, memory: null, estimates: [] } as never;
    const changes: Record<string, string | undefined>[] = [];
    const root = document.createElement('div');
    document.body.append(root); // a click changes a checkbox (and fires change) only when connected
    render(<AdvancedSettings method={summary('adapter')} values={{}} defaults={defaults} disabled={false} onChange={(v) => changes.push(v)} />, root);
    const select = root.querySelector<HTMLSelectElement>('[data-testid="train-setting-kind"]')!;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Automatic (houlsby)', 'houlsby', 'pfeiffer']);
    expect(select.closest('label')!.textContent).toContain('Adapter placement');

    render(<AdvancedSettings method={summary('lora')} values={{}} defaults={defaults} disabled={false} onChange={(v) => changes.push(v)} />, root);
    const dora = root.querySelector<HTMLInputElement>('[data-testid="train-setting-useDora"]')!;
    expect(dora.type).toBe('checkbox');
    expect(dora.checked).toBe(false);
    expect(root.querySelector<HTMLInputElement>('[data-testid="train-setting-useRslora"]')!.checked).toBe(true);
    dora.click();
    expect(changes.at(-1)).toEqual({ useDora: 'true' });

    render(<AdvancedSettings method={summary('lightweight')} values={{}} defaults={defaults} disabled={false} onChange={(v) => changes.push(v)} />, root);
    const group = root.querySelector('[data-testid="train-setting-parts"]')!;
    expect(group.querySelector('legend')!.textContent).toBe('Parts to train');
    const boxes = ['head', 'norms', 'bias'].map((p) => root.querySelector<HTMLInputElement>(`[data-testid="train-setting-parts-${p}"]`)!);
    expect(boxes.map((b) => b.checked)).toEqual([true, true, false]);
    boxes[0]!.click(); // untick the head: norms alone
    expect(changes.at(-1)).toEqual({ parts: 'norms' });
    render(null, root);
    root.remove();
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
      for (const locale of ['en', 'zh_CN'] as const) {
        setLocale(locale);
        for (const field of fields) expect(fieldLabel(field.key, method)).toBe(field.label![locale]);
        expect(method.text[locale].label.length).toBeGreaterThan(0);
        expect(method.text[locale].description.length).toBeGreaterThan(10);
      }
    }
    setLocale('en');
    expect(advancedMethodFields(summary('lora')).map((f) => f.key)).toEqual(['r', 'alpha', 'dropout', 'useRslora', 'useDora']);
    expect(advancedMethodFields(summary('lightweight')).map((f) => f.key)).toEqual(['parts']);
    // Free text (module names or a regular expression) stays on the CLI.
    expect(advancedMethodFields(summary('ia3'))).toEqual([]);
    expect(advancedMethodFields(summary('prompt-tuning')).map((f) => f.key)).toEqual(['numVirtualTokens']);
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

describe('method figures', () => {
  test('trainable parameters read at a glance', () => {
    expect(formatCount(512)).toBe('512');
    expect(formatCount(5120)).toBe('5.1 k');
    expect(formatCount(86016)).toBe('86 k');
    expect(formatCount(5999872)).toBe('6.0 M');
    expect(formatCount(1.3e9)).toBe('1.3 G');
  });
});

describe('the result of a run', () => {
  const summary: TrainSummary = { status: 'completed', steps: 2, heldOutLossBefore: 3, heldOutLossAfter: 2, lastTrainLoss: 2, tokensPerSecond: 10, trainableParameters: 5, samples: [] };

  test('a new model is named, linked to Models and offered for chat, in English and Chinese; an adapter says so', () => {
    const root = document.createElement('div');
    const used: unknown[] = [];
    const model = { id: 'm-1', name: 'Attune default · Full fine-tuning · 2026-12-07 12:30' };
    setLocale('en');
    render(<TrainResult summary={summary} savedModel={model} onUseModel={(m) => used.push(m)} />, root);
    expect(root.querySelector('[data-testid="train-saved-model"] p')!.textContent).toBe(`Saved as a new model, “${model.name}”, in the Models tab.`);
    expect(root.querySelector<HTMLAnchorElement>('[data-testid="train-open-models"]')!.getAttribute('href')).toBe('#models');
    root.querySelector<HTMLButtonElement>('[data-testid="train-use-model"]')!.click();
    expect(used).toEqual([model]);
    expect(root.textContent).not.toContain('Saved as an adapter');

    setLocale('zh_CN');
    render(<TrainResult summary={summary} savedModel={model} onUseModel={() => undefined} />, root);
    expect(root.querySelector('[data-testid="train-saved-model"] p')!.textContent).toBe(`已保存为新模型“${model.name}”，见“模型”页。`);
    expect(root.querySelector('[data-testid="train-use-model"]')!.textContent).toBe('用此模型聊天');

    setLocale('en');
    render(<TrainResult summary={summary} savedModel={null} onUseModel={() => undefined} />, root);
    expect(root.querySelector('[data-testid="train-saved-model"]')).toBeNull();
    expect(root.textContent).toContain('Saved as an adapter. Manage it in the Adapters tab.');
    render(null, root);
  });
});
