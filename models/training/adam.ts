/** AdamW (Loshchilov & Hutter) state for a flat parameter vector. */
export interface AdamState {
  /** Steps taken so far. */
  step: number;
  readonly m: Float64Array;
  readonly v: Float64Array;
}

/** AdamW settings; defaults are the usual 0.9 / 0.999 / 1e-8. */
export interface AdamOptions {
  readonly learningRate: number;
  /** Decoupled weight decay per step, times the learning rate. Default 0. */
  readonly weightDecay?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** Fresh optimiser state for `size` parameters. */
export function adamState(size: number): AdamState {
  return { step: 0, m: new Float64Array(size), v: new Float64Array(size) };
}

/**
 * One AdamW update of `params` in place from `grad`. `decayMask(i)` says which parameters decay
 * (not biases); `rate(i)` scales the learning rate per parameter (default 1).
 */
export function adamStep(params: Float32Array, grad: Float64Array, state: AdamState, options: AdamOptions, decayMask: (i: number) => boolean, rate: (i: number) => number = () => 1): void {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  const lr = options.learningRate;
  const wd = options.weightDecay ?? 0;
  state.step++;
  const c1 = 1 - b1 ** state.step;
  const c2 = 1 - b2 ** state.step;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i]!;
    state.m[i] = b1 * state.m[i]! + (1 - b1) * g;
    state.v[i] = b2 * state.v[i]! + (1 - b2) * g * g;
    const lri = lr * rate(i);
    let p = params[i]!;
    if (wd > 0 && decayMask(i)) p -= lri * wd * p;
    params[i] = p - (lri * (state.m[i]! / c1)) / (Math.sqrt(state.v[i]! / c2) + eps);
  }
}
