import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as main from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

/** Source file of a workspace package's main entry under the `deepbelief-source` condition. */
function workspaceEntry(name: string): string | undefined {
  const dir = join(root, 'packages', name.replace('@deepbelief/', ''));
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return join(dir, pkg.exports['.']['deepbelief-source']);
  } catch {
    return undefined;
  }
}

const IMPORT =
  /(?:^|[;\s])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,$]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Graph {
  files: string[];
  /** Offending imports and globals, as "file: what". */
  problems: string[];
}

/** Walks the static and dynamic imports reachable from `entry` (TypeScript sources). */
function moduleGraph(entry: string): Graph {
  const seen = new Set<string>();
  const problems: string[] = [];
  const builtins = new Set(builtinModules);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    const name = relative(root, file);
    for (const m of code.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) {
        queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      } else if (spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) {
        problems.push(`${name}: imports ${spec}`);
      } else if (spec.startsWith('@deepbelief/')) {
        const target = workspaceEntry(spec);
        if (target) queue.push(target);
        else problems.push(`${name}: cannot resolve ${spec}`);
      } else {
        problems.push(`${name}: imports third-party ${spec}`);
      }
    }
    for (const global of [
      /\bprocess\.\w/,
      /\bBuffer\./,
      /\brequire\(/,
      /\b__dirname\b/,
      /\bimport\.meta\.url\b/,
    ]) {
      if (global.test(code)) problems.push(`${name}: uses ${global.source}`);
    }
  }
  return { files: [...seen].map((f) => relative(root, f)).sort(), problems };
}

describe('browser entry', () => {
  it('reaches no node: module, Node built-in or Node-only global', () => {
    const graph = moduleGraph(join(here, 'browser.ts'));
    expect(graph.problems).toEqual([]);
    // The walk really covers the package and its core dependency.
    expect(graph.files).toEqual(
      expect.arrayContaining([
        'packages/datasets/src/batching.ts',
        'packages/datasets/src/mnist.ts',
        'packages/datasets/src/web.ts',
        'packages/core/src/index.ts',
        'packages/core/src/random.ts',
      ]),
    );
    expect(graph.files).not.toContain('packages/datasets/src/node.ts');
    expect(graph.files).not.toContain('packages/datasets/src/download.ts');
  });

  it('is detected as Node-only for the main entry (the check is not vacuous)', () => {
    const graph = moduleGraph(join(here, 'index.ts'));
    expect(graph.problems).toEqual(
      expect.arrayContaining([
        'packages/datasets/src/node.ts: imports node:fs',
        'packages/datasets/src/download.ts: imports node:crypto',
      ]),
    );
  });

  it('is mapped in the package exports, and the main entry re-exports all of it', () => {
    const pkg = JSON.parse(readFileSync(join(here, '../package.json'), 'utf8'));
    expect(pkg.exports['./browser']['deepbelief-source']).toBe('./src/browser.ts');
    const mainExports = new Map(Object.entries(main));
    for (const [key, value] of Object.entries(browser))
      expect(mainExports.get(key), key).toBe(value);
    expect(typeof main.loadMnist).toBe('function');
    expect('loadMnist' in browser).toBe(false);
  });
});
