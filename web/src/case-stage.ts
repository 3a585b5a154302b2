/**
 * Where an active case is in the closed loop, as the map tells them apart: waiting for a verdict,
 * escalated (a higher level has it), being handled (accepted or reopened), or handled and waiting
 * for the AI re-check. Listed most urgent first: a camera's ring shows the first one it has.
 */
export const CASE_STAGES = ['verdict', 'escalated', 'work', 'recheck'] as const;
/** One of {@link CASE_STAGES}. */
export type CaseStage = (typeof CASE_STAGES)[number];

const STAGE_OF: Readonly<Record<string, CaseStage>> = {
  opened: 'verdict',
  dispatched: 'verdict',
  escalated: 'escalated',
  accepted: 'work',
  reopened: 'work',
  handled: 'recheck',
  rechecking: 'recheck',
};

/** The stage of an active case's status; undefined for a closed or rejected one. */
export const caseStage = (status: string): CaseStage | undefined => STAGE_OF[status];
