import type { Activation, BinaryOp, ReduceOp, UnaryOp } from '@deepbelief/core';
import { type Attribute, DataType, int, ints, type NodeSpec } from './onnx-proto.js';

/** What an {@link OpKind} emits its ONNX nodes into. */
export interface Emitter {
  /**
   * Adds one ONNX node and returns the name of its output: `output` when given (the
   * value's final name), else a fresh temporary.
   */
  node(
    op: string,
    inputs: readonly string[],
    attributes?: Readonly<Record<string, Attribute>>,
    output?: string,
  ): string;
  /** Name of an int64 constant (shared within the graph). */
  int64(values: readonly number[], dims: readonly number[]): string;
}

/**
 * One kind of deferred operation: its ONNX lowering and a signature that is equal for two
 * kinds exactly when they lower to the same nodes. Kinds are static (no data): tensor and
 * number arguments are graph inputs, so one compiled graph serves every shape and value.
 */
export interface OpKind {
  /** Unique per op and static attributes; part of the graph cache key. */
  readonly sig: string;
  /** Lowers the op, writing its result to `output`. */
  emit(e: Emitter, inputs: readonly string[], output: string): void;
}

const FLOAT = int(DataType.FLOAT);
const kinds = new Map<string, OpKind>();

function kind(sig: string, emit: OpKind['emit']): OpKind {
  let k = kinds.get(sig);
  if (!k) {
    k = { sig, emit };
    kinds.set(sig, k);
  }
  return k;
}

/**
 * `op(a) · op(b)` as one Gemm (MLAS sgemm with transpose flags), no bias. An explicit
 * Transpose + Gemm measured no faster: ONNX Runtime folds it into `transA` anyway.
 */
export function matmulKind(ta: boolean, tb: boolean): OpKind {
  return kind(`mm${+ta}${+tb}`, (e, [a, b], out) => {
    const attrs: Record<string, Attribute> = {};
    if (ta) attrs.transA = int(1);
    if (tb) attrs.transB = int(1);
    e.node('Gemm', [a!, b!], attrs, out);
  });
}

/** `activation(x · op(w) + bias)`: Gemm with the bias as C, then Sigmoid. */
export function linearKind(tw: boolean, hasBias: boolean, activation: Activation): OpKind {
  return kind(`lin${+tw}${+hasBias}${activation === 'sigmoid' ? 's' : ''}`, (e, inputs, out) => {
    const attrs: Record<string, Attribute> = tw ? { transB: int(1) } : {};
    if (activation === 'sigmoid') {
      e.node('Sigmoid', [e.node('Gemm', inputs, attrs)], {}, out);
    } else {
      e.node('Gemm', inputs, attrs, out);
    }
  });
}

export const transposeKind: OpKind = kind('tr', (e, [a], out) => {
  e.node('Transpose', [a!], { perm: ints([1, 0]) }, out);
});

const SIMPLE_UNARY: Partial<Record<UnaryOp, string>> = {
  neg: 'Neg',
  abs: 'Abs',
  exp: 'Exp',
  log: 'Log',
  sqrt: 'Sqrt',
  sigmoid: 'Sigmoid',
  // ONNX Runtime's Softplus is the stable max(x, 0) + log1p(e^−|x|): exact at ±1e4 and
  // ±3.4e38 (checked by the contract suite).
  softplus: 'Softplus',
  tanh: 'Tanh',
  relu: 'Relu',
};

/** Elementwise function of one tensor. */
export function unaryKind(op: UnaryOp): OpKind {
  return kind(`u.${op}`, (e, [a], out) => {
    const simple = SIMPLE_UNARY[op];
    if (simple) e.node(simple, [a!], {}, out);
    else if (op === 'square') e.node('Mul', [a!, a!], {}, out);
    else if (op === 'logSigmoid') {
      // log σ(x) = −softplus(−x)
      e.node('Neg', [e.node('Softplus', [e.node('Neg', [a!])])], {}, out);
    } else throw new Error(`onnx: no lowering for unary op '${op}'`);
  });
}

const ARITHMETIC: Partial<Record<BinaryOp, string>> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  maximum: 'Max',
  minimum: 'Min',
};
const COMPARISON: Partial<Record<BinaryOp, string>> = {
  greater: 'Greater',
  greaterEqual: 'GreaterOrEqual',
  less: 'Less',
  lessEqual: 'LessOrEqual',
  equal: 'Equal',
};

