import {
  DeepBeliefError,
  type Ops,
  type SeededRandom,
  ShapeError,
  type Tensor,
} from '@deepbelief/core';
import { type HiddenType, layoutVisible, type VisibleGroup, type VisibleSegment } from './units.js';

/** Architecture of an {@link RBM}. */
export interface RBMConfig {
  /** Number of visible units (all of `visibleType`), or groups of typed units side by side. */
  readonly visible: number | readonly VisibleGroup[];
  readonly hidden: number;
  /** Type of the visible units when `visible` is a number. Default `bernoulli`. */
  readonly visibleType?: 'bernoulli' | 'gaussian' | 'replicated-softmax';
  /** Default `bernoulli`; `gaussian` gives linear hidden units (the autoencoder's code layer). */
  readonly hiddenType?: HiddenType;
  /** Learn a standard deviation per Gaussian visible unit (default false: σ = 1 on standardised data). */
  readonly learnSigma?: boolean;
}

/** Parameters as plain arrays (for saving, inspection and Python). */
export interface RBMParameters {
  /** `[visible, hidden]`, row-major. */
  readonly weights: Float32Array;
  /** `[visible]`. */
  readonly visibleBias: Float32Array;
  /** `[hidden]`. */
  readonly hiddenBias: Float32Array;
  /** `[visible]`: log σ per visible unit, when σ is learned. */
  readonly logSigma?: Float32Array;
}

/** The result of block Gibbs sampling. */
export interface GibbsResult {
  /** Sampled visible states `[batch, visible]` (with clamped units at their values). */
  readonly visible: Tensor;
  /** p(v|h) (or the Gaussian mean) from the last half-step. */
  readonly visibleProbabilities: Tensor;
  /** Sampled hidden states `[batch, hidden]` from the last visible states. */
  readonly hidden: Tensor;
  /** p(h|v) for the last visible states. */
  readonly hiddenProbabilities: Tensor;
}

/** Visible units held fixed during sampling: where `mask` (`[1, visible]`, 0/1) is 1, use `values`. */
export interface Clamp {
  readonly mask: Tensor;
  readonly values: Tensor;
}

/**
 * A Restricted Boltzmann Machine with energy
 * E(v, h) = Σ_bern/softmax −bᵢvᵢ + Σ_gauss (vᵢ − bᵢ)²/2σᵢ² − cᵀh − Σᵢⱼ (vᵢ/σᵢ) Wᵢⱼ hⱼ
 * (plus hⱼ²/2 for Gaussian hidden units), so that p(hⱼ=1|v) = σ(cⱼ + Σᵢ (vᵢ/σᵢ)Wᵢⱼ) and
 * p(vᵢ=1|h) = σ(bᵢ + Σⱼ Wᵢⱼhⱼ). With word-count (replicated-softmax) visibles it is the
 * replicated softmax model, E(v, h) = −bᵀv − D·cᵀh − vᵀWh with D = Σᵢ vᵢ the document's length.
 * Written once against {@link Ops}: it runs on every backend.
 *
 * Parameters are tensors owned by the RBM (`W` `[visible, hidden]`, `visibleBias` `[1, visible]`,
 * `hiddenBias` `[1, hidden]`); call {@link RBM.dispose} when done.
 */
export class RBM {
  readonly ops: Ops;
  readonly numVisible: number;
  readonly numHidden: number;
  readonly segments: readonly VisibleSegment[];
  readonly hiddenType: HiddenType;
  readonly learnSigma: boolean;
  W: Tensor;
  visibleBias: Tensor;
  hiddenBias: Tensor;
  /** log σ per visible unit `[1, visible]` (0 for non-Gaussian units); null when σ is fixed at 1. */
  logSigma: Tensor | null;
  /** `[1, visible]`: 1 on Gaussian units. Null when there are none. */
  readonly gaussianMask: Tensor | null;
  /**
   * True for a word-count model (replicated-softmax visible units): the hidden biases are
   * scaled by each row's total count D, and reconstructions are expected counts D·p.
   */
  readonly wordCounts: boolean;

