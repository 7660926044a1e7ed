import { describeBackendContract } from '@deepbelief/core/testing';
import { createTfjsBackend } from './index.js';

// cpu and wasm pass with the contract's default tolerances: no looser ones are needed.
describeBackendContract('tfjs-cpu', () => createTfjsBackend({ flavor: 'cpu' }));
describeBackendContract('tfjs-wasm', () => createTfjsBackend({ flavor: 'wasm' }));

// tfjs-node is an optional peer whose install script downloads libtensorflow: run its
// contract only where it loads, and say why it was skipped otherwise.
const tfjsNode = await createTfjsBackend({ flavor: 'tensorflow' }).then(
  (backend) => ({ backend, reason: undefined }),
  (error: Error) => ({ backend: undefined, reason: error.message }),
);
describeBackendContract(
  'tfjs-node',
  () => tfjsNode.backend!,
  tfjsNode.reason ? { skipReason: tfjsNode.reason } : {},
);
