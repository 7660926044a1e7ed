/** Test helpers (not exported from the package). */

/** All 2·2^n − 2 bars-and-stripes patterns of an n×n grid, one per row. */
export function barsAndStripes(n: number): { data: Float32Array; rows: number; cols: number } {
  const patterns = new Set<string>();
  const rows: number[][] = [];
  for (let mask = 0; mask < 2 ** n; mask++) {
    for (const vertical of [false, true]) {
      const p: number[] = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) p.push(Math.floor(mask / 2 ** (vertical ? j : i)) % 2);
      const key = p.join('');
      if (!patterns.has(key)) {
        patterns.add(key);
        rows.push(p);
      }
    }
  }
  return { data: Float32Array.from(rows.flat()), rows: rows.length, cols: n * n };
}

/** `data` repeated `times` times. */
export function repeatRows(d: { data: Float32Array; rows: number; cols: number }, times: number) {
  const out = new Float32Array(d.data.length * times);
  for (let t = 0; t < times; t++) out.set(d.data, t * d.data.length);
  return { data: out, rows: d.rows * times, cols: d.cols };
}

/** All binary vectors of length n as rows. */
export function enumerate(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, r) =>
    Array.from({ length: n }, (_, j) => Math.floor(r / 2 ** j) % 2),
  );
}
