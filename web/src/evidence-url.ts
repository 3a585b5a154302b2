/** URL of a case's evidence image; names the case, as the server asks grid workers to. */
export const evidenceUrl = (caseId: string, path: string): string => `/evidence/${path}?case=${encodeURIComponent(caseId)}`;
