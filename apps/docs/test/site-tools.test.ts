import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { toTable } from '../results.data.js';
import { documentedPackages } from '../scripts/build-api.js';
import { resolveFile, serveStatic } from './static-server.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('API reference generation', () => {
  it('documents every package with a tsconfig and src/index.ts', () => {
    const names = documentedPackages(repoRoot).map((p) => p.split('/').pop());
    for (const required of ['core', 'rbm', 'dbn', 'datasets', 'model-format']) {
      expect(names).toContain(required);
    }
  });

  it('skips folders that are not (yet) packages', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-api-'));
    const pkg = (name: string, files: string[]) => {
      for (const f of files) {
        mkdirSync(dirname(join(root, 'packages', name, f)), { recursive: true });
        writeFileSync(join(root, 'packages', name, f), f.endsWith('.json') ? '{}' : '');
      }
    };
    pkg('ready', ['package.json', 'tsconfig.json', 'src/index.ts']);
    pkg('half-written', ['package.json', 'tsconfig.json', 'src/other.ts']);
    pkg('no-tsconfig', ['package.json', 'src/index.ts']);
    writeFileSync(join(root, 'packages', 'ready', 'package.json'), '{"name":"ready"}');
    pkg('private', ['tsconfig.json', 'src/index.ts']);
    writeFileSync(join(root, 'packages', 'private', 'package.json'), '{"private":true}');
    expect(documentedPackages(root).map((p) => p.split('/').pop())).toEqual(['ready']);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('benchmarks page loader', () => {
  it('turns a results file with rows into a table with facts', () => {
    const t = toTable('/nowhere/ais.json', {
      backend: 'onnx',
      rows: [
        { hidden: 20, logZ: 193.29, timing: { seconds: 21 } },
        { hidden: 15, logZ: 179.09, extra: 'x' },
      ],
    });
    expect(t.name).toBe('ais');
    expect(t.title).toBe('ais');
    expect(t.facts).toEqual({ backend: 'onnx' });
    expect(t.columns).toEqual(['hidden', 'logZ', 'timing.seconds', 'extra']);
    expect(t.rows[1]).toEqual({ hidden: 15, logZ: 179.09, extra: 'x' });
  });

  it('names tables by their path under results/', async () => {
    const { nameUnderResults } = await import('../results.data.js');
    expect(nameUnderResults('/r/results/ais-vs-exact-mnist.json')).toBe('ais-vs-exact-mnist');
    expect(nameUnderResults('/r/results/rbm-likelihood/results.json')).toBe(
      'rbm-likelihood/results',
    );
  });

  it('accepts a bare array and a `results` array', () => {
    expect(toTable('/x/a.json', [{ a: 1 }]).rows).toEqual([{ a: 1 }]);
    const t = toTable('/x/b.json', { node: 'v20', results: [{ backend: 'js', steps: 400 }] });
    expect(t.facts).toEqual({ node: 'v20' });
    expect(t.columns).toEqual(['backend', 'steps']);
  });

  const dir = join(repoRoot, 'results');
  it.skipIf(!existsSync(dir))('reads the committed results/ files', async () => {
    const { default: loader } = await import('../results.data.js');
    const files = readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isFile() && e.name.endsWith('.json')
        ? [join(dir, e.name)]
        : e.isDirectory() && existsSync(join(dir, e.name, 'results.json'))
          ? [join(dir, e.name, 'results.json')]
          : [],
    );
    const tables = await loader.load(files);
    expect(tables.length).toBe(files.length);
    for (const t of tables) {
      expect(t.title.length).toBeGreaterThan(0);
      expect(t.name).not.toMatch(/\.json$|^\//);
    }
  });
});

describe('static server for the browser test', () => {
  const root = mkdtempSync(join(tmpdir(), 'docs-site-'));
  mkdirSync(join(root, 'guide'));
  mkdirSync(join(root, 'wasm'));
  writeFileSync(join(root, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(root, 'guide', 'start.html'), '<h1>start</h1>');
  writeFileSync(join(root, 'wasm', 'x.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(root, '404.html'), 'missing');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('maps clean URLs and folders to files, and never leaves the root', () => {
    expect(resolveFile(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveFile(root, '/guide/start')).toBe(join(root, 'guide', 'start.html'));
    expect(resolveFile(root, '/guide/start.html')).toBe(join(root, 'guide', 'start.html'));
    expect(resolveFile(root, '/../../etc/passwd')).toBeNull();
    expect(resolveFile(root, '/nothing')).toBeNull();
  });

  it('serves WebAssembly as application/wasm and 404s with the site page', async () => {
    const server = await serveStatic(root);
    try {
      const wasm = await fetch(`${server.url}/wasm/x.wasm`);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
      const missing = await fetch(`${server.url}/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe('missing');
    } finally {
      await server.close();
    }
  });
});
