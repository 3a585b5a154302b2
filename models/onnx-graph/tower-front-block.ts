import { OnnxGraphError } from './onnx-graph-error.ts';
import type { OnnxGraphView } from './onnx-graph-read.ts';
import { findTowerDepthwise, type TowerDepthwise } from './tower-depthwise.ts';
import { findTowerPointwise, type TowerPointwise } from './tower-pointwise.ts';

/** The tower's first depthwise + pointwise block (PicoDet: before the last depthwise conv). */
export interface TowerFrontBlock {
  readonly depthwise: TowerDepthwise;
  readonly pointwise: TowerPointwise;
}

/**
 * The depthwise conv + hard-swish + pointwise conv + hard-swish that produces the input of the
 * tower's last depthwise conv `last`, checked to have `last`'s shape (channels in = channels out =
 * `last`'s channels, same kernel), which a tuned copy reproduces.
 * @throws OnnxGraphError when the graph has another shape there.
 */
export function findTowerFrontBlock(view: OnnxGraphView, last: TowerDepthwise): TowerFrontBlock {
  const pointwise = findTowerPointwise(view, last.input);
  const depthwise = findTowerDepthwise(view, pointwise.input);
  if (pointwise.channels !== last.channels || pointwise.inChannels !== last.channels || depthwise.channels !== last.channels || depthwise.kernel !== last.kernel) {
    throw new OnnxGraphError(`tower before "${last.input}": its first block (${depthwise.channels} channels ${depthwise.kernel}x${depthwise.kernel} depthwise, ${pointwise.inChannels} -> ${pointwise.channels} pointwise) does not have the last block's shape (${last.channels} channels, ${last.kernel}x${last.kernel})`);
  }
  return { depthwise, pointwise };
}
