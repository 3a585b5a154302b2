import { type Command, InvalidArgumentError } from 'commander';
import { CaseInputError, ExportError } from '../../pipeline/accuracy/accuracy-errors.ts';
import { type CaseInputFlags, readCaseInput } from '../../pipeline/accuracy/case-input.ts';
import type { ExportFormat } from '../../pipeline/accuracy/export-formats.ts';
import type { EvidenceFrame } from '../../pipeline/accuracy/export-selection.ts';
import { type ExportSummary, exportVerified } from '../../pipeline/accuracy/export-verified.ts';
import { type StoreCaseLoader, loadCasesFromStore } from '../../pipeline/accuracy/store-cases.ts';
import { ConfigError } from '../../pipeline/config/errors.ts';

/** Flags of `gridworker export-verified` as commander hands them over. */
export interface ExportVerifiedFlags extends CaseInputFlags {
  out: string;
  format: ExportFormat;
  evidenceDir?: string;
  frame: EvidenceFrame;
  includeRejectedAsNegatives?: boolean;
  json?: boolean;
}

const oneOf =
  <T extends string>(what: string, values: readonly T[]) =>
  (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}, got "${value}"`);
    return value as T;
  };

function summaryText(s: ExportSummary): string {
  const lines = [
    `exported ${s.images} images (${s.positives} with ${s.annotations} objects, ${s.negatives} without objects) from ${s.verifiedCases} verified cases to ${s.outDir} (${s.format})`,
    `classes: ${s.classes.join(', ')}`,
  ];
  if (s.drawnFrames) lines.push(`note: ${s.drawnFrames} images have the AI's boxes drawn on them (no raw frame kept): see README.md`);
  if (s.skipped.length) lines.push(`skipped ${s.skipped.length} cases:`, ...s.skipped.slice(0, 10).map((k) => `  ${k.caseId}: ${k.reason}`));
  if (s.skipped.length > 10) lines.push(`  ... and ${s.skipped.length - 10} more (cases.json lists them all)`);
  lines.push(`score a model on it: npx gridworker bench --data ${s.benchData} --model <model>`);
  return `${lines.join('\n')}\n`;
}

/** Runs `export-verified`; resolves to the exit code (0 written, 1 the cases, config or output cannot be used). */
export async function runExportVerified(flags: ExportVerifiedFlags, loader: StoreCaseLoader = loadCasesFromStore): Promise<number> {
  try {
    const input = await readCaseInput(flags, loader);
    const evidenceDir = flags.evidenceDir ?? input.evidenceDir;
    if (!evidenceDir) throw new CaseInputError('give the evidence folder with --evidence-dir <dir> (or a --config whose storage.dir it is)');
    const summary = await exportVerified(input.cases, {
      outDir: flags.out,
      format: flags.format,
      evidenceDir,
      frame: flags.frame,
      includeRejectedAsNegatives: flags.includeRejectedAsNegatives ?? false,
    });
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : summaryText(summary));
    return 0;
  } catch (err) {
    if (!(err instanceof CaseInputError || err instanceof ConfigError || err instanceof ExportError)) throw err;
    process.stderr.write(`gridworker export-verified: ${err.message}\n`);
    return 1;
  }
}

/** `gridworker export-verified --out <dir> [--format yolo|coco] [--cases <file>] [--evidence-dir <dir>]`. */
export function registerExportVerified(program: Command, loader: StoreCaseLoader = loadCasesFromStore): void {
  program
    .command('export-verified')
    .description('write verified evidence frames with their labels as a YOLO or COCO dataset for `gridworker bench`')
    .requiredOption('--out <dir>', 'output folder (new or empty)')
    .option('--format <yolo|coco>', 'dataset format', oneOf('--format', ['yolo', 'coco'] as const), 'yolo')
    .option('--cases <file.json>', 'read cases from a JSON file (an array of cases, as the API exports them) instead of the case store')
    .option('--evidence-dir <dir>', "folder the cases' evidence paths are relative to (default: the config's storage.dir)")
    .option('--frame <best|latest>', 'drawn evidence frame to use when a case kept no raw frame', oneOf('--frame', ['best', 'latest'] as const), 'best')
    .option('--include-rejected-as-negatives', 'also export false detections, as images without objects')
    .option('--database-url <url>', 'PostgreSQL URL of the record (default $DATABASE_URL; none: the embedded database in the storage folder)')
    .option('--config <file>', 'Gridworker config: Redis location and evidence folder')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: ExportVerifiedFlags) => {
      process.exitCode = await runExportVerified(flags, loader);
    });
}
