import { useState } from 'preact/hooks';
import { ApiError, send } from '../api.ts';
import { label } from '../format.ts';
import { t } from '../i18n.ts';
import { levelAbove, useUnits } from '../units.ts';
import { AlertLine } from './alert-line.tsx';

/** What the operator's actions need to know about the case. */
export interface ActionCase {
  readonly id: string;
  readonly status: string;
  readonly level: string;
  readonly responsibleUnit: string;
}

/** Statuses that end a case: nothing left to reassign, escalate or close. */
const ENDED = new Set(['closed', 'rejected']);

type Mode = '' | 'reassign' | 'escalate' | 'close';

/**
 * The operator's actions on a case: reassign to another unit of the same level, escalate one
 * level up, close with a reason (asked twice: it ends the case for everyone). Each is a small form;
 * the server names what was wrong, shown under the forms.
 */
export function OperatorActions(props: { c: ActionCase; onDone: () => void }) {
  const { c } = props;
  const units = useUnits();
  const [mode, setMode] = useState<Mode>('');
  const [unit, setUnit] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState('');
  if (ENDED.has(c.status)) return null;
  const up = levelAbove(c.level);
  const peers = units.list.filter((u) => u.level === c.level && u.id !== c.responsibleUnit);
  const open = (m: Mode): void => {
    setMode(mode === m ? '' : m);
    setReason('');
    setNote('');
    setUnit('');
    setConfirming(false);
    setMsg('');
  };
  const run = async (action: string, body: Record<string, unknown>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setMsg('');
    try {
      // The same idempotency key goes with each retry: a flaky line never applies an action twice.
      await send(`/api/cases/${encodeURIComponent(c.id)}/${action}`, body, { retries: 2, onRetry: () => setMsg(t('common.retrying')) });
      setMode('');
      setConfirming(false);
      setMsg('');
      props.onDone();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  // The server's limits: a reason for closing by hand is 1-500 characters, other reasons up to 2000.
  const reasonField = (required: boolean, maxLength = 2000) => (
    <label>
      {required ? t('case.reason') : t('case.reasonOptional')}{' '}
      <input name="reason" value={reason} required={required} maxLength={maxLength} onInput={(e) => setReason(e.currentTarget.value)} />
    </label>
  );
  return (
    <div class="operator-actions">
      <div class="actions">
        <button type="button" aria-expanded={mode === 'reassign'} onClick={() => open('reassign')}>
          {t('case.reassign')}
        </button>
        <button type="button" aria-expanded={mode === 'escalate'} disabled={!up} title={up ? undefined : t('case.escalate.top')} onClick={() => open('escalate')}>
          {t('case.escalate')}
        </button>
        <button type="button" aria-expanded={mode === 'close'} onClick={() => open('close')}>
          {t('case.close')}
        </button>
      </div>
      {mode === 'reassign' ? (
        <form
          class="action-form"
          id="reassign-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (unit) void run('reassign', { unit, ...(reason ? { reason } : {}) });
          }}
        >
          <fieldset>
            <legend>{t('case.reassign')}</legend>
            {peers.length ? (
              <label>
                {t('case.newUnit')}{' '}
                <select name="unit" value={unit} required onChange={(e) => setUnit(e.currentTarget.value)}>
                  <option value="">—</option>
                  {peers.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <p class="muted">{units.error ? t('case.unitsError', { msg: units.error }) : t('case.noUnits', { level: label('level', c.level) })}</p>
            )}
            {reasonField(false)}
            <button type="submit" class="primary" disabled={busy || !unit}>
              {t('case.reassign')}
            </button>
          </fieldset>
        </form>
      ) : null}
      {mode === 'escalate' && up ? (
        <form
          class="action-form"
          id="escalate-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run('escalate', { toLevel: up, ...(reason ? { reason } : {}) });
          }}
        >
          <fieldset>
            <legend>{t('case.escalate.to', { level: label('level', up) })}</legend>
            {reasonField(false)}
            <button type="submit" class="primary" disabled={busy}>
              {t('case.escalate')}
            </button>
          </fieldset>
        </form>
      ) : null}
      {mode === 'close' ? (
        <form
          class="action-form"
          id="close-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!confirming) setConfirming(true);
            else void run('close', { reason: reason.trim(), ...(note.trim() ? { note: note.trim() } : {}) });
          }}
        >
          <fieldset>
            <legend>{t('case.close')}</legend>
            {reasonField(true, 500)}
            <label>
              {t('case.noteOptional')} <textarea name="note" rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </label>
            {confirming ? (
              <div class="confirm" role="alert">
                <p>{t('case.close.confirm')}</p>
                <button type="submit" class="danger" disabled={busy}>
                  {t('case.close.yes')}
                </button>{' '}
                <button type="button" onClick={() => setConfirming(false)}>
                  {t('common.cancel')}
                </button>
              </div>
            ) : (
              <button type="submit" class="primary" disabled={busy || !reason.trim()}>
                {t('case.close')}
              </button>
            )}
          </fieldset>
        </form>
      ) : null}
      <AlertLine msg={msg} />
    </div>
  );
}
