import { createDataset, type Dataset, type LabelArray } from './dataset.js';
import { DatasetError } from './errors.js';

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /** Name for error messages (file name); default `'<csv>'`. */
  source?: string;
  /** Cell separator; default `','`. */
  delimiter?: string;
  /**
   * Whether the first line holds column names. `'auto'` (default): it does when none of its
   * cells is a number; a first line that mixes numbers and text is an error.
   */
  header?: boolean | 'auto';
  /**
   * Column holding integer class labels, by index (negative counts from the end: `-1` = last)
   * or by header name. Omit for unlabelled data.
   */
  labelColumn?: number | string;
  /** Number of classes; default `max(label) + 1`. */
  numClasses?: number;
  /** Dataset name. */
  name?: string;
}

/** A parsed CSV: the dataset plus the column names of its features (when there was a header). */
export interface CsvResult {
  readonly dataset: Dataset;
  /** Feature column names in order, or `undefined` without a header. */
  readonly columns?: readonly string[];
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses numeric CSV text (or UTF-8 bytes) into a float32 {@link Dataset}. Every feature cell
 * must be a finite decimal number (`1`, `-0.5`, `1e-3`; surrounding spaces and double quotes
 * are ignored); empty lines are skipped; `\n` and `\r\n` both work. The label column, if any,
 * must hold non-negative integers and becomes `labels` (uint8 when all < 256, else int32).
 *
 * @throws {DatasetError} naming the source, line and column: `EMPTY_FILE`, `NOT_NUMERIC`,
 * `RAGGED_ROW`, `LABEL_OUT_OF_RANGE`, `BAD_OPTION` (unknown label column).
 */
export function parseCsv(input: string | Uint8Array, options: ParseCsvOptions = {}): CsvResult {
  const source = options.source ?? '<csv>';
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const delimiter = options.delimiter ?? ',';
  const lines = text.split('\n');
  let lineNo = 0;
  const nextLine = (): string[] | undefined => {
    while (lineNo < lines.length) {
      const raw = lines[lineNo++]!;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') continue;
      return line.split(delimiter).map(unquote);
    }
    return undefined;
  };
  const first = nextLine();
  if (!first) throw new DatasetError('EMPTY_FILE', source, 'CSV has no rows');
  const firstLine = lineNo;
  let header: string[] | undefined;
  const numericCells = first.filter((c) => NUMBER.test(c)).length;
  if (options.header === true || (options.header !== false && numericCells === 0)) {
    header = first;
  } else if (options.header === 'auto' || options.header === undefined) {
    if (numericCells !== first.length) {
      const bad = first.findIndex((c) => !NUMBER.test(c));
      throw notNumeric(source, firstLine, bad, first[bad]!, header);
    }
  }
  const width = first.length;
  let labelIndex: number | undefined;
  if (options.labelColumn !== undefined) {
    const lc = options.labelColumn;
    if (typeof lc === 'string') {
      if (!header) {
        throw new DatasetError(
          'BAD_OPTION',
          source,
          `labelColumn '${lc}' given by name but the CSV has no header`,
        );
      }
      labelIndex = header.indexOf(lc);
      if (labelIndex < 0) {
        throw new DatasetError(
          'BAD_OPTION',
          source,
          `no column named '${lc}' (columns: ${header.join(', ')})`,
        );
      }
    } else {
      labelIndex = lc < 0 ? width + lc : lc;
      if (!Number.isInteger(lc) || labelIndex < 0 || labelIndex >= width) {
        throw new DatasetError(
          'BAD_OPTION',
          source,
          `labelColumn ${lc} is outside the ${width} columns`,
        );
      }
    }
  }
  const cols = labelIndex === undefined ? width : width - 1;
  if (cols < 1)
    throw new DatasetError('BAD_OPTION', source, 'CSV has no feature columns besides the label');

  let capacity = 1024;
  let features = new Float32Array(capacity * cols);
  let labels = labelIndex === undefined ? undefined : new Int32Array(capacity);
  let rows = 0;
  let maxLabel = -1;
  let cells: string[] | undefined = header ? nextLine() : first;
  let cellsLine = header ? lineNo : firstLine;
  while (cells) {
    if (cells.length !== width) {
      throw new DatasetError(
        'RAGGED_ROW',
        source,
        `line ${cellsLine} has ${cells.length} cells, expected ${width} like the first row`,
      );
    }
    if (rows === capacity) {
      capacity *= 2;
      const f = new Float32Array(capacity * cols);
      f.set(features);
      features = f;
      if (labels) {
        const l = new Int32Array(capacity);
        l.set(labels);
        labels = l;
      }
    }
    let k = rows * cols;
    for (let j = 0; j < width; j++) {
      const cell = cells[j]!;
      if (!NUMBER.test(cell)) throw notNumeric(source, cellsLine, j, cell, header);
      const v = Number(cell);
      if (j === labelIndex) {
        if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
          throw new DatasetError(
            'LABEL_OUT_OF_RANGE',
            source,
            `line ${cellsLine}, label column ${columnName(j, header)}: '${cell}' is not a class index (an integer ≥ 0)`,
          );
        }
        labels![rows] = v;
        if (v > maxLabel) maxLabel = v;
      } else {
        features[k++] = v;
      }
    }
    rows++;
    cells = nextLine();
    cellsLine = lineNo;
  }
  if (rows === 0) throw new DatasetError('EMPTY_FILE', source, 'CSV has a header but no data rows');
  let labelArray: LabelArray | undefined;
  if (labels) {
    labelArray = maxLabel < 256 ? Uint8Array.from(labels.subarray(0, rows)) : labels.slice(0, rows);
  }
  const dataset = createDataset({
    features: features.slice(0, rows * cols),
    rows,
    cols,
    scale: 1,
    source,
    ...(labelArray ? { labels: labelArray } : {}),
    ...(labelArray && options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
  });
  const result: { dataset: Dataset; columns?: string[] } = { dataset };
  if (header) result.columns = header.filter((_, j) => j !== labelIndex);
  return result;
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

function columnName(j: number, header: string[] | undefined): string {
  return header ? `${j + 1} ('${header[j]}')` : `${j + 1}`;
}

function notNumeric(
  source: string,
  line: number,
  j: number,
  cell: string,
  header: string[] | undefined,
): DatasetError {
  const shown =
    cell === '' ? 'an empty cell' : `'${cell.length > 40 ? `${cell.slice(0, 40)}…` : cell}'`;
  return new DatasetError(
    'NOT_NUMERIC',
    source,
    `line ${line}, column ${columnName(j, header)}: ${shown} is not a number`,
  );
}