  /**
   * A new RBM, initialised as in Hinton's practical guide: W ~ N(0, 0.01²), biases 0
   * (call {@link RBM.initVisibleBiasFromData} for b = log(p/(1−p)) from the data).
   */
  constructor(ops: Ops, config: RBMConfig, rng: SeededRandom, initialStd = 0.01) {
    this.ops = ops;
    const groups: VisibleGroup[] =
      typeof config.visible === 'number'
        ? [{ type: config.visibleType ?? 'bernoulli', size: config.visible }]
        : [...config.visible];
    this.segments = layoutVisible(groups);
    this.wordCounts = this.segments[0]!.type === 'replicated-softmax';
    this.numVisible = this.segments[this.segments.length - 1]!.end;
    if (!Number.isInteger(config.hidden) || config.hidden < 1) {
      throw new DeepBeliefError(`hidden: expected a positive integer, got ${config.hidden}`);
    }
    this.numHidden = config.hidden;
    this.hiddenType = config.hiddenType ?? 'bernoulli';
    if (this.hiddenType !== 'bernoulli' && this.hiddenType !== 'gaussian') {
      throw new DeepBeliefError(
        `hiddenType: expected 'bernoulli' or 'gaussian', got '${String(this.hiddenType)}'`,
      );
    }
    const hasGaussian = this.segments.some((s) => s.type === 'gaussian');
    this.learnSigma = (config.learnSigma ?? false) && hasGaussian;
    if (config.learnSigma && !hasGaussian) {
      throw new DeepBeliefError('learnSigma: only Gaussian visible units have a σ to learn');
    }
    this.W = ops.keep(ops.randomNormal([this.numVisible, this.numHidden], rng, 0, initialStd));
    this.visibleBias = ops.keep(ops.zeros([1, this.numVisible]));
    this.hiddenBias = ops.keep(ops.zeros([1, this.numHidden]));
    this.logSigma = this.learnSigma ? ops.keep(ops.zeros([1, this.numVisible])) : null;
    this.gaussianMask = hasGaussian ? ops.keep(this.maskOf('gaussian')) : null;
  }

  /** The architecture, for saving and for building a twin. */
  get config(): RBMConfig {
    return {
      visible: this.segments.map((s) => ({ type: s.type, size: s.size })),
      hidden: this.numHidden,
      hiddenType: this.hiddenType,
      learnSigma: this.learnSigma,
    };
  }

  /** `[1, visible]` with 1 on units of `type`. */
  maskOf(type: VisibleGroup['type']): Tensor {
    const m = new Float32Array(this.numVisible);
    for (const s of this.segments) if (s.type === type) m.fill(1, s.start, s.end);
    return this.ops.fromArray(m, [1, this.numVisible]);
  }

  /** Per-unit σ `[1, visible]` (ones for non-Gaussian units), or null when all are 1. */
  sigma(): Tensor | null {
    return this.logSigma ? this.ops.exp(this.logSigma) : null;
  }

  /** Sets b = log(p/(1−p)) from the mean activation p of each visible unit (clipped to [ε, 1−ε]). */
  initVisibleBiasFromData(mean: Float32Array, epsilon = 1e-3): void {
    if (mean.length !== this.numVisible) {
      throw new ShapeError(
        `initVisibleBiasFromData: got ${mean.length} means for ${this.numVisible} visible units`,
      );
    }
    const b = new Float32Array(this.numVisible);
    for (const s of this.segments) {
      for (let i = s.start; i < s.end; i++) {
        if (s.type === 'gaussian') b[i] = mean[i]!;
        else if (s.type === 'replicated-softmax') {
          // softmax(b) = the mean word frequencies: b = log(meanᵢ / Σ mean)
          let total = 0;
          for (let k = s.start; k < s.end; k++) total += mean[k]!;
          b[i] = Math.log(Math.max(mean[i]! / (total || 1), epsilon));
        } else {
          const p = Math.min(Math.max(mean[i]!, epsilon), 1 - epsilon);
          b[i] = Math.log(p / (1 - p));
        }
      }
    }
    this.replace('visibleBias', this.ops.fromArray(b, [1, this.numVisible]));
  }

