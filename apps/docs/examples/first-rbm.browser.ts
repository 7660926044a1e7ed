// A first RBM in the browser: the same code as in Node, with data fetched over HTTP.
import { createTfjsBackend } from '@deepbelief/backend-tfjs';
import { Ops, SeededRandom } from '@deepbelief/core';
import { fetchMnist } from '@deepbelief/datasets/browser';
import { RBM, RBMTrainer } from '@deepbelief/rbm';

// Serve node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm from your site, e.g. /wasm/.
const ops = new Ops(await createTfjsBackend({ flavor: 'wasm', wasmPaths: '/wasm/' }));

// The four MNIST IDX files (plain or .gz), served from /data/mnist/; checksums are verified.
const train = await fetchMnist({ baseUrl: '/data/mnist/', split: 'train' });

const rbm = new RBM(ops, { visible: 784, hidden: 100 }, new SeededRandom(1));
const trainer = new RBMTrainer(rbm, { epochs: 1, batchSize: 20, learningRate: 0.1 }, 42);

// fit() yields to the event loop every 50 ms, so the page stays responsive while it trains.
const status = document.querySelector('#status')!;
await trainer.fit(train, {
  onBatch: (b) => {
    if (b.batch % 100 === 0) status.textContent = `batch ${b.batch} of ${b.batches}`;
  },
});

// Or drive the updates yourself, one mini-batch per call, as the live demo does:
const batch = ops.tensor(new Float32Array(20 * 784), [20, 784]); // fill with 20 digits
const error = trainer.step(batch); // one CD-k update; returns the batch's reconstruction error
batch.dispose();
status.textContent = `done; last reconstruction error ${error.toFixed(4)}`;
