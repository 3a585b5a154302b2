/**
 * Compiles the hand-written WebAssembly kernels (.wat) into TypeScript modules of base64 bytes,
 * so the runtime needs no WebAssembly toolchain. Run after editing a .wat file:
 *
 *   npx tsx scripts/build-wasm.ts
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compileWat, kernelModuleText, type WatKernel } from './wasm/compile-wat.ts';

const root = join(import.meta.dirname, '..');

/** Every kernel in the project. */
export const KERNELS: readonly WatKernel[] = [
  {
    wat: join(root, 'models', 'preprocess', 'bilinear.wat'),
    out: join(root, 'models', 'preprocess', 'bilinear-wasm-bytes.ts'),
    constName: 'BILINEAR_WASM_BASE64',
  },
];

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const k of KERNELS) {
    await writeFile(k.out, kernelModuleText(k, await compileWat(k.wat), basename(k.wat)));
    process.stdout.write(`wrote ${k.out}\n`);
  }
}
