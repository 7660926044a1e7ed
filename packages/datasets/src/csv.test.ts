import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads a header, a named label column, CRLF, quotes, spaces and blank lines', () => {
    const text = 'a,label,b\r\n1, 2 ,"3.5"\r\n\r\n-1e-2,0,+.5\r\n';
    const { dataset, columns } = parseCsv(text, { labelColumn: 'label', source: 'x.csv' });
    expect(columns).toEqual(['a', 'b']);
    expect([dataset.rows, dataset.cols]).toEqual([2, 2]);
    expect(dataset.features).toBeInstanceOf(Float32Array);
    expect(Array.from(dataset.features)).toEqual([1, 3.5, Math.fround(-0.01), 0.5]);
    expect(dataset.scale).toBe(1);
    expect(Array.from(dataset.labels!)).toEqual([2, 0]);
    expect(dataset.labels).toBeInstanceOf(Uint8Array);
    expect(dataset.numClasses).toBe(3);
  });

  it('reads headerless data with the label in the last column (negative index)', () => {
    const { dataset, columns } = parseCsv('0.1,0.2,1\n0.3,0.4,0\n', { labelColumn: -1 });
    expect(columns).toBeUndefined();
    expect(Array.from(dataset.labels!)).toEqual([1, 0]);
    expect(dataset.features).toEqual(new Float32Array([0.1, 0.2, 0.3, 0.4]));
  });

  it('uses int32 labels when a label is ≥ 256, and honours numClasses', () => {
    const { dataset } = parseCsv('1,300\n2,0\n', { labelColumn: 1 });
    expect(dataset.labels).toBeInstanceOf(Int32Array);
    expect(dataset.numClasses).toBe(301);
    expect(parseCsv('1,3\n', { labelColumn: 1, numClasses: 10 }).dataset.numClasses).toBe(10);
  });

  it('accepts other delimiters and bytes', () => {
    const { dataset } = parseCsv(new TextEncoder().encode('1\t2\n3\t4'), { delimiter: '\t' });
    expect(Array.from(dataset.features)).toEqual([1, 2, 3, 4]);
  });

  it('names file, line and column of a non-numeric or empty cell', () => {
    expect(() => parseCsv('x,y\n1,2\n3,abc\n', { source: 'data.csv' })).toThrow(
      expect.objectContaining({
        code: 'NOT_NUMERIC',
        message: "data.csv: line 3, column 2 ('y'): 'abc' is not a number",
      }),
    );
    expect(() => parseCsv('1,2\n3,\n', { source: 'd.csv' })).toThrow(
      'd.csv: line 2, column 2: an empty cell is not a number',
    );
    // Number() would accept these; a data file should not.
    for (const cell of ['0x10', 'Infinity', 'NaN', '1_000', '1,5e']) {
      expect(() => parseCsv(`1\n${cell}\n`, { delimiter: ';' }), cell).toThrow(/is not a number/);
    }
  });

  it('rejects a first line that mixes numbers and text in auto-header mode', () => {
    expect(() => parseCsv('1,b\n2,3\n', { source: 'm.csv' })).toThrow(
      "m.csv: line 1, column 2: 'b' is not a number",
    );
  });

  it('rejects empty input, a header without rows, and ragged rows', () => {
    expect(() => parseCsv('\n \n', { source: 'e.csv' })).toThrow(
      expect.objectContaining({ code: 'EMPTY_FILE', message: 'e.csv: CSV has no rows' }),
    );
    expect(() => parseCsv('a,b\n')).toThrow(expect.objectContaining({ code: 'EMPTY_FILE' }));
    expect(() => parseCsv('1,2\n3\n', { source: 'r.csv' })).toThrow(
      expect.objectContaining({
        code: 'RAGGED_ROW',
        message: 'r.csv: line 2 has 1 cells, expected 2 like the first row',
      }),
    );
  });

  it('rejects labels that are not class indices and unknown label columns', () => {
    expect(() => parseCsv('1,0.5\n', { labelColumn: 1, source: 'l.csv' })).toThrow(
      expect.objectContaining({
        code: 'LABEL_OUT_OF_RANGE',
        message: "l.csv: line 1, label column 2: '0.5' is not a class index (an integer ≥ 0)",
      }),
    );
    expect(() => parseCsv('1,-1\n', { labelColumn: 1 })).toThrow(/not a class index/);
    expect(() => parseCsv('a,b\n1,2\n', { labelColumn: 'c' })).toThrow(/no column named 'c'/);
    expect(() => parseCsv('1,2\n', { labelColumn: 'c' })).toThrow(/has no header/);
    expect(() => parseCsv('1,2\n', { labelColumn: 2 })).toThrow(/outside the 2 columns/);
    expect(() => parseCsv('1,2\n', { labelColumn: 0, numClasses: 1 })).toThrow(
      expect.objectContaining({ code: 'LABEL_OUT_OF_RANGE' }),
    );
  });

  it('grows past its initial capacity', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i},${i % 7}`);
    const { dataset } = parseCsv(lines.join('\n'), { labelColumn: 1 });
    expect(dataset.rows).toBe(3000);
    expect(dataset.features[2999]).toBe(2999);
    expect(dataset.labels![2999]).toBe(2999 % 7);
  });
});
