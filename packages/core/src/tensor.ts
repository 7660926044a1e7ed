import type { Ops } from './ops.js';
import type { Shape } from './shape.js';

let nextId = 0;

/**
 * A float32 matrix living on a backend. Create tensors through {@link Ops}; release them
 * with {@link Tensor.dispose} or by creating them inside {@link Ops.tidy}.
 */
export class Tensor {
  /** Unique id, for debugging and leak reports. */
  readonly id = nextId++;
  private disposedFlag = false;

  /** @internal use {@link Ops} to create tensors. */
  constructor(
    /** The backend's own handle. Only {@link Ops} should touch it. */
    readonly handle: unknown,
    /** `[rows, cols]`. */
    readonly shape: Shape,
    /** The ops instance (and so the backend) this tensor belongs to. */
    readonly ops: Ops,
  ) {}

  get rows(): number {
    return this.shape[0];
  }

  get cols(): number {
    return this.shape[1];
  }

  /** Number of elements. */
  get size(): number {
    return this.shape[0] * this.shape[1];
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Row-major copy of the values. */
  read(): Float32Array {
    return this.ops.read(this);
  }

  /** Releases the backend memory. Safe to call twice. */
  dispose(): void {
    this.ops.dispose(this);
  }

  /** @internal */
  markDisposed(): boolean {
    if (this.disposedFlag) return false;
    this.disposedFlag = true;
    return true;
  }

  toString(): string {
    return `Tensor#${this.id}[${this.shape[0]}, ${this.shape[1]}]`;
  }
}
