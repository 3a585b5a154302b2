import { label } from '../format.ts';

/** online / degraded / offline / unknown, as a coloured word (colour is never the only cue). */
export function HealthBadge(props: { state: string | undefined }) {
  const s = props.state ?? 'unknown';
  return <span class={`badge health-${s}`}>{label('health', s)}</span>;
}

/** A severity, as a coloured word. */
export function SeverityBadge(props: { severity: string }) {
  return <span class={`badge sev-${props.severity}`}>{label('sev', props.severity)}</span>;
}
