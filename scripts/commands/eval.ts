import type { Command } from 'commander';
import { evaluateCoco } from '../../models/evaluation/coco-eval.ts';
import { loadCocoEvalInputs } from '../../models/evaluation/coco-load.ts';
import { COCO_STATS, type StatSpec } from '../../models/evaluation/coco-summarize.ts';
import type { ClassReport } from '../bench/bench-types.ts';
import { metric } from '../bench/report-rows.ts';
import { formatTable } from '../bench/stats.ts';

interface EvalFlags {
  gt: string;
  dt: string;
  json?: boolean;
}

/** What `eval --json` prints. */
export interface EvalJson {
  /** The twelve COCOeval bbox statistics, full precision; -1 where nothing was there to average. */
  stats: number[];
  perClass: ClassReport[];
}

/** One summary line exactly as pycocotools' COCOeval.summarize prints it. */
export function pycocotoolsLine(stat: StatSpec, value: number): string {
  const title = stat.ap ? 'Average Precision' : 'Average Recall';
  const type = stat.ap ? '(AP)' : '(AR)';
  const iou = stat.iouThreshold === undefined ? '0.50:0.95' : stat.iouThreshold.toFixed(2);
  return ` ${title.padEnd(18)} ${type} @[ IoU=${iou.padEnd(9)} | area=${stat.area.padStart(6)} | maxDets=${String(stat.maxDets).padStart(3)} ] = ${value.toFixed(3)}`;
}

/** Runs `eval`; resolves to the exit code (0 done, 2 the files cannot be read or do not fit). */
export async function runEval(flags: EvalFlags): Promise<number> {
  let doc: EvalJson;
  try {
    const { groundTruth, results } = await loadCocoEvalInputs(flags.gt, flags.dt);
    const r = evaluateCoco(groundTruth, results);
    doc = { stats: r.stats, perClass: r.perClass.map(({ categoryId, name, ap, ap50, gtCount, dtCount }) => ({ categoryId, name, ap, ap50, gtCount, dtCount })) };
  } catch (err) {
    process.stderr.write(`gridworker eval: ${(err as Error).message}\n`);
    return 2;
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const lines = COCO_STATS.map((s, i) => pycocotoolsLine(s, doc.stats[i]!));
  const rows = doc.perClass.map((c) => [String(c.categoryId), c.name, metric(c.ap), metric(c.ap50), String(c.gtCount), String(c.dtCount)]);
  process.stdout.write(`${lines.join('\n')}\n\n${formatTable(['id', 'class', 'AP', 'AP50', 'gt', 'dt'], rows)}\n`);
  return 0;
}

/** `gridworker eval --gt <json> --dt <json>`. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('COCO bbox evaluation of a results file against a ground truth, exactly as pycocotools COCOeval')
    .requiredOption('--gt <file>', 'COCO ground-truth (instances) .json')
    .requiredOption('--dt <file>', 'COCO results .json (an array of {image_id, category_id, bbox, score})')
    .option('--json', 'print { "stats": [12 numbers], "perClass": [...] } instead of text')
    .action(async (flags: EvalFlags) => {
      process.exitCode = await runEval(flags);
    });
}