  /** Swaps a parameter for a new tensor (kept), disposing the old one. */
  replace(name: 'W' | 'visibleBias' | 'hiddenBias' | 'logSigma', value: Tensor): void {
    const old = this[name];
    if (!old || old.shape[0] !== value.shape[0] || old.shape[1] !== value.shape[1]) {
      throw new ShapeError(
        `replace ${name}: expected shape [${old?.shape.join(', ')}], got [${value.shape.join(', ')}]`,
      );
    }
    this.ops.keep(value);
    this[name] = value;
    if (old !== value) old.dispose();
  }

  // ------------------------------------------------------------------ conditionals --

  private checkVisible(v: Tensor, where: string): void {
    if (v.cols !== this.numVisible) {
      throw new ShapeError(
        `${where}: expected ${this.numVisible} visible columns, got [${v.shape.join(', ')}]`,
      );
    }
  }

  private checkHidden(h: Tensor, where: string): void {
    if (h.cols !== this.numHidden) {
      throw new ShapeError(
        `${where}: expected ${this.numHidden} hidden columns, got [${h.shape.join(', ')}]`,
      );
    }
  }

  /** Total input to the hidden units, c + (v/σ)·W (D·c + v·W for word counts): `[batch, hidden]`. */
  hiddenInput(v: Tensor): Tensor {
    this.checkVisible(v, 'hiddenInput');
    const o = this.ops;
    return o.tidy(() => {
      if (this.wordCounts) return o.add(o.matmul(v, this.W), o.mul(o.sum(v, 1), this.hiddenBias));
      const sigma = this.sigma();
      return o.linear(sigma ? o.div(v, sigma) : v, this.W, this.hiddenBias);
    });
  }

  /** p(h=1|v) for binary hidden units; the mean c + (v/σ)W for Gaussian ones. `[batch, hidden]`. */
  hiddenProbabilities(v: Tensor): Tensor {
    this.checkVisible(v, 'hiddenProbabilities');
    const o = this.ops;
    if (!this.logSigma && !this.wordCounts) {
      return o.linear(v, this.W, this.hiddenBias, {
        activation: this.hiddenType === 'bernoulli' ? 'sigmoid' : 'none',
      });
    }
    return o.tidy(() => {
      const x = this.hiddenInput(v);
      return this.hiddenType === 'bernoulli' ? o.sigmoid(x) : x;
    });
  }

  /** Hidden states drawn from p(h|v) given its probabilities (or means). */
  sampleHiddenFrom(probabilities: Tensor, rng: SeededRandom): Tensor {
    const o = this.ops;
    if (this.hiddenType === 'bernoulli') return o.bernoulli(probabilities, rng);
    return o.tidy(() => o.add(probabilities, o.randomNormal(probabilities.shape, rng)));
  }

  /** Features for downstream use: p(h|v). Alias of {@link RBM.hiddenProbabilities}. */
  transform(v: Tensor): Tensor {
    return this.hiddenProbabilities(v);
  }

  /**
   * p(v|h): σ for Bernoulli units, softmax within each softmax group, and the mean
   * b + σ·Wh for Gaussian units. For word counts, the distribution of one word,
   * softmax(b + Wh) (rows sum to 1; {@link RBM.visibleMeans} gives expected counts). `[batch, visible]`.
   */
  visibleProbabilities(h: Tensor): Tensor {
    this.checkHidden(h, 'visibleProbabilities');
    const o = this.ops;
    const only = this.segments.length === 1 ? this.segments[0]! : null;
    if (only?.type === 'bernoulli')
      return o.linear(h, this.W, this.visibleBias, { transposeW: true, activation: 'sigmoid' });
    return o.tidy(() => {
      const sigma = this.sigma();
      let wh = o.linear(h, this.W, null, { transposeW: true });
      if (sigma) wh = o.mul(wh, sigma);
      const a = o.add(wh, this.visibleBias);
      const parts = this.segments.map((s) => {
        const x = this.segments.length === 1 ? a : o.sliceColumns(a, s.start, s.end);
        if (s.type === 'bernoulli') return o.sigmoid(x);
        if (s.type === 'softmax' || s.type === 'replicated-softmax') return o.softmax(x, 1);
        return x;
      });
      return parts.length === 1 ? parts[0]! : o.concatColumns(parts);
    });
  }

