// Small typed helpers over onnx-proto's protobuf messages: float/int64 initialisers, nodes
// with typed attributes, tensor value infos and the encoded ModelProto.
import onnxProto from "onnx-proto";

export const onnx = onnxProto.onnx;
export type OnnxModelProto = onnxProto.onnx.ModelProto;

/** Default opset (ai.onnx) of the exported graphs; onnxruntime-web 1.30 supports it. */
export const ONNX_OPSET = 13;
/** IR version 7 is the one that goes with opset 13. */
export const ONNX_IR_VERSION = 7;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

function checkDims(name: string, dims: readonly number[], length: number): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0) || size !== length) {
    throw new Error(
      `ONNX tensor '${name}': dims [${dims.join(", ")}] do not hold ${length} values`,
    );
  }
}

export function floatTensor(
  name: string,
  dims: readonly number[],
  values: Float32Array,
): onnxProto.onnx.ITensorProto {
  checkDims(name, dims, values.length);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) throw new Error(`ONNX tensor '${name}': value ${bad} is ${values[bad]}`);
  return { name, dims: [...dims], dataType: FLOAT, floatData: Array.from(values) };
}

export function int64Tensor(
  name: string,
  dims: readonly number[],
  values: readonly number[],
): onnxProto.onnx.ITensorProto {
  checkDims(name, dims, values.length);
  if (values.some((v) => !Number.isSafeInteger(v))) {
    throw new Error(`ONNX tensor '${name}': int64 values must be safe integers`);
  }
  return { name, dims: [...dims], dataType: INT64, int64Data: [...values] };
}

export type Attribute =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly strings: readonly string[] };

function attribute(name: string, a: Attribute): onnxProto.onnx.IAttributeProto {
  const enc = new TextEncoder();
  if ("int" in a) return { name, type: A.INT, i: a.int };
  if ("ints" in a) return { name, type: A.INTS, ints: [...a.ints] };
  if ("float" in a) return { name, type: A.FLOAT, f: a.float };
  if ("floats" in a) return { name, type: A.FLOATS, floats: [...a.floats] };
  if ("string" in a) return { name, type: A.STRING, s: enc.encode(a.string) };
  return { name, type: A.STRINGS, strings: a.strings.map((s) => enc.encode(s)) };
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, Attribute>> = {},
): onnxProto.onnx.INodeProto {
  return {
    opType,
    name: `${opType}_${outputs.find((o) => o !== "") ?? "out"}`,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
  };
}

/** A float32 tensor value info; string dims are symbolic (e.g. "batch"). */
export function floatValueInfo(
  name: string,
  dims: readonly (number | string)[],
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => typeof d === "number" ? { dimValue: d } : { dimParam: d }) },
      },
    },
  };
}

export interface GraphSpec {
  readonly name: string;
  readonly doc: string;
  readonly nodes: readonly onnxProto.onnx.INodeProto[];
  readonly initializers: readonly onnxProto.onnx.ITensorProto[];
  readonly input: onnxProto.onnx.IValueInfoProto;
  readonly output: onnxProto.onnx.IValueInfoProto;
  /** Stored as ModelProto.metadata_props (string key/value pairs). */
  readonly metadata: Readonly<Record<string, string>>;
}

export function encodeModel(g: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: "trading-bot shared/nn",
    producerVersion: "1",
    docString: g.doc,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    metadataProps: Object.entries(g.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: [...g.nodes],
      initializer: [...g.initializers],
      input: [g.input],
      output: [g.output],
    },
  });
  const problem = onnx.ModelProto.verify(model);
  if (problem) throw new Error(`encodeModel: invalid ModelProto: ${problem}`);
  return onnx.ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array): OnnxModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`not an ONNX model: ${(e as Error).message}`);
  }
}
