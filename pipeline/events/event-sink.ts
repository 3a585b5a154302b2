import type { ConfirmedEvent, EventBox } from './event-model.ts';

/** A confirmed event with the pictures of its visit, as the events stage hands it on. */
export interface ConfirmedSighting {
  readonly event: ConfirmedEvent;
  /** The confirming frame, full resolution JPEG. */
  readonly frameJpeg: Buffer;
  /** The first sighting of a persistence event (default: the confirming frame); boxes default to the event's. */
  readonly first?: { readonly jpeg: Buffer; readonly boxes?: readonly EventBox[] };
  /**
   * Reads the first sighting's frame when no `first` is given: called only when it is needed (a
   * case opens), so a repeat sighting of a persistence event reads no file.
   */
  readonly readFirst?: () => Promise<Buffer | undefined>;
}

/**
 * The one interface from the events stage to whatever files confirmed events (the cases'
 * CaseIntake). The stage knows nothing of cases; main wires the two together.
 */
export interface ConfirmedEventSink<R> {
  file(sighting: ConfirmedSighting): Promise<R>;
}

/** Where the stage keeps first-sighting frames (paths it can read back later). */
export interface FrameKeeper {
  keep(jpeg: Buffer, at: number): Promise<string>;
  read(path: string): Promise<Buffer | undefined>;
}