  /**
   * E[v | h]: {@link RBM.visibleProbabilities}, except for word counts, where it is D·p(word|h)
   * with D the total count of each row of `like` (the document being reconstructed).
   */
  visibleMeans(h: Tensor, like: Tensor): Tensor {
    const o = this.ops;
    if (!this.wordCounts) return this.visibleProbabilities(h);
    if (like.rows !== h.rows)
      throw new ShapeError(`visibleMeans: ${h.rows} hidden rows but ${like.rows} documents`);
    return o.tidy(() => o.mul(this.visibleProbabilities(h), o.sum(like, 1)));
  }

  /**
   * Visible states drawn from p(v|h) given its probabilities (or Gaussian means). For word
   * counts, pass {@link RBM.visibleMeans}: each row's D = its sum words are drawn from the
   * multinomial.
   */
  sampleVisibleFrom(probabilities: Tensor, rng: SeededRandom): Tensor {
    const o = this.ops;
    if (this.wordCounts)
      return o.tidy(() => o.multinomial(probabilities, o.sum(probabilities, 1), rng));
    return o.tidy(() => {
      const parts = this.segments.map((s) => {
        const p =
          this.segments.length === 1
            ? probabilities
            : o.sliceColumns(probabilities, s.start, s.end);
        if (s.type === 'bernoulli') return o.bernoulli(p, rng);
        if (s.type === 'softmax') return o.categorical(p, rng);
        const noise = o.randomNormal(p.shape, rng);
        const sigma = this.sigma();
        return o.add(
          p,
          sigma
            ? o.mul(
                noise,
                this.segments.length === 1 ? sigma : o.sliceColumns(sigma, s.start, s.end),
              )
            : noise,
        );
      });
      return parts.length === 1 ? parts[0]! : o.concatColumns(parts);
    });
  }

  // ------------------------------------------------------------------ energies -----

  /** The visible part of the energy, Σ −bᵢvᵢ (or (vᵢ−bᵢ)²/2σᵢ² for Gaussian units): `[batch, 1]`. */
  private visibleEnergy(v: Tensor): Tensor {
    const o = this.ops;
    return o.tidy(() => {
      const linear = o.neg(o.mul(v, this.visibleBias));
      if (!this.gaussianMask) return o.sum(linear, 1);
      const g = this.gaussianMask;
      const sigma = this.sigma();
      let quad = o.mul(o.square(o.sub(v, this.visibleBias)), 0.5);
      if (sigma) quad = o.div(quad, o.square(sigma));
      return o.sum(o.add(o.mul(linear, o.rsub(1, g)), o.mul(quad, g)), 1);
    });
  }

  /**
   * Free energy F(v) = −log Σ_h e^{−E(v,h)}: `[batch, 1]`. Uses the stable softplus, so it
   * does not overflow for large inputs. For Gaussian hidden units the (constant) Gaussian
   * normaliser ½log 2π per unit is left out.
   */
  freeEnergy(v: Tensor): Tensor {
    this.checkVisible(v, 'freeEnergy');
    const o = this.ops;
    return o.tidy(() => {
      const x = this.hiddenInput(v);
      const hiddenTerm = this.hiddenType === 'bernoulli' ? o.softplus(x) : o.mul(o.square(x), 0.5);
      return o.sub(this.visibleEnergy(v), o.sum(hiddenTerm, 1));
    });
  }

  /** Energy E(v, h) of joint configurations: `[batch, 1]`. */
  energy(v: Tensor, h: Tensor): Tensor {
    this.checkVisible(v, 'energy');
    this.checkHidden(h, 'energy');
    if (v.rows !== h.rows)
      throw new ShapeError(`energy: ${v.rows} visible rows but ${h.rows} hidden rows`);
    const o = this.ops;
    return o.tidy(() => {
      const x = this.hiddenInput(v); // c + (v/σ)W
      let e = o.sub(this.visibleEnergy(v), o.sum(o.mul(x, h), 1));
      if (this.hiddenType === 'gaussian') e = o.add(e, o.sum(o.mul(o.square(h), 0.5), 1));
      return e;
    });
  }

  // ------------------------------------------------------------------ sampling -----

