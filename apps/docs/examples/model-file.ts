// Saving a trained RBM as a deepbelief model file and loading it back, with every check.
import { readFile } from 'node:fs/promises';
import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { writeFileAtomic } from '@deepbelief/model-format/node';
import { decodeRBM, encodeRBM, RBM, RBMTrainer } from '@deepbelief/rbm';

const ops = new Ops(createJsBackend());
const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
const trainer = new RBMTrainer(rbm, { epochs: 10, batchSize: 100, learningRate: 0.1 }, 42);
// … await trainer.fit(train) …

// kind 'rbm': tensors W [784, 500], visibleBias [1, 784], hiddenBias [1, 500]; the
// architecture, hyper-parameters and epoch history as JSON. Browser-safe: returns bytes.
const bytes = encodeRBM(rbm, { trainer });
// Atomic: written to a temporary file, flushed, then renamed over the target.
await writeFileAtomic('rbm.safetensors', bytes);

// Loading validates the envelope, the architecture and every tensor's shape before
// building the RBM; errors name the file and the field or tensor at fault.
const { rbm: loaded, file } = decodeRBM(ops, await readFile('rbm.safetensors'), 'rbm.safetensors');
console.log(file.kind, file.formatVersion, file.createdAt, file.packageVersions);
console.log(file.model); // { visible: [{ type: 'bernoulli', size: 784 }], hidden: 500, … }
console.log(file.training?.hyperParameters); // { epochs: 10, batchSize: 100, learningRate: 0.1, … }
console.log(loaded.numVisible, loaded.numHidden); // 784 500
