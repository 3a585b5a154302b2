/**
 * Exponential moving average of a parameter vector (Polyak averaging), the "EMA" that PicoDet's
 * and the YOLO trainers evaluate and export instead of the last step's weights: it smooths the
 * step-to-step noise of small batches, which on a few hundred validation boxes moves AP as much as
 * a change of seed. The decay ramps up from 0 as d_t = min(decay, (1 + t) / (10 + t)) (t = updates
 * so far), so the first steps, taken from an untrained head, are forgotten quickly.
 */
export class WeightAverage {
  /** The averaged values, in float64 so thousands of small updates do not round away. */
  readonly values: Float64Array;

  private constructor(
    readonly decay: number,
    values: Float64Array,
    private updates: number,
  ) {
    this.values = values;
  }

  /** Starts averaging at `params` (the untrained head). */
  static start(params: Float32Array, decay: number): WeightAverage {
    return WeightAverage.resume(params, decay, 0);
  }

  /** Continues a saved average (a checkpoint's values after `updates` steps). */
  static resume(values: ArrayLike<number>, decay: number, updates: number): WeightAverage {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`weight average decay must be in (0, 1), got ${decay}`);
    return new WeightAverage(decay, Float64Array.from(values), updates);
  }

  /** Updates taken so far. */
  get count(): number {
    return this.updates;
  }

  /** Folds in the parameters after one optimiser step. */
  update(params: Float32Array): void {
    if (params.length !== this.values.length) throw new RangeError(`weight average holds ${this.values.length} values, got ${params.length}`);
    this.updates++;
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    const v = this.values;
    for (let i = 0; i < v.length; i++) v[i] = d * v[i]! + (1 - d) * params[i]!;
  }

  /** Runs `use` with `params` holding the average, then puts the trained values back (also when `use` throws). */
  async applied<T>(params: Float32Array, use: () => Promise<T>): Promise<T> {
    const trained = Float32Array.from(params);
    params.set(this.values);
    try {
      return await use();
    } finally {
      params.set(trained);
    }
  }
}
