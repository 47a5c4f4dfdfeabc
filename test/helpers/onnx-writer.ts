/**
 * A minimal ONNX model encoder for tests: writes the protobuf wire format of ModelProto by hand
 * (no protobuf library). Covers what small hand-made graphs need: nodes with int/ints/float
 * attributes, float/int64 initializers (raw_data, little-endian) and typed inputs/outputs with
 * fixed or symbolic dimensions. Field numbers follow onnx/onnx.proto.
 */

/** TensorProto.DataType values used here. */
export const ONNX_DATA_TYPE = { float: 1, int64: 7, bool: 9 } as const;
export type OnnxElementType = keyof typeof ONNX_DATA_TYPE;

export type OnnxAttribute = { int: number } | { ints: number[] } | { float: number };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elementType: OnnxElementType;
  /** A number is a fixed size, a string a symbolic dimension (dim_param). */
  shape: Array<number | string>;
}

export type OnnxInitializer =
  | { name: string; elementType: 'float'; dims: number[]; data: Float32Array }
  | { name: string; elementType: 'int64'; dims: number[]; data: BigInt64Array };

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: OnnxInitializer[];
}

export interface OnnxModel {
  graph: OnnxGraph;
  /** Version of the default ("ai.onnx") operator set. */
  opsetVersion: number;
  /** ONNX IR version; 8 fits opsets up to 17. */
  irVersion?: number;
  producerName?: string;
}

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, ints: 7 } as const;

/** Appends protobuf fields to a growing list of byte chunks. */
class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private varint(value: number | bigint): void {
    // int64 fields are encoded as their unsigned 64-bit two's complement.
    let remaining = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(remaining & 0x7fn);
      remaining >>= 7n;
      if (remaining > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (remaining > 0n);
    this.push(Uint8Array.from(bytes));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  integer(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (writer: ProtobufWriter) => void): this {
    const inner = new ProtobufWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function writeAttribute(writer: ProtobufWriter, name: string, attribute: OnnxAttribute): void {
  // AttributeProto: name = 1, f = 2, i = 3, ints = 8, type = 20.
  writer.string(1, name);
  if ('int' in attribute) {
    writer.integer(3, attribute.int).integer(20, ATTRIBUTE_TYPE.int);
  } else if ('ints' in attribute) {
    for (const value of attribute.ints) writer.integer(8, value);
    writer.integer(20, ATTRIBUTE_TYPE.ints);
  } else {
    writer.float(2, attribute.float).integer(20, ATTRIBUTE_TYPE.float);
  }
}

function writeNode(writer: ProtobufWriter, node: OnnxNode): void {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  if (node.name) writer.string(3, node.name);
  writer.string(4, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes ?? {})) {
    writer.message(5, (inner) => writeAttribute(inner, name, attribute));
  }
}

function rawData(initializer: OnnxInitializer): Uint8Array {
  const bytes = new Uint8Array(initializer.data.length * (initializer.elementType === 'float' ? 4 : 8));
  const view = new DataView(bytes.buffer);
  if (initializer.elementType === 'float') {
    initializer.data.forEach((value, index) => view.setFloat32(index * 4, value, true));
  } else {
    initializer.data.forEach((value, index) => view.setBigInt64(index * 8, value, true));
  }
  return bytes;
}

function writeTensor(writer: ProtobufWriter, initializer: OnnxInitializer): void {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
  for (const dim of initializer.dims) writer.integer(1, dim);
  writer.integer(2, ONNX_DATA_TYPE[initializer.elementType]);
  writer.string(8, initializer.name);
  writer.bytes(9, rawData(initializer));
}

function writeValueInfo(writer: ProtobufWriter, info: OnnxValueInfo): void {
  // ValueInfoProto: name = 1, type = 2. TypeProto: tensor_type = 1. TypeProto.Tensor: elem_type = 1,
  // shape = 2. TensorShapeProto: dim = 1. Dimension: dim_value = 1, dim_param = 2.
  writer.string(1, info.name);
  writer.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.integer(1, ONNX_DATA_TYPE[info.elementType]);
      tensor.message(2, (shape) => {
        for (const dim of info.shape) {
          shape.message(1, (dimension) => (typeof dim === 'number' ? dimension.integer(1, dim) : dimension.string(2, dim)));
        }
      });
    }),
  );
}

function writeGraph(writer: ProtobufWriter, graph: OnnxGraph): void {
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
  for (const node of graph.nodes) writer.message(1, (inner) => writeNode(inner, node));
  writer.string(2, graph.name);
  for (const initializer of graph.initializers) writer.message(5, (inner) => writeTensor(inner, initializer));
  for (const input of graph.inputs) writer.message(11, (inner) => writeValueInfo(inner, input));
  for (const output of graph.outputs) writer.message(12, (inner) => writeValueInfo(inner, output));
}

/** Serializes `model` as an ONNX ModelProto (the bytes of a `.onnx` file). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
  // OperatorSetIdProto: domain = 1, version = 2 (the empty domain is "ai.onnx").
  const writer = new ProtobufWriter();
  writer.integer(1, model.irVersion ?? 8);
  writer.string(2, model.producerName ?? 'agent-eval-tests');
  writer.message(7, (graph) => writeGraph(graph, model.graph));
  writer.message(8, (opset) => opset.string(1, '').integer(2, model.opsetVersion));
  return writer.finish();
}
