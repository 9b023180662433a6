/**
 * Just enough of the ONNX protobuf encoding (onnx/onnx.proto, proto2) to write a small
 * inference graph: tensors as raw little-endian data, value infos with symbolic dims, nodes
 * with int attributes. Used by generate-embedding-fixture.ts; the server only reads ONNX
 * (through onnxruntime).
 */

export const FLOAT = 1;
export const INT64 = 7;

class Writer {
  private parts: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    return this.key(field, 0).varint(value);
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.parts.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, inner: Writer): this {
    return this.bytes(field, inner.done());
  }

  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface Tensor {
  name: string;
  dims: number[];
  type: typeof FLOAT | typeof INT64;
  data: Float32Array | BigInt64Array;
}

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  ints?: Record<string, number>;
}

export interface ValueInfo {
  name: string;
  type: typeof FLOAT | typeof INT64;
  /** A number is a fixed size, a string a symbolic one ("batch"). */
  shape: (number | string)[];
}

function tensor(t: Tensor): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type).string(8, t.name);
  return w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function node(n: Node, index: number): Writer {
  const w = new Writer();
  for (const input of n.inputs) w.string(1, input);
  for (const output of n.outputs) w.string(2, output);
  w.string(3, `${n.op.toLowerCase()}_${index}`).string(4, n.op);
  for (const [name, value] of Object.entries(n.ints ?? {})) {
    // AttributeProto: name = 1, i = 3, type = 20 (INT = 2)
    w.message(5, new Writer().string(1, name).int(3, value).int(20, 2));
  }
  return w;
}

function valueInfo(v: ValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) shape.message(1, typeof d === "number" ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, v.type).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

export function encodeModel(graph: {
  name: string; nodes: Node[]; initializers: Tensor[]; inputs: ValueInfo[]; outputs: ValueInfo[]; opset: number;
}): Uint8Array {
  const g = new Writer();
  graph.nodes.forEach((n, i) => g.message(1, node(n, i)));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensor(t));
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  return new Writer()
    .int(1, 8) // ir_version
    .string(2, "imbi-fixture-generator")
    .message(7, g)
    .message(8, new Writer().string(1, "").int(2, graph.opset))
    .done();
}