  /**
   * `steps` rounds of block Gibbs sampling v → h → v, starting from visible states `v0`
   * (data, or noise for fantasies). Clamped units keep their values throughout.
   */
  gibbs(v0: Tensor, options: { steps: number; rng: SeededRandom; clamp?: Clamp }): GibbsResult {
    this.checkVisible(v0, 'gibbs');
    const { steps, rng, clamp } = options;
    if (!Number.isInteger(steps) || steps < 1)
      throw new DeepBeliefError(`gibbs: steps must be an integer ≥ 1, got ${steps}`);
    if (clamp) {
      if (clamp.mask.rows !== 1 || clamp.mask.cols !== this.numVisible) {
        throw new ShapeError(
          `gibbs: clamp.mask must be [1, ${this.numVisible}], got [${clamp.mask.shape.join(', ')}]`,
        );
      }
      if (
        clamp.values.cols !== this.numVisible ||
        (clamp.values.rows !== v0.rows && clamp.values.rows !== 1)
      ) {
        throw new ShapeError(
          `gibbs: clamp.values must be [${v0.rows} or 1, ${this.numVisible}], got [${clamp.values.shape.join(', ')}]`,
        );
      }
    }
    const o = this.ops;
    return o.tidy(() => {
      const applyClamp = (v: Tensor) =>
        clamp ? o.add(o.mul(v, o.rsub(1, clamp.mask)), o.mul(clamp.values, clamp.mask)) : v;
      let v = applyClamp(v0);
      let ph = this.hiddenProbabilities(v);
      let h = this.sampleHiddenFrom(ph, rng);
      let pv = v;
      for (let s = 0; s < steps; s++) {
        const next = o.tidy(() => {
          const pvNext = this.visibleMeans(h, v);
          const vNext = applyClamp(this.sampleVisibleFrom(pvNext, rng));
          const phNext = this.hiddenProbabilities(vNext);
          const hNext = this.sampleHiddenFrom(phNext, rng);
          return { pvNext, vNext, phNext, hNext };
        });
        o.dispose([pv === v0 ? [] : pv, v === v0 ? [] : v, ph, h]);
        pv = next.pvNext;
        v = next.vNext;
        ph = next.phNext;
        h = next.hNext;
      }
      return { visible: v, visibleProbabilities: pv, hidden: h, hiddenProbabilities: ph };
    });
  }

  /** p(v | p(h|v)): the deterministic reconstruction of a batch. */
  reconstruct(v: Tensor): Tensor {
    return this.ops.tidy(() => this.visibleMeans(this.hiddenProbabilities(v), v));
  }

  // ------------------------------------------------------------------ parameters ---

  /** Copies the parameters out as arrays. */
  getParameters(): RBMParameters {
    const o = this.ops;
    return {
      weights: o.read(this.W),
      visibleBias: o.read(this.visibleBias),
      hiddenBias: o.read(this.hiddenBias),
      ...(this.logSigma ? { logSigma: o.read(this.logSigma) } : {}),
    };
  }

  /** Replaces the parameters from arrays (shapes are checked). */
  setParameters(p: RBMParameters): void {
    const o = this.ops;
    const check = (name: string, got: Float32Array | undefined, n: number) => {
      if (!(got instanceof Float32Array) || got.length !== n) {
        throw new ShapeError(
          `setParameters: ${name} must be a Float32Array of ${n} values, got ${got?.length ?? 'nothing'}`,
        );
      }
    };
    check('weights', p.weights, this.numVisible * this.numHidden);
    check('visibleBias', p.visibleBias, this.numVisible);
    check('hiddenBias', p.hiddenBias, this.numHidden);
    this.replace('W', o.tensor(p.weights, [this.numVisible, this.numHidden]));
    this.replace('visibleBias', o.tensor(p.visibleBias, [1, this.numVisible]));
    this.replace('hiddenBias', o.tensor(p.hiddenBias, [1, this.numHidden]));
    if (this.logSigma) {
      check('logSigma', p.logSigma, this.numVisible);
      this.replace('logSigma', o.tensor(p.logSigma!, [1, this.numVisible]));
    }
  }

  /** Releases the parameter tensors. */
  dispose(): void {
    this.ops.dispose([
      this.W,
      this.visibleBias,
      this.hiddenBias,
      this.logSigma ?? [],
      this.gaussianMask ?? [],
    ]);
  }
}
