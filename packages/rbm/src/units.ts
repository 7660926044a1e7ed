import { DeepBeliefError } from '@deepbelief/core';

/** Types of visible unit. */
export const VISIBLE_TYPES = ['bernoulli', 'gaussian', 'softmax', 'replicated-softmax'] as const;
export type VisibleType = (typeof VISIBLE_TYPES)[number];

/** A block of visible units sharing one type. */
export interface VisibleGroup {
  /**
   * `bernoulli`: binary units, p(v=1|h) = σ(b + Wh).
   * `gaussian`: real-valued units with mean b + σ·Wh and standard deviation σ (1 unless learned);
   *   train them on standardised data (zero mean, unit variance per feature).
   * `softmax`: one-of-K units (exactly one is on), e.g. 10 label units.
   * `replicated-softmax`: word counts (Salakhutdinov & Hinton 2009). A document of D words is
   *   D draws from one softmax over the vocabulary, p(v|h) = Multinomial(D, softmax(b + Wh)),
   *   and the hidden biases are scaled by D: p(hⱼ=1|v) = σ(D·cⱼ + Σᵢ vᵢWᵢⱼ). Must be the only
   *   visible group.
   */
  readonly type: VisibleType;
  readonly size: number;
}

/** Hidden unit type: binary (`bernoulli`) or linear with unit-variance Gaussian noise (`gaussian`). */
export type HiddenType = 'bernoulli' | 'gaussian';

/** Contiguous column range of a group within the visible layer. */
export interface VisibleSegment extends VisibleGroup {
  readonly start: number;
  readonly end: number;
}

/** Turns groups into column ranges and checks them. */
export function layoutVisible(groups: readonly VisibleGroup[]): VisibleSegment[] {
  if (groups.length === 0)
    throw new DeepBeliefError('visible: at least one group of units is needed');
  let start = 0;
  return groups.map((g, i) => {
    if (!(VISIBLE_TYPES as readonly string[]).includes(g.type)) {
      throw new DeepBeliefError(
        `visible[${i}].type: expected one of ${VISIBLE_TYPES.map((t) => `'${t}'`).join(', ')}, got '${String(g.type)}'`,
      );
    }
    if (g.type === 'replicated-softmax' && groups.length > 1) {
      throw new DeepBeliefError(
        `visible[${i}]: replicated-softmax (word-count) units must be the only visible group, got ${groups.length} groups`,
      );
    }
    if (!Number.isInteger(g.size) || g.size < 1) {
      throw new DeepBeliefError(`visible[${i}].size: expected a positive integer, got ${g.size}`);
    }
    if ((g.type === 'softmax' || g.type === 'replicated-softmax') && g.size < 2) {
      throw new DeepBeliefError(
        `visible[${i}]: a ${g.type} group needs at least 2 units, got ${g.size}`,
      );
    }
    const seg = { type: g.type, size: g.size, start, end: start + g.size };
    start += g.size;
    return seg;
  });
}
