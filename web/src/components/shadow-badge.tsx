import { t } from '../i18n.ts';

/**
 * Marks a shadow candidate's case ("shadow" / 试运行): a model on trial saw it, its verdict
 * measures that model, and nobody is sent out for it. Nothing for any other case.
 */
export function ShadowBadge(props: { shadow?: boolean | undefined }) {
  if (props.shadow !== true) return null;
  return (
    <span class="badge shadow-badge" title={t('shadow.hint')} data-shadow="true">
      {t('shadow.badge')}
    </span>
  );
}
