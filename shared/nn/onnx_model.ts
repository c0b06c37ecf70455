// Inference over an ONNX classifier with onnxruntime-web (WASM): load from bytes or a file,
// warm up once, then batched predict. Inputs are checked against the graph's declared shape
// before they reach the runtime, so a wrong window never turns into a silent result.
import { decodeModel } from "./onnx_builder.ts";
import { configureOrt, ort, type OrtOptions } from "./ort_runtime.ts";
import type { WindowBatch } from "./window_batch.ts";

export interface OnnxModelOptions extends OrtOptions {
  /** Run once on a zero batch at load so the first real call pays no set-up (default true). */
  readonly warmUp?: boolean;
  /** Refuse the model unless its per-sample input dims are these (e.g. [steps, features]). */
  readonly expectSampleDims?: readonly number[];
}

interface GraphSignature {
  readonly inputName: string;
  readonly outputName: string;
  /** Input dims after the (dynamic) batch dim. */
  readonly sampleDims: readonly number[];
  readonly metadata: Readonly<Record<string, string>>;
}

function signatureOf(bytes: Uint8Array, source: string): GraphSignature {
  const model = decodeModel(bytes);
  const g = model.graph;
  if (!g) throw new Error(`${source}: ONNX model has no graph`);
  const initNames = new Set((g.initializer ?? []).map((t) => t.name));
  const inputs = (g.input ?? []).filter((i) => !initNames.has(i.name));
  const outputs = g.output ?? [];
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new Error(
      `${source}: expected one input and one output, got ${inputs.length} and ${outputs.length}`,
    );
  }
  const tt = inputs[0].type?.tensorType;
  if (!tt || tt.elemType !== 1) throw new Error(`${source}: input must be a float32 tensor`);
  const dims = tt.shape?.dim ?? [];
  if (dims.length < 2) throw new Error(`${source}: input must be [batch, ...] with rank >= 2`);
  const sampleDims = dims.slice(1).map((d, i) => {
    const v = Number(d.dimValue ?? 0);
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new Error(`${source}: input dim ${i + 1} must be fixed (got ${d.dimParam ?? v})`);
    }
    return v;
  });
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) metadata[p.key ?? ""] = p.value ?? "";
  return {
    inputName: inputs[0].name ?? "",
    outputName: outputs[0].name ?? "",
    sampleDims,
    metadata,
  };
}

async function readSource(source: Uint8Array | string | URL): Promise<[Uint8Array, string]> {
  if (source instanceof Uint8Array) return [source, "ONNX bytes"];
  try {
    return [await Deno.readFile(source), String(source)];
  } catch (e) {
    throw new Error(`cannot read ONNX model ${String(source)}: ${(e as Error).message}`);
  }
}

export class OnnxModel {
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly signature: GraphSignature,
  ) {}

  static async load(
    source: Uint8Array | string | URL,
    opts: OnnxModelOptions = {},
  ): Promise<OnnxModel> {
    configureOrt(opts);
    const [bytes, name] = await readSource(source);
    const signature = signatureOf(bytes, name);
    const want = opts.expectSampleDims;
    if (
      want !== undefined &&
      (want.length !== signature.sampleDims.length ||
        want.some((d, i) => d !== signature.sampleDims[i]))
    ) {
      throw new Error(
        `${name}: the model takes input [batch, ${signature.sampleDims.join(", ")}] but ` +
          `[batch, ${want.join(", ")}] was expected`,
      );
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    } catch (e) {
      throw new Error(`onnxruntime-web rejected ${name}: ${(e as Error).message}`);
    }
    const model = new OnnxModel(session, signature);
    if (opts.warmUp ?? true) {
      const size = signature.sampleDims.reduce((a, b) => a * b, 1);
      await model.predict(new Float32Array(size), [1, ...signature.sampleDims]);
    }
    return model;
  }

  get inputName(): string {
    return this.signature.inputName;
  }

  get outputName(): string {
    return this.signature.outputName;
  }

  /** Per-sample input dims, e.g. [steps, features]. */
  get sampleDims(): readonly number[] {
    return this.signature.sampleDims;
  }

  /** ModelProto metadata_props (e.g. nn.window_steps). */
  get metadata(): Readonly<Record<string, string>> {
    return this.signature.metadata;
  }

  /**
   * Runs a batch [n, ...sampleDims] and returns the output, row-major. Calls are serialised;
   * the input is checked and copied at call time, so later changes to it do not leak in.
   */
  predict(batch: Float32Array, shape: readonly number[]): Promise<Float32Array> {
    try {
      this.checkInput(batch, shape);
    } catch (e) {
      return Promise.reject(e);
    }
    const data = Float32Array.from(batch);
    const dims = [...shape];
    const run = this.queue.then(() => this.runOnce(data, dims));
    this.queue = run.catch(() => undefined);
    return run;
  }

  predictWindows(batch: WindowBatch): Promise<Float32Array> {
    return this.predict(batch.data, batch.shape);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.queue;
    await this.session.release();
  }

  private checkInput(batch: Float32Array, shape: readonly number[]): void {
    if (this.released) throw new Error("OnnxModel.predict: the model was released");
    if (!(batch instanceof Float32Array)) {
      throw new Error("OnnxModel.predict: batch must be a Float32Array");
    }
    const want = this.signature.sampleDims;
    const n = shape[0];
    const sameDims = shape.length === want.length + 1 && want.every((d, i) => shape[i + 1] === d);
    if (!sameDims || !Number.isSafeInteger(n) || n < 1) {
      throw new Error(
        `OnnxModel.predict: shape [${shape.join(", ")}] does not match [n>=1, ${want.join(", ")}]`,
      );
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (batch.length !== size) {
      throw new Error(
        `OnnxModel.predict: batch has ${batch.length} values, shape [${
          shape.join(", ")
        }] needs ${size}`,
      );
    }
    const bad = batch.findIndex((v) => !Number.isFinite(v));
    if (bad !== -1) {
      throw new Error(`OnnxModel.predict: input value ${bad} is ${batch[bad]}`);
    }
  }

  private async runOnce(batch: Float32Array, shape: readonly number[]): Promise<Float32Array> {
    const input = new ort.Tensor("float32", batch, [...shape]);
    const out = await this.session.run({ [this.signature.inputName]: input });
    const y = out[this.signature.outputName];
    if (!y || y.type !== "float32") {
      throw new Error(`OnnxModel.predict: output '${this.signature.outputName}' is not float32`);
    }
    return y.data as Float32Array;
  }
}
