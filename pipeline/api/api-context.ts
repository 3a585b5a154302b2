import type { PatrolStore } from '../distributed/patrol-store.ts';

/** A camera as the API shows it: never with credentials. */
export interface ApiCamera {
  readonly id: string;
  readonly name: string;
  readonly areaType: string;
  readonly grid: string;
  readonly priority: string;
  readonly enabled: boolean;
  /** Stream URL with credentials masked. */
  readonly url: string;
  readonly zones: readonly { readonly name: string; readonly kind?: string | undefined; readonly points: readonly (readonly number[])[] }[];
}

/** What the HTTP handlers read and act on. They observe and command; they never run a stage. */
export interface ApiContext {
  readonly store: PatrolStore;
  /** Current camera list (a function: the config can be reloaded). */
  readonly cameras: () => readonly ApiCamera[];
  /** Folder holding `latest/<cameraId>.jpg` and evidence files. */
  readonly storageDir: string;
}