/** Elementwise function of two broadcast tensors; comparisons are cast to 1/0 floats. */
export function binaryKind(op: BinaryOp): OpKind {
  return kind(`b.${op}`, (e, [a, b], out) => {
    const arithmetic = ARITHMETIC[op];
    if (arithmetic) {
      e.node(arithmetic, [a!, b!], {}, out);
      return;
    }
    const comparison = COMPARISON[op];
    if (!comparison) throw new Error(`onnx: no lowering for binary op '${op}'`);
    e.node('Cast', [e.node(comparison, [a!, b!])], { to: FLOAT }, out);
  });
}

/**
 * `float(bytes) · scale` for a uint8 input and a rank-0 float scale: DequantizeLinear with
 * zero point 0 computes exactly that float32 product in one pass (Cast then Mul took two).
 */
export const bytesKind: OpKind = kind('bytes', (e, [bytes, scale], out) => {
  e.node('DequantizeLinear', [bytes!, scale!], {}, out);
});

/** Clamp with rank-0 `lo` and `hi` inputs. */
export const clipKind: OpKind = kind('clip', (e, [a, lo, hi], out) => {
  e.node('Clip', [a!, lo!, hi!], {}, out);
});

const REDUCE: Record<ReduceOp, string> = {
  sum: 'ReduceSum',
  mean: 'ReduceMean',
  max: 'ReduceMax',
  min: 'ReduceMin',
  // Stable in ONNX Runtime (the maximum is factored out; ±Infinity pass through).
  logSumExp: 'ReduceLogSumExp',
};

const axesOf = (axis: 0 | 1 | null): number[] => (axis === null ? [0, 1] : [axis]);

/** Reduction along an axis (or both), dimensions kept. */
export function reduceKind(op: ReduceOp, axis: 0 | 1 | null): OpKind {
  return kind(`r.${op}.${axis ?? 'all'}`, (e, [a], out) => {
    const axes = axesOf(axis);
    e.node(REDUCE[op], [a!, e.int64(axes, [axes.length])], { keepdims: int(1) }, out);
  });
}

/** First index of the maximum along the axis, as float32. */
export function argmaxKind(axis: 0 | 1): OpKind {
  return kind(`argmax${axis}`, (e, [a], out) => {
    const index = e.node('ArgMax', [a!], {
      axis: int(axis),
      keepdims: int(1),
      select_last_index: int(0),
    });
    e.node('Cast', [index], { to: FLOAT }, out);
  });
}

/** Softmax along one axis (opset ≥ 13 semantics; stable). */
export function softmaxKind(axis: 0 | 1): OpKind {
  return kind(`softmax${axis}`, (e, [a], out) => {
    e.node('Softmax', [a!], { axis: int(axis) }, out);
  });
}

/** Inclusive cumulative sum along the axis. */
export function cumsumKind(axis: 0 | 1): OpKind {
  return kind(`cumsum${axis}`, (e, [a], out) => {
    e.node('CumSum', [a!, e.int64([axis], [])], {}, out);
  });
}

/** Rows and columns from int64 `starts = [r0, c0]`, `ends = [r1, c1]` inputs. */
export const sliceKind: OpKind = kind('slice', (e, [a, starts, ends], out) => {
  e.node('Slice', [a!, starts!, ends!, e.int64([0, 1], [2])], {}, out);
});

/** Joins `n` tensors along the axis. */
export function concatKind(axis: 0 | 1, n: number): OpKind {
  return kind(`cat${axis}.${n}`, (e, inputs, out) => {
    e.node('Concat', inputs, { axis: int(axis) }, out);
  });
}

/** Collects the nodes and constants a graph's kinds emit. */
export class GraphEmitter implements Emitter {
  readonly nodes: NodeSpec[] = [];
  readonly constants = new Map<string, { values: readonly number[]; dims: readonly number[] }>();
  private temps = 0;

  node(
    op: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, Attribute>> = {},
    output?: string,
  ): string {
    const name = output ?? `t${this.temps++}`;
    this.nodes.push({ op, inputs, outputs: [name], attributes });
    return name;
  }

  int64(values: readonly number[], dims: readonly number[]): string {
    const name = `c_${dims.length}_${values.join('_')}`;
    this.constants.set(name, { values, dims });
    return name;
  }
}
