import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { login } from '../session.ts';
import { AlertLine } from '../components/alert-line.tsx';

/** Sign-in (POST /api/login sets the session cookie). */
export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [msg, setMsg] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="login"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        login(username, password)
          .catch((err: Error) => setMsg(t('login.failed', { msg: err.message })))
          .finally(() => setBusy(false));
      }}
    >
      <h1>{t('login.title')}</h1>
      <label>
        {t('login.username')}
        <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
      </label>
      <label>
        {t('login.password')}
        <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
      </label>
      <button type="submit" class="primary big" disabled={busy}>
        {t('login.submit')}
      </button>
      <AlertLine msg={msg} />
    </form>
  );
}
