/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
/** A JSON object (string keys, {@link JsonValue} values). */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Deepest nesting of objects/arrays accepted in any JSON read from or written to a file. */
export const MAX_JSON_DEPTH = 64;

/** Problems {@link checkJsonStructure} can find in syntactically valid JSON. */
export type JsonStructureProblem =
  | { kind: 'duplicate-key'; key: string; path: string }
  | { kind: 'too-deep'; path: string };

interface Frame {
  keys: Set<string> | null;
  expectKey: boolean;
  lastKey: string;
  index: number;
  path: string;
}

function childPath(parent: Frame | undefined): string {
  if (!parent) return '';
  if (parent.keys) return parent.path ? `${parent.path}.${parent.lastKey}` : parent.lastKey;
  return `${parent.path}[${parent.index}]`;
}

/**
 * Scans JSON text that `JSON.parse` already accepted for what `JSON.parse` silently allows:
 * duplicate keys (the last one wins, so two readers could disagree) and nesting deeper than
 * `maxDepth`. Iterative, so hostile nesting cannot overflow the stack.
 */
export function checkJsonStructure(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
): JsonStructureProblem | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { kind: 'duplicate-key', key, path: top.path };
        top.keys.add(key);
        top.expectKey = false;
        top.lastKey = key;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      const path = childPath(stack[stack.length - 1]);
      if (stack.length >= maxDepth) return { kind: 'too-deep', path };
      stack.push({
        keys: c === 0x7b ? new Set() : null,
        expectKey: true,
        lastKey: '',
        index: 0,
        path,
      });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return null;
}

/** Human-readable path of a key inside a value, e.g. `model.layers[0].size`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  return base ? `${base}.${safe}` : safe;
}

/**
 * Returns `null` if `value` is plain JSON that round-trips exactly (finite numbers, no
 * `undefined`, functions, class instances, cycles, or nesting over {@link MAX_JSON_DEPTH}),
 * else a description of the first offending path. `JSON.stringify` would otherwise turn
 * `NaN` into `null` and drop `undefined` without a word.
 */
export function findNonJson(value: unknown, path: string): string | null {
  const seen = new Set<object>();
  const visit = (v: unknown, p: string, depth: number): string | null => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
    if (typeof v === 'number') {
      return Number.isFinite(v) ? null : `${p} is ${v}, which JSON cannot represent`;
    }
    if (v === undefined) return `${p} is undefined, which JSON cannot represent`;
    if (typeof v !== 'object') return `${p} is a ${typeof v}, which JSON cannot represent`;
    if (seen.has(v)) return `${p} refers back to itself (a cycle)`;
    if (depth >= MAX_JSON_DEPTH) return `${p} nests deeper than ${MAX_JSON_DEPTH} levels`;
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const problem = visit(v[i], joinPath(p, i), depth + 1);
          if (problem) return problem;
        }
        return null;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        return `${p} is a ${name}, not a plain object, array, string, number, boolean or null`;
      }
      for (const [k, child] of Object.entries(v)) {
        const problem = visit(child, joinPath(p, k), depth + 1);
        if (problem) return problem;
      }
      return null;
    } finally {
      seen.delete(v);
    }
  };
  return visit(value, path, 0);
}

/** Shortens a value for an error message. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
