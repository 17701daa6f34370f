// The base-vs-tuned comparison shown when a run ends: the same held-out instructions answered
// greedily by the base model and by the model with the new adapter.
import { generate } from '../../../model';
import { getMethod } from '../../../tuning/registry';
import { exampleMessages, splitExamples, type TrainingExample } from '../../../tuning/train/data';
import { adaptedModel } from '../../../tuning/adapted-model';
import { demonstrationPicker, messagesWithDemonstrations } from '../../../tuning/train/demonstrations';
import type { Adapter } from '../../../tuning/types';
import type { ComparisonSample } from '../../protocol/types';
import { fitNewTokens, promptIdsFor } from '../generation';
import type { ActiveModel } from '../models';

/** Held-out instructions compared base vs tuned at the end of a run. */
const COMPARISON_SAMPLES = 3;
const COMPARISON_TOKENS = 40;

/** Held-out examples (the same split prepareTraining made), else the first training ones. */
export function comparisonExamples(examples: TrainingExample[], seed: number): TrainingExample[] {
  const split = splitExamples(examples, seed);
  return (split.heldOut.length > 0 ? split.heldOut : split.train).slice(0, COMPARISON_SAMPLES);
}

/** The examples demonstrations are retrieved from: the training side of the same split. */
export function comparisonPool(examples: TrainingExample[], seed: number): TrainingExample[] {
  return splitExamples(examples, seed).train;
}

/**
 * Base and tuned answers to the same prompts. An adapter trained with retrieved demonstrations
 * (TuningMethod.demonstrations) gets them from `pool` as in training, and so does the base model,
 * so only the adapter differs; the least similar are dropped where the answer would not fit.
 */
export async function compareOnHeldOut(active: ActiveModel, adapter: Adapter, examples: TrainingExample[], pool: TrainingExample[] = []): Promise<ComparisonSample[]> {
  const samples: ComparisonSample[] = [];
  const model = adaptedModel(active.model, adapter);
  const k = getMethod(adapter.method).demonstrations?.(adapter.config) ?? 0;
  const pick = k > 0 ? demonstrationPicker(pool, k) : null;
  for (const example of examples) {
    let demos = pick ? pick(example) : [];
    let ids = promptIdsFor(active.model, { messages: messagesWithDemonstrations(demos, example) });
    while (demos.length > 0 && ids.length + adapter.virtualTokens + COMPARISON_TOKENS > active.model.config.maxPositions) {
      demos = demos.slice(0, -1);
      ids = promptIdsFor(active.model, { messages: messagesWithDemonstrations(demos, example) });
    }
    const base = await generate(active.model, ids, { greedy: true, maxNewTokens: fitNewTokens(active.model, ids.length, 0, COMPARISON_TOKENS) });
    const tuned = await generate(model, ids, {
      greedy: true,
      maxNewTokens: fitNewTokens(active.model, ids.length, adapter.virtualTokens, COMPARISON_TOKENS),
      hooks: adapter.hooks({ training: false }),
    });
    samples.push({ instruction: exampleMessages(example)[0]!.content, expected: example.output, base: base.text, tuned: tuned.text });
  }
  return samples;
}
