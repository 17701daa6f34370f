// Every method's one-click cost on the person's selection, for the Train view's method picker:
// trainable parameters on the active model, the memory plan's peak, and the run time estimated
// from the run's training tokens and a tokens/s measured by an earlier run (or assumed; see
// tuning/train/run-estimate.ts).
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../../model/model';
import type { AdapterRecord } from '../../../storage/schema';
import { TooLargeToTrainError } from '../../../tuning/errors';
import { getMethod } from '../../../tuning/registry';
import type { TrainingExample } from '../../../tuning/train/data';
import { planTraining } from '../../../tuning/train/prepare';
import { estimateRun, trainingTokens } from '../../../tuning/train/run-estimate';
import type { MethodName } from '../../../tuning/types';
import type { MethodEstimate } from '../../protocol/types';

/** Method -> tokens/s of its newest trained adapter (records come newest first). */
export function measuredSpeeds(adapters: readonly AdapterRecord[]): Map<string, number> {
  const speeds = new Map<string, number>();
  for (const adapter of adapters) {
    const speed = adapter.metrics?.tokensPerSecond;
    if (typeof speed === 'number' && speed > 0 && !speeds.has(adapter.method)) speeds.set(adapter.method, speed);
  }
  return speeds;
}

export function methodEstimate(model: LoadedModel, name: MethodName, examples: readonly TrainingExample[], measuredTokensPerSecond: number | null): MethodEstimate {
  const method = getMethod(name);
  try {
    const plan = planTraining({ model, method: name, examples });
    const trainableParameters = method.parameterCount(plan.config, model.config);
    const run = estimateRun({
      tokens: trainingTokens(plan.train.examples.map((e) => e.ids.length), plan.settings),
      model: model.config,
      trainableParameters,
      backend: plan.memory?.backend ?? tf.getBackend(),
      measuredTokensPerSecond,
    });
    return {
      method: name,
      trainableParameters,
      estimatedPeakBytes: plan.memory?.estimatedPeakBytes ?? null,
      fits: true,
      tokens: run.tokens,
      tokensPerSecond: run.tokensPerSecond,
      measuredSpeed: run.measured,
      seconds: run.seconds,
    };
  } catch (error) {
    // A method the memory plan refuses is still listed, marked as not fitting, with its leanest peak.
    if (!(error instanceof TooLargeToTrainError)) throw error;
    return {
      method: name,
      trainableParameters: method.parameterCount(method.defaultConfig(model.config), model.config),
      estimatedPeakBytes: error.plan.estimatedPeakBytes,
      fits: false,
      tokens: 0,
      tokensPerSecond: 0,
      measuredSpeed: false,
      seconds: 0,
    };
  }
}
