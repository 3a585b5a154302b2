/**
 * Central finite difference of `loss` with respect to `params[i]` (step h), restoring the
 * parameter afterwards: the reference the hand-written backward passes are checked against.
 */
export function numericParamGradient(params: Float32Array, i: number, loss: () => number, h = 1e-3): number {
  const keep = params[i]!;
  params[i] = keep + h;
  const up = loss();
  params[i] = keep - h;
  const down = loss();
  params[i] = keep;
  // Float32 parameters: divide by the step actually taken.
  return (up - down) / (Math.fround(keep + h) - Math.fround(keep - h));
}
