// Choosing a backend: directly, by name from the registry, or the best one available.
import { registerOnnxBackend } from '@deepbelief/backend-onnx';
import { createTfjsBackend, registerTfjsBackends } from '@deepbelief/backend-tfjs';
import { backendRegistry, createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { RBM } from '@deepbelief/rbm';

// 1. Directly: you pick the backend and pass the Ops to the model.
const wasm = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
const reference = new Ops(createJsBackend()); // pure JavaScript, no dependencies

// 2. By name: backend packages register themselves with core's shared registry.
registerTfjsBackends(backendRegistry); // tfjs-node (30), tfjs-wasm (20), tfjs-webgl (15), tfjs-cpu (5)
registerOnnxBackend(backendRegistry); // onnx (40): native ONNX Runtime, Node only
console.log(backendRegistry.names()); // highest priority first; 'js' (1) is always there

// 3. The best that works here: backends whose package or host is missing are skipped.
const ops = await backendRegistry.best();
console.log(`running on ${ops.name}`);
for (const { name, reason } of backendRegistry.lastFailures)
  console.log(`skipped ${name}: ${reason}`);

// `resolve` takes a name from a flag or config file, or 'auto' for the best.
const chosen = await backendRegistry.resolve(process.env.DEEPBELIEF_BACKEND ?? 'auto');

// The model code is the same on every backend, and the same seed gives the same model.
for (const o of [wasm, reference, ops, chosen]) {
  const rbm = new RBM(o, { visible: 784, hidden: 500 }, new SeededRandom(1));
  console.log(o.name, rbm.getParameters().weights[0]); // identical initial weights
  rbm.dispose();
}
