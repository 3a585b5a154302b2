/**
 * Quality focal loss (Li et al., Generalized Focal Loss, 2020) for one logit x with soft target y
 * in [0, 1]: |y - sigmoid(x)|^2 * BCE(sigmoid(x), y). Negatives have y = 0 (it is then the focal
 * loss with gamma 2); a positive's y is the IoU of its box, so the score learns box quality.
 * Returns the loss and its derivative with respect to x.
 */
export function qualityFocalLoss(x: number, y: number): { loss: number; grad: number } {
  const sigma = 1 / (1 + Math.exp(-x));
  // Stable BCE with logits: max(x, 0) - x * y + log(1 + exp(-|x|)).
  const bce = Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
  const diff = sigma - y;
  const modulator = diff * diff;
  return { loss: modulator * bce, grad: 2 * diff * sigma * (1 - sigma) * bce + modulator * diff };
}
