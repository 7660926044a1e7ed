import { BackendError, DeepBeliefError } from '@deepbelief/core';
import { DatasetError } from '@deepbelief/datasets';
import { ModelFormatError } from '@deepbelief/model-format';
import { DivergenceError, InvalidOptionsError } from '@deepbelief/rbm';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, InterruptedError, messageFor, UsageError } from './errors.js';

describe('exitCodeFor', () => {
  it('gives 2 for bad input of every package, 1 for runtime errors, 130 for interruptions', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(new DatasetError('NOT_NUMERIC', 'a.csv', 'x'))).toBe(2);
    expect(exitCodeFor(new ModelFormatError('bad-metadata', 'm', 'x'))).toBe(2);
    expect(exitCodeFor(new InvalidOptionsError('x'))).toBe(2);
    expect(exitCodeFor(new DivergenceError('rbm', 0, 0, 'W', 0.1))).toBe(1);
    expect(exitCodeFor(new BackendError('x'))).toBe(1);
    expect(exitCodeFor(new DeepBeliefError('x'))).toBe(1);
    expect(exitCodeFor(new Error('x'))).toBe(1);
    expect(exitCodeFor(new InterruptedError('x'))).toBe(130);
  });

  it('prints system errors with their code', () => {
    const e = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    expect(messageFor(e)).toBe('disk full (ENOSPC)');
    expect(messageFor(new UsageError('--x: bad'))).toBe('--x: bad');
  });
});
