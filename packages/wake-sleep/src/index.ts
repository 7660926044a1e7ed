export { type DirectedWeights, generativeDelta, recognitionDelta } from './rules.js';
export { SigmoidBeliefNet } from './sbn.js';
export {
  gibbsStepsAt,
  upDown,
  type WakeSleepEpoch,
  type WakeSleepHooks,
  type WakeSleepOptions,
  wakeSleep,
  wakeSleepOptionsSchema,
} from './train.js';
