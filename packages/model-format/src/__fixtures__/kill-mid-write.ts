// Child process for the interrupted-save tests: started, then SIGKILLed by the parent.
//   pause <path>        write 1 MiB to the temporary file, print "started", then hang.
//   full <path> <mib>   print "started", then save a <mib>-MiB model with saveModelFile.
import { writeFileAtomic } from '../atomic.js';
import { saveModelFile } from '../node.js';

const [mode, path, size] = process.argv.slice(2);
if (!path) throw new Error('usage: kill-mid-write.ts pause|full <path> [mib]');

if (mode === 'pause') {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(1 << 20).fill(0xab);
    process.stdout.write('started\n');
    await new Promise(() => setInterval(() => {}, 1000));
  }
  await writeFileAtomic(path, chunks());
} else {
  const n = (Number(size) * (1 << 20)) / 4;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i % 1000;
  process.stdout.write('started\n');
  await saveModelFile(path, {
    kind: 'rbm',
    model: { generation: 'new' },
    tensors: { W: { shape: [1, n], data } },
  });
  process.stdout.write('done\n');
}
