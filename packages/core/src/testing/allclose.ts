/** Largest violation of |actual − expected| ≤ atol + rtol·|expected|, with where it happened. */
export interface CloseReport {
  readonly ok: boolean;
  readonly worstIndex: number;
  readonly worstActual: number;
  readonly worstExpected: number;
  readonly message: string;
}

/**
 * Elementwise closeness as numpy's `allclose` (NaN equals NaN, ±Infinity must match
 * exactly). The report names the worst element so a failing backend test says where.
 */
export function compareClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): CloseReport {
  if (actual.length !== expected.length) {
    return {
      ok: false,
      worstIndex: -1,
      worstActual: Number.NaN,
      worstExpected: Number.NaN,
      message: `length ${actual.length} vs expected ${expected.length}`,
    };
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) {
        worst = i;
        worstExcess = Infinity;
        break;
      }
      continue;
    }
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worstExcess || (Number.isNaN(excess) && worstExcess !== Infinity)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst < 0)
    return { ok: true, worstIndex: -1, worstActual: 0, worstExpected: 0, message: 'ok' };
  return {
    ok: false,
    worstIndex: worst,
    worstActual: actual[worst]!,
    worstExpected: expected[worst]!,
    message: `element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
  };
}
