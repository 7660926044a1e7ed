import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelFile } from './node.js';
import { encodeSafetensors } from './safetensors.js';

const script = fileURLToPath(new URL('../python/read_deepbelief.py', import.meta.url));
/** Keeps Python from writing __pycache__ into the package. */
const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

function pythonWithNumpy(): string | null {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error) return `python3 not found (${probe.error.message})`;
  if (probe.status !== 0) return `numpy is not importable: ${probe.stderr.trim()}`;
  return null;
}

const skipReason = pythonWithNumpy();
if (skipReason) console.warn(`skipping the Python reader tests: ${skipReason}`);

/** A version 1.0 .npy file of a float32 C-order matrix. */
function npy(data: Float32Array, rows: number, cols: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += `${' '.repeat(63 - ((10 + header.length) % 64))}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

function randomMatrix(rng: SeededRandom, rows: number, cols: number, scale: number) {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = (rng.uniform() - 0.5) * 2 * scale;
  return data;
}

describe.skipIf(skipReason !== null)('python/read_deepbelief.py (numpy only)', () => {
  let dir = '';
  let modelPath = '';

  const [visible, hidden, batch] = [20, 7, 16];
  const rng = new SeededRandom(2024);
  const W = randomMatrix(rng, visible, hidden, 1.5);
  const b = randomMatrix(rng, 1, visible, 0.2);
  const c = randomMatrix(rng, 1, hidden, 1);
  const v = new Float32Array(batch * visible);
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform() < 0.4 ? 1 : rng.uniform();

  // p(h|v) = sigmoid(v·W + c), computed by @deepbelief/core's reference backend.
  const ops = new Ops(createJsBackend());
  const expected = ops.tidy(() =>
    ops
      .linear(
        ops.fromArray(v, [batch, visible]),
        ops.fromArray(W, [visible, hidden]),
        ops.fromArray(c, [1, hidden]),
        {
          activation: 'sigmoid',
        },
      )
      .read(),
  ) as Float32Array;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deepbelief-python-'));
    modelPath = join(dir, 'rbm.safetensors');
    await saveModelFile(modelPath, {
      kind: 'rbm',
      model: { visible, hidden, visibleUnits: 'binary', hiddenUnits: 'binary' },
      tensors: {
        W: { shape: [visible, hidden], data: W },
        visibleBias: { shape: [1, visible], data: b },
        hiddenBias: { shape: [1, hidden], data: c },
      },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function maxAbsDiff(actual: ArrayLike<number>): number {
    expect(actual.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    return worst;
  }

  it('reproduces p(h|v) from a batch in a second safetensors file within 1e-5', async () => {
    const batchPath = join(dir, 'batch.safetensors');
    writeFileSync(batchPath, encodeSafetensors({ batch: { shape: [batch, visible], data: v } }));
    const out = JSON.parse(
      execFileSync('python3', [script, modelPath, '--rbm-phv', batchPath], {
        encoding: 'utf8',
        env,
      }),
    ) as { shape: number[]; phv: number[][] };
    expect(out.shape).toEqual([batch, hidden]);
    const diff = maxAbsDiff(out.phv.flat());
    console.info(
      `python vs TypeScript p(h|v), ${batch}×${hidden}: max |diff| = ${diff.toExponential(2)}`,
    );
    expect(diff).toBeLessThan(1e-5);
  });

  it('reproduces p(h|v) from an .npy batch, writing an .npy result, within 1e-5', async () => {
    const batchPath = join(dir, 'batch.npy');
    const outPath = join(dir, 'phv.npy');
    writeFileSync(batchPath, npy(v, batch, visible));
    execFileSync('python3', [script, modelPath, '--rbm-phv', batchPath, '--out', outPath], { env });
    const bytes = readFileSync(outPath);
    const headerLength = bytes.readUInt16LE(8);
    const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
    expect(header).toContain("'descr': '<f4'");
    expect(header).toContain(`'shape': (${batch}, ${hidden})`);
    const data = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length),
    );
    expect(maxAbsDiff(data)).toBeLessThan(1e-5);
  });

  it('prints a summary of the model and reads the tensors bit-exactly', async () => {
    const summary = JSON.parse(
      execFileSync('python3', [script, modelPath], { encoding: 'utf8', env }),
    );
    expect(summary).toEqual({
      kind: 'rbm',
      formatVersion: 1,
      model: { visible, hidden, visibleUnits: 'binary', hiddenUnits: 'binary' },
      tensors: { W: [visible, hidden], visibleBias: [1, visible], hiddenBias: [1, hidden] },
    });
    const code = [
      'import sys, json; sys.path.insert(0, sys.argv[1])',
      'from read_deepbelief import read_deepbelief',
      't, meta = read_deepbelief(sys.argv[2])',
      'print(json.dumps({k: v.view("<u4").ravel().tolist() for k, v in t.items()}))',
    ].join('\n');
    const bits = JSON.parse(
      execFileSync('python3', ['-c', code, join(script, '..'), modelPath], {
        encoding: 'utf8',
        env,
      }),
    ) as Record<string, number[]>;
    expect(bits.W).toEqual(Array.from(new Uint32Array(W.buffer)));
    expect(bits.hiddenBias).toEqual(Array.from(new Uint32Array(c.buffer)));
  });

  it('refuses corrupt files with an error instead of a traceback', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['short.safetensors', new Uint8Array(3), /too short/],
      [
        'huge.safetensors',
        Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]),
        /exceeds the 100000000-byte limit/,
      ],
      [
        'cut.safetensors',
        readFileSync(modelPath).subarray(0, readFileSync(modelPath).length - 4),
        /do not fit shape/,
      ],
      ['plain.safetensors', encodeSafetensors({}), /not a deepbelief model file/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const run = spawnSync('python3', [script, path], { encoding: 'utf8', env });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain('Traceback');
    }
  });
});
