export { encodeUpDownCheckpoint, restoreUpDownCheckpoint } from './checkpoint.js';
export { type DirectedWeights, generativeDelta, recognitionDelta } from './rules.js';
export { SigmoidBeliefNet } from './sbn.js';
export {
  gibbsStepsAt,
  scheduleAt,
  type UpDownOptions,
  upDown,
  upDownOptionsSchema,
  upDownTrainer,
  type WakeSleepEpoch,
  type WakeSleepHooks,
  type WakeSleepOptions,
  wakeSleep,
  wakeSleepOptionsSchema,
  wakeSleepTrainer,
} from './train.js';
export { WAKE_SLEEP_PACKAGE_VERSION } from './version.js';
