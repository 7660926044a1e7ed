/**
 * Build-time loader for the benchmarks page: the JSON files the benchmark and reproduction
 * scripts write to the repository's `results/` folder — `results/<name>.json` and
 * `results/<name>/results.json` (not their intermediate `stages/`) — turned into tables. A file is shown as a table
 * when it has an array of flat records (`rows`, `results` or the file itself); its other
 * scalar fields become a caption line. The Markdown twin's first heading, if any, is the title.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { defineLoader } from 'vitepress';

export type Cell = string | number | boolean | null;

export interface ResultTable {
  /** Path under `results/` without `.json`, e.g. `ais-vs-exact-mnist` or `rbm-likelihood/results`. */
  readonly name: string;
  readonly title: string;
  /** Scalar fields outside the rows, e.g. the backend. */
  readonly facts: Record<string, Cell>;
  readonly columns: string[];
  readonly rows: Record<string, Cell>[];
}

declare const data: ResultTable[];

export { data };

const isScalar = (v: unknown): v is Cell =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Flattens one level of nesting (`{ a: { b: 1 } }` → `{ 'a.b': 1 }`); drops arrays. */
function flatten(record: Record<string, unknown>, prefix = ''): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [key, value] of Object.entries(record)) {
    if (isScalar(value)) out[prefix + key] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value) && !prefix) {
      Object.assign(out, flatten(value as Record<string, unknown>, `${key}.`));
    }
  }
  return out;
}

export function toTable(file: string, json: unknown, name = basename(file, '.json')): ResultTable {
  const md = file.replace(/\.json$/, '.md');
  const heading = existsSync(md) ? /^#\s+(.+)$/m.exec(readFileSync(md, 'utf8'))?.[1] : undefined;
  const body = json as Record<string, unknown> | unknown[];
  const records = Array.isArray(body)
    ? body
    : ((['rows', 'results'].map((k) => body[k]).find(Array.isArray) as unknown[] | undefined) ??
      []);
  const rows = records
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r))
    .map((r) => flatten(r));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const facts = Array.isArray(body) ? {} : flatten(body);
  for (const key of ['rows', 'results']) delete facts[key];
  return { name, title: heading ?? name, facts, columns, rows };
}

/** `…/results/rbm-likelihood/results.json` → `rbm-likelihood/results`. */
export function nameUnderResults(file: string): string {
  const path = file.split('\\').join('/');
  const at = path.lastIndexOf('/results/');
  return (at >= 0 ? path.slice(at + '/results/'.length) : basename(path)).replace(/\.json$/, '');
}

export default defineLoader({
  watch: ['../../results/*.json', '../../results/*/results.json'],
  load(files: string[]): ResultTable[] {
    return files
      .sort()
      .map((file) =>
        toTable(file, JSON.parse(readFileSync(file, 'utf8')) as unknown, nameUnderResults(file)),
      );
  },
});
