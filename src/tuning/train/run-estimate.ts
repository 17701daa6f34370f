// How long a run would take, before it starts: the tokens it will train on divided by a training
// speed. The speed is measured where possible (the caller passes the tokens/s of the newest run of
// the same method on the same model) and assumed otherwise, from the model's size: a training
// step costs about 4 FLOPs per base parameter per token (forward, and the backward through the
// frozen weights to reach earlier layers) plus 2 per trained parameter (its weight gradient),
// divided by a rough throughput per backend. The throughputs are calibrated on the methods bench
// (docs/tuning.md: LoRA ≈ 490 tokens/s, full ≈ 330 tokens/s on the 6 M-parameter default model,
// wasm, 2 shared cores); early stopping can only make a run shorter than estimated.
import type { ModelConfig } from '../../model/types';
import { frozenParameterCount } from './memory-plan';
import type { TrainSettings } from './defaults';

/** Rough sustained training FLOP/s per backend (see above); unknown backends use the wasm figure. */
const ASSUMED_FLOPS_PER_SECOND: Readonly<Record<string, number>> = {
  wasm: 1.2e10,
  cpu: 1e9,
  webgl: 2e10,
  webgpu: 5e10,
};

export interface RunEstimate {
  /** Real (unpadded) tokens the run trains on, over all its steps. */
  tokens: number;
  tokensPerSecond: number;
  /** True when the speed comes from an earlier run of this method on this model. */
  measured: boolean;
  seconds: number;
}

/** Training tokens of a run: every epoch's tokens, or the share of them its step cap reaches. */
export function trainingTokens(exampleLengths: readonly number[], settings: Pick<TrainSettings, 'epochs' | 'maxSteps' | 'batchSize' | 'gradAccumSteps'>): number {
  if (exampleLengths.length === 0) return 0;
  const perEpoch = exampleLengths.reduce((sum, n) => sum + n, 0);
  const stepsPerEpoch = Math.ceil(Math.ceil(exampleLengths.length / settings.batchSize) / settings.gradAccumSteps);
  const steps = settings.maxSteps ?? settings.epochs * stepsPerEpoch;
  return Math.round((perEpoch * steps) / stepsPerEpoch);
}

/** Tokens/s assumed for a model of this shape training this many parameters on this backend. */
export function assumedTokensPerSecond(model: ModelConfig, trainableParameters: number, backend: string): number {
  const flopsPerToken = 4 * frozenParameterCount(model) + 2 * trainableParameters;
  return (ASSUMED_FLOPS_PER_SECOND[backend] ?? ASSUMED_FLOPS_PER_SECOND.wasm!) / flopsPerToken;
}

export function estimateRun(input: {
  tokens: number;
  model: ModelConfig;
  trainableParameters: number;
  backend: string;
  /** Tokens/s of an earlier run of the same method on the same model, when there is one. */
  measuredTokensPerSecond?: number | null;
}): RunEstimate {
  const measured = input.measuredTokensPerSecond != null && input.measuredTokensPerSecond > 0;
  const tokensPerSecond = measured ? input.measuredTokensPerSecond! : assumedTokensPerSecond(input.model, input.trainableParameters, input.backend);
  return { tokens: input.tokens, tokensPerSecond, measured, seconds: input.tokens / tokensPerSecond };
}
