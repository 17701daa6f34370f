// AdamW and the masked loss against independent references: torch.optim.AdamW (Debian PyTorch)
// with a changing learning rate, and a log-softmax written out by hand.
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, globalNorm } from '../../../src/tuning/train/clip';
import { maskedNllSum } from '../../../src/tuning/train/loss';
import { AdamW } from '../../../src/tuning/train/optimizer';
import { maxAbsDiff, useCpu } from './helpers';

beforeAll(useCpu);

const TORCH_ADAMW = `
import json, sys, torch
spec = json.loads(sys.argv[1])
p = torch.nn.Parameter(torch.tensor(spec["p"], dtype=torch.float64))
opt = torch.optim.AdamW([p], lr=1.0, betas=(0.9, 0.999), eps=1e-8, weight_decay=spec["wd"])
for grad, lr in zip(spec["grads"], spec["lrs"]):
    for group in opt.param_groups: group["lr"] = lr
    p.grad = torch.tensor(grad, dtype=torch.float64)
    opt.step()
print(json.dumps(p.detach().tolist()))
`;

describe('AdamW', () => {
  it('matches torch.optim.AdamW over 4 steps with weight decay and a changing learning rate', () => {
    const p0 = [0.5, -1.2, 3.0, 0.01];
    const grads = [
      [0.1, -0.2, 0.3, 0.0],
      [1.5, 0.2, -0.7, 1e-3],
      [-0.3, 0.05, 0.0, 2.0],
      [0.2, -0.9, 0.4, -0.1],
    ];
    const lrs = [1e-2, 3e-2, 2e-2, 5e-3];
    const expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', TORCH_ADAMW, JSON.stringify({ p: p0, grads, lrs, wd: 0.1 })], { encoding: 'utf8' }),
    ) as number[];
    const variable = tf.variable(tf.tensor1d(p0));
    const optimizer = new AdamW([{ key: 'p', variable }], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 });
    grads.forEach((g, i) => {
      const grad = tf.tensor1d(g);
      optimizer.step(new Map([['p', grad]]), lrs[i]!);
      grad.dispose();
    });
    expect(maxAbsDiff(variable.dataSync(), expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(expected, p0)).toBeGreaterThan(1e-2);
    optimizer.dispose();
    variable.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('scales all gradients together to the max norm, and leaves small ones alone', () => {
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor1d([0, 4])],
    ]);
    const norm = globalNorm(grads.values());
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    const clipped = clipByGlobalNorm(grads, 5, 1);
    expect(globalNorm(clipped.values()).dataSync()[0]).toBeCloseTo(1, 5);
    expect(Array.from(clipped.get('a')!.dataSync())).toEqual([expect.closeTo(0.6, 5), 0]);
    const untouched = clipByGlobalNorm(grads, 5, 10);
    expect(Array.from(untouched.get('b')!.dataSync())).toEqual([0, 4]);
  });
});

describe('maskedNllSum', () => {
  it('sums -log softmax(target) over masked positions only, skipping prepended rows', () => {
    const V = 5;
    const logitsValues = Array.from({ length: 1 * 5 * V }, (_, i) => Math.sin(i * 1.7) * 3);
    const logits = tf.tensor3d(logitsValues, [1, 5, V]); // 2 prepended rows + 3 real
    const ids = tf.tensor2d([[1, 4, 2]], undefined, 'int32');
    const mask = tf.tensor2d([[0, 0, 1]]);
    const got = maskedNllSum(logits, ids, mask, 2).dataSync()[0]!;
    // Only position 1 (real row 1 = logits row 3) predicting ids[2] = 2 counts.
    const row = logitsValues.slice(3 * V, 4 * V);
    const logSumExp = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    expect(got).toBeCloseTo(logSumExp - row[2]!, 5);
  });
});
