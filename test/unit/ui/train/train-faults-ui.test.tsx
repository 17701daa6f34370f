// @vitest-environment jsdom
// What the Train view shows when storage is full: a warning while training goes on without new
// checkpoints (naming the step it would continue from), and the run's storage-full error, in
// English and Simplified Chinese.
import { errorsZhCN } from '../../../../src/i18n/errors.zh_CN';
import { render } from 'preact';
import { afterEach, describe, expect, test } from 'vitest';
import { idleTrainState, type TrainState } from '../../../../src/engine/protocol/types';
import { setLocale } from '../../../../src/i18n';
import { TrainProgressPanel } from '../../../../src/ui/train/TrainView';

const FULL = { code: 'storage-full', key: 'error.storage-full.adapter', message: 'Browser storage is full, so the trained adapter was not saved (your other adapters are unchanged). Delete examples, models or adapters you no longer need (Dashboard → Settings shows usage), then train again.' };

function panel(change: Partial<TrainState>): HTMLElement {
  const root = document.createElement('div');
  render(<TrainProgressPanel state={{ ...idleTrainState(), runId: 'r1', method: 'lora', totalSteps: 8, ...change }} />, root);
  return root;
}
const warning = (root: HTMLElement) => root.querySelector('[data-testid="train-checkpoint-error"]');
const error = (root: HTMLElement) => root.querySelector('[data-testid="train-error"]');

afterEach(() => setLocale('en'));

describe('storage full in the Train view', () => {
  test('a refused checkpoint shows a warning while the run goes on, naming the last saved step', () => {
    setLocale('en');
    const root = panel({ phase: 'running', step: 5, checkpointStep: 2, checkpointError: { code: 'storage-full', message: 'engine text' } });
    expect(warning(root)?.getAttribute('role')).toBe('status');
    expect(warning(root)?.textContent).toBe('Storage is full, so the latest checkpoint was not saved. Training goes on; if it is interrupted, it continues from step 2. Free some space (Settings shows usage) and the next checkpoint is saved.');
    expect(root.querySelector('[data-testid="train-checkpoint"]')?.getAttribute('data-step')).toBe('2');
    expect(error(root)).toBeNull(); // a warning, not a failure
    expect(warning(panel({ phase: 'paused', step: 1, checkpointStep: null, checkpointError: { code: 'storage-full', message: '' } }))?.textContent).toContain('it starts again from the beginning');
  });

  test('in Chinese', () => {
    setLocale('zh_CN');
    expect(warning(panel({ phase: 'running', step: 5, checkpointStep: 2, checkpointError: { code: 'storage-full', message: '' } }))?.textContent).toBe('存储空间已满，最新的检查点未能保存。训练仍在继续；如果被中断，将从第 2 步继续。释放一些空间（“设置”中显示用量）后，下一个检查点会正常保存。');
    const failed = panel({ phase: 'failed', step: 8, error: FULL });
    expect(error(failed)?.getAttribute('data-code')).toBe('storage-full');
    expect(error(failed)?.textContent).toBe(errorsZhCN['error.storage-full.adapter']);
    expect(error(failed)?.textContent).toMatch(/[\u4e00-\u9fff]/);
  });

  test('a run that failed because the adapter could not be saved says so; an ended run shows no checkpoint warning', () => {
    setLocale('en');
    const failed = panel({ phase: 'failed', step: 8, error: FULL, checkpointError: { code: 'storage-full', message: '' } });
    expect(error(failed)?.getAttribute('role')).toBe('alert');
    expect(error(failed)?.textContent).toBe(FULL.message);
    expect(warning(failed)).toBeNull();
  });
});
