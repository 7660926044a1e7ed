import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rbmBytes, rbmInput } from './__fixtures__/craft.js';
import {
  loadModelFile,
  readSafetensorsFile,
  requireTensor,
  saveModelFile,
  temporaryPathFor,
  writeFileAtomic,
} from './node.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const childScript = fileURLToPath(new URL('./__fixtures__/kill-mid-write.ts', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deepbelief-model-format-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function leftovers(name: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(`${name}.tmp-`));
}

/** Starts the child fixture and resolves once it printed "started"; `out()` is its stdout so far. */
function startChild(args: string[]): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=deepbelief-source', '--import', 'tsx', childScript, ...args],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('started')) resolve({ child, out: () => stdout });
    });
    child.on('exit', (code) => {
      if (!stdout.includes('started')) reject(new Error(`child exited early (${code}): ${stderr}`));
    });
  });
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting for the child');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('saveModelFile / loadModelFile', () => {
  it('round-trips through a file and names the file in errors', async () => {
    const path = join(dir, 'rbm.safetensors');
    const written = await saveModelFile(path, rbmInput());
    expect(readFileSync(path).length).toBe(written);
    const file = await loadModelFile(path, { expectKind: 'rbm' });
    expect(file.source).toBe(path);
    expect(file.model).toEqual(rbmInput().model);
    expect(Array.from(requireTensor(file, 'W', [3, 2]))).toEqual(
      Array.from(rbmInput().tensors.W!.data),
    );
    await expect(loadModelFile(path, { expectKind: 'dbn' })).rejects.toThrow(
      `${path}: expected a "dbn" model file, but this file holds a "rbm"`,
    );
    expect(leftovers('rbm.safetensors')).toEqual([]);
    const raw = await readSafetensorsFile(path);
    expect(Object.keys(raw.metadata)).toEqual(['deepbelief']);
  });

  it('refuses an oversized header from the first 8 bytes, before reading the rest', async () => {
    const path = join(dir, 'huge-header.safetensors');
    const bytes = new Uint8Array(64);
    new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    writeFileSync(path, bytes);
    await expect(loadModelFile(path)).rejects.toMatchObject({ code: 'header-too-large' });
    await expect(loadModelFile(path, { maxHeaderBytes: 16 })).rejects.toThrow(
      /header length 1099511627776 bytes exceeds the 16-byte limit/,
    );
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file', async () => {
    const path = join(dir, 'a.bin');
    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    await writeFileAtomic(path, [Uint8Array.from([4]), Uint8Array.from([5, 6])]);
    expect([...readFileSync(path)]).toEqual([4, 5, 6]);
    expect(leftovers('a.bin')).toEqual([]);
  });

  it('uses a unique temporary name beside the target', () => {
    const a = temporaryPathFor(join(dir, 'm.safetensors'));
    const b = temporaryPathFor(join(dir, 'm.safetensors'));
    expect(a).toMatch(new RegExp(`^${dir}/m\\.safetensors\\.tmp-${process.pid}-[0-9a-f]{12}$`));
    expect(a).not.toBe(b);
  });

  it('an exception midway leaves the previous file intact and removes the temporary file', async () => {
    const path = join(dir, 'interrupted.safetensors');
    await saveModelFile(path, rbmInput());
    const before = readFileSync(path);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(1 << 16).fill(7);
      throw new Error('disk on fire');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow(
      `${path}: could not save (the previous file, if any, is unchanged): disk on fire`,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    expect((await loadModelFile(path)).kind).toBe('rbm');
    expect(leftovers('interrupted.safetensors')).toEqual([]);
  });

  it('fails with the path named when the directory does not exist', async () => {
    const path = join(dir, 'missing-dir', 'x.safetensors');
    await expect(writeFileAtomic(path, new Uint8Array(1))).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/missing-dir\/x\.safetensors: could not save .*ENOENT/),
    });
  });

  it('a process SIGKILLed in the middle of a save leaves the previous file intact and loadable', async () => {
    const path = join(dir, 'killed.safetensors');
    writeFileSync(path, rbmBytes());
    const before = readFileSync(path);
    const { child } = await startChild(['pause', path]);
    // The child has written 1 MiB into its temporary file and is blocked mid-save.
    const temps = leftovers('killed.safetensors');
    expect(temps).toHaveLength(1);
    await killed(child);
    expect(readFileSync(path).equals(before)).toBe(true);
    const file = await loadModelFile(path);
    expect(Array.from(requireTensor(file, 'hiddenBias', [1, 2]))).toEqual([-0.5, 0.5]);
    // The stale temporary file is all that remains of the interrupted save.
    expect(readFileSync(join(dir, temps[0]!)).length).toBe(1 << 20);
  }, 20_000);

  it('killing a 32 MiB save at any moment leaves either the old or the new file, whole', async () => {
    const path = join(dir, 'race.safetensors');
    const old = Buffer.from(rbmBytes());
    const seen: string[] = [];
    const moments: [string, (out: () => string) => Promise<void>][] = [
      ['before writing', async () => {}],
      [
        'once the temporary file has data',
        () => until(() => leftovers('race.safetensors').length > 0),
      ],
      ['after the save returned', (out) => until(() => out().includes('done'))],
    ];
    for (const [, moment] of moments) {
      writeFileSync(path, old);
      const { child, out } = await startChild(['full', path, '32']);
      await moment(out);
      await killed(child);
      const file = await loadModelFile(path);
      if ('generation' in file.model) {
        seen.push('new');
        expect(file.tensors.W!.shape).toEqual([1, 8 << 20]);
        expect(file.tensors.W!.data[12_345]).toBe(345);
      } else {
        seen.push('old');
        expect(readFileSync(path).equals(old)).toBe(true);
      }
      for (const stale of leftovers('race.safetensors')) rmSync(join(dir, stale));
    }
    // The kill after the save returned must find the new file; the pause test covers 'old'.
    expect(seen[2]).toBe('new');
  }, 60_000);
});
