/**
 * A minimal protobuf encoder for the subset of ONNX's `ModelProto` this backend needs:
 * one graph of nodes with int/float/ints attributes, float/int64 tensor inputs and
 * outputs whose dimensions may be symbolic, and small int64/float initializers. Field
 * numbers follow onnx/onnx.proto (IR version 8).
 */

/** ONNX `TensorProto.DataType` values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, BOOL: 9, INT64: 7 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

/** An attribute value: tagged so ints and floats are never confused. */
export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] };

/** An integer attribute. */
export const int = (value: number): Attribute => ({ kind: 'int', value });
/** A float attribute. */
export const float = (value: number): Attribute => ({ kind: 'float', value });
/** A list-of-integers attribute. */
export const ints = (value: readonly number[]): Attribute => ({ kind: 'ints', value });

/** One operator of the graph. */
export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, Attribute>>;
}

/** A graph input or output: a tensor with named (symbolic) or fixed dimensions. */
export interface ValueSpec {
  readonly name: string;
  /**
   * Numbers are fixed sizes, strings symbolic dimensions shared by name; leave out to
   * declare no shape at all (ONNX Runtime infers it).
   */
  readonly dims?: readonly (number | string)[];
  readonly type?: DataTypeId;
}

/** A constant tensor stored in the graph. */
export interface InitializerSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof DataType.INT64 | typeof DataType.FLOAT;
  readonly values: readonly number[];
}

/** Everything that makes up a single-graph model. */
export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly InitializerSpec[];
}

const IR_VERSION = 8;
/** Default opset: 18 takes `axes` of every Reduce* op as an input. */
export const OPSET = 18;

// Wire types.
const VARINT = 0;
const LEN = 2;
const I32 = 5;

const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growable byte buffer. */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Base-128 varint; negative numbers as 64-bit two's complement (10 bytes). */
  varint(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`onnx-proto: ${n} is not a safe integer`);
    if (n < 0) {
      let v = BigInt.asUintN(64, BigInt(n));
      while (v >= 0x80n) {
        this.byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.byte(Number(v));
      return;
    }
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, n: number): void {
    this.tag(field, VARINT);
    this.varint(n);
  }

  float(field: number, x: number): void {
    this.tag(field, I32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, x, true);
    this.len += 4;
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, LEN);
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, textEncoder.encode(s));
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.bytes(field, inner.finish());
  }

  packedInts(field: number, values: readonly number[]): void {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): void {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    this.bytes(field, data);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

function writeAttribute(w: Writer, name: string, a: Attribute): void {
  w.string(1, name); // name
  switch (a.kind) {
    case 'float':
      w.float(2, a.value); // f
      w.int(20, ATTR_FLOAT); // type
      break;
    case 'int':
      w.int(3, a.value); // i
      w.int(20, ATTR_INT);
      break;
    case 'ints':
      for (const v of a.value) w.int(8, v); // ints (proto2: unpacked)
      w.int(20, ATTR_INTS);
      break;
  }
}

function writeNode(w: Writer, node: NodeSpec, index: number): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, `${node.op}_${index}`); // name
  w.string(4, node.op); // op_type
  for (const [name, a] of Object.entries(node.attributes ?? {})) {
    w.message(5, (aw) => writeAttribute(aw, name, a));
  }
}

function writeValueInfo(w: Writer, v: ValueSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    // TypeProto.tensor_type
    type.message(1, (tensor) => {
      tensor.int(1, v.type ?? DataType.FLOAT); // elem_type
      const dims = v.dims;
      if (dims === undefined) return;
      tensor.message(2, (shape) => {
        for (const d of dims) {
          shape.message(1, (dim) => {
            // dim_value or dim_param
            if (typeof d === 'number') dim.int(1, d);
            else dim.string(2, d);
          });
        }
      });
    }),
  );
}

function writeInitializer(w: Writer, t: InitializerSpec): void {
  w.packedInts(1, t.dims); // dims
  w.int(2, t.type); // data_type
  // float_data or int64_data
  if (t.type === DataType.FLOAT) w.packedFloats(4, t.values);
  else w.packedInts(7, t.values);
  w.string(8, t.name);
}

/** Serialises a single-graph ONNX model (default domain, opset {@link OPSET}). */
export function encodeModel(graph: GraphSpec, opset: number = OPSET): Uint8Array {
  const w = new Writer();
  w.int(1, IR_VERSION); // ir_version
  w.string(2, '@deepbelief/backend-onnx'); // producer_name
  w.message(7, (g) => {
    graph.nodes.forEach((n, i) => {
      g.message(1, (nw) => writeNode(nw, n, i));
    });
    g.string(2, graph.name);
    for (const t of graph.initializers ?? []) g.message(5, (tw) => writeInitializer(tw, t));
    for (const v of graph.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of graph.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => {
    o.string(1, ''); // default ONNX domain
    o.int(2, opset);
  });
  return w.finish();
}
