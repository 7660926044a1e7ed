import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { gibbsSteps } from './parsers.js';

describe('--cd', () => {
  it('reads a constant k or a FROM..TO rise over the epochs', () => {
    expect(gibbsSteps('3')).toBe(3);
    expect(gibbsSteps('1..25')).toEqual({ from: 1, to: 25 });
    expect(gibbsSteps(' 2 .. 10 ')).toEqual({ from: 2, to: 10 });
  });

  it('refuses anything else with the accepted forms in the message', () => {
    for (const bad of ['0', '-1', '2.5', '', 'x', '0..25', '1..', '..25', '1...25']) {
      expect(() => gibbsSteps(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => gibbsSteps('x')).toThrow(/integer ≥ 1, or FROM\.\.TO/);
  });
});
