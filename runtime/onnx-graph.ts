import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;
export const INT32 = onnx.TensorProto.DataType.INT32;
const AT = onnx.AttributeProto.AttributeType;

type Node = onnxProto.onnx.INodeProto;
type Attribute = onnxProto.onnx.IAttributeProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;

/**
 * Writes the ONNX graphs goe builds in memory from a model's own weights (the language model's cached step,
 * generators/lm/onnx-step.ts; a CNN's training step, trainer/onnx/cnn-graph.ts) with `onnx-proto`: nodes in
 * the order they are added (which must be topological), constants and value infos; opset 17, IR version 8.
 * Operators as in onnx.ai/onnx/operators. Hand-written because no JavaScript package builds ONNX graphs;
 * `onnx-proto` only encodes them.
 */
export class OnnxGraphBuilder {
  nodes: Node[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  #k = 0;

  /** A fresh name with `prefix`. */
  name(prefix: string): string {
    return `${prefix}_${this.#k++}`;
  }

  /** Adds a one-output node; returns its output's name (`out`, or a fresh one). */
  op(opType: string, input: string[], attribute: Attribute[] = [], out?: string): string {
    const output = out ?? this.name(opType);
    this.nodes.push({ opType, input, output: [output], attribute, name: output });
    return output;
  }

  /** Adds a node with several outputs, named. */
  opN(opType: string, input: string[], output: string[], attribute: Attribute[] = []): void {
    this.nodes.push({ opType, input, output, attribute, name: output[0] });
  }

  int = (name: string, i: number): Attribute => ({ name, i, type: AT.INT });
  ints = (name: string, v: number[]): Attribute => ({ name, ints: v, type: AT.INTS });
  float = (name: string, f: number): Attribute => ({ name, f, type: AT.FLOAT });

  /** An int64 vector constant (shapes, axes, slice bounds). */
  i64(values: number[], prefix = 'const'): string {
    const id = this.name(prefix);
    this.initializers.push({ name: id, dims: [values.length], dataType: INT64, int64Data: values });
    return id;
  }

  /** An int32 vector constant. */
  i32(values: number[], prefix = 'const'): string {
    const id = this.name(prefix);
    this.initializers.push({ name: id, dims: [values.length], dataType: INT32, int32Data: values });
    return id;
  }

  /** A float32 scalar constant. */
  f32(value: number, prefix = 'const'): string {
    const id = this.name(prefix);
    this.initializers.push({ name: id, dims: [], dataType: FLOAT, floatData: [value] });
    return id;
  }

  /** A float32 constant named `name` holding `data` (row-major) of `shape`. */
  weight(name: string, data: Float32Array, shape: readonly number[]): string {
    this.initializers.push({
      name,
      dims: [...shape],
      dataType: FLOAT,
      // Little-endian float32 bytes, as ONNX's raw_data asks (every platform Node runs on is little-endian).
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** A tensor value info: `dims` are sizes or symbolic names (e.g. `batch`). */
  static tensor(name: string, dims: (number | string)[], elemType: number = FLOAT): ValueInfo {
    return {
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((v) => (typeof v === 'number' ? { dimValue: v } : { dimParam: v })) },
        },
      },
    };
  }

  /** Declares a graph input; returns its name. */
  input(name: string, dims: (number | string)[], elemType: number = FLOAT): string {
    this.inputs.push(OnnxGraphBuilder.tensor(name, dims, elemType));
    return name;
  }

  /** Declares a graph output. */
  output(name: string, dims: (number | string)[], elemType: number = FLOAT): void {
    this.outputs.push(OnnxGraphBuilder.tensor(name, dims, elemType));
  }

  /**
   * The encoded model. Constants no node reads are left out: ONNX Runtime warns about each on stderr.
   */
  encode(graphName: string): Uint8Array {
    const used = new Set(this.nodes.flatMap((n) => n.input ?? []));
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'goe',
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers.filter((t) => used.has(t.name!)),
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
