/** Runs the numpy reference RBM (`../shared/peers/rbm_numpy.py`) on the real MNIST files. */
import { execFileSync } from 'node:child_process';
import { mnistDataDir } from '@deepbelief/datasets';

/** One epoch's figures as the peer prints them in its last (JSON) line. */
export interface NumpyEpoch {
  readonly epoch: number;
  readonly seconds: number;
  readonly samples_per_s: number;
  readonly test_mse: number;
  readonly test_xent: number;
}

/** Runs the peer with `args` (e.g. `['--epochs', '1', '--max-batches', '200']`) and returns its epochs. */
export function runNumpyPeer(args: readonly string[]): NumpyEpoch[] {
  const out = execFileSync(
    'python3',
    [
      new URL('../../../shared/peers/rbm_numpy.py', import.meta.url).pathname,
      '--data',
      mnistDataDir(),
      ...args,
      '--json',
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!).epochs as NumpyEpoch[];
}
