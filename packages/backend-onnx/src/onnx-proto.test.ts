import { describe, expect, it } from 'vitest';
import { loadNativeBinding } from './native.js';
import { DataType, encodeModel, float, type GraphSpec, int, ints } from './onnx-proto.js';

describe('encodeModel', () => {
  it('writes the header fields a protobuf reader expects', () => {
    const bytes = encodeModel({ name: 'g', inputs: [], outputs: [], nodes: [] });
    // field 1 (ir_version) varint 8, then field 2 (producer_name) length-delimited.
    expect(Array.from(bytes.subarray(0, 3))).toEqual([0x08, 8, 0x12]);
    // opset_import (field 8) last: domain '' and version 18.
    expect(Array.from(bytes.subarray(-6))).toEqual([0x42, 4, 0x0a, 0, 0x10, 18]);
  });

  it('encodes attributes, negative ints, symbolic dims and initializers ONNX Runtime accepts', () => {
    const native = loadNativeBinding();
    const graph: GraphSpec = {
      name: 'check',
      inputs: [
        { name: 'a', dims: ['m', 'k'] },
        { name: 'b', dims: [3, 'n'] },
      ],
      outputs: [{ name: 'y' }, { name: 'idx', dims: ['m', 1] }, { name: 's' }],
      nodes: [
        // y = 0.5 · aᵀᵀ·b + bias (perm is an ints attribute, alpha a float one)
        { op: 'Transpose', inputs: ['a'], outputs: ['at'], attributes: { perm: ints([1, 0]) } },
        { op: 'Transpose', inputs: ['at'], outputs: ['att'], attributes: { perm: ints([1, 0]) } },
        {
          op: 'Gemm',
          inputs: ['att', 'b', 'bias'],
          outputs: ['y'],
          attributes: { alpha: float(0.5) },
        },
        // argmax along axis -1 (a negative int attribute: 10-byte varint)
        {
          op: 'ArgMax',
          inputs: ['a'],
          outputs: ['i64'],
          attributes: { axis: int(-1), keepdims: int(1) },
        },
        { op: 'Cast', inputs: ['i64'], outputs: ['idx'], attributes: { to: int(DataType.FLOAT) } },
        {
          op: 'ReduceSum',
          inputs: ['a', 'axes'],
          outputs: ['s'],
          attributes: { keepdims: int(0) },
        },
      ],
      initializers: [
        { name: 'bias', dims: [1, 2], type: DataType.FLOAT, values: [10, -10] },
        { name: 'axes', dims: [1], type: DataType.INT64, values: [-1] },
      ],
    };
    const bytes = encodeModel(graph);
    const session = new native.binding.InferenceSession();
    session.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {});
    const a = Float32Array.from([1, 5, 2, 7, 0, 3]); // [2, 3]
    const b = Float32Array.from([1, 0, 0, 1, 1, 1]); // [3, 2]
    const out = session.run(
      {
        a: { type: 'float32', data: a, dims: [2, 3], location: 'cpu' },
        b: { type: 'float32', data: b, dims: [3, 2], location: 'cpu' },
      },
      { y: null, idx: null, s: null },
      {},
    );
    // a·b = [[3, 7], [10, 3]]
    expect(Array.from(out.y!.data as Float32Array)).toEqual([11.5, -6.5, 15, -8.5]);
    expect(out.y!.dims).toEqual([2, 2]);
    expect(Array.from(out.idx!.data as Float32Array)).toEqual([1, 0]);
    expect(Array.from(out.s!.data as Float32Array)).toEqual([8, 10]);
    session.dispose();
  });
});
