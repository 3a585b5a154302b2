import type { ComponentChildren } from 'preact';
import { Link } from './components/link.tsx';
import { OverdueNotice } from './components/overdue-notice.tsx';
import { setLang, t, useLang } from './i18n.ts';
import type { MessageKey } from './i18n-en.ts';
import { AccuracyPage } from './pages/accuracy-page.tsx';
import { CameraPage } from './pages/camera-page.tsx';
import { CamerasPage } from './pages/cameras-page.tsx';
import { CasePage } from './pages/case-page.tsx';
import { CasesPage } from './pages/cases-page.tsx';
import { LivePage } from './pages/live-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { MapPage } from './pages/map-page.tsx';
import { PatrolPage } from './pages/patrol-page.tsx';
import { WallPage } from './pages/wall-page.tsx';
import { WorkerApp } from './pages/worker-app.tsx';
import { match, navigate, useLocation } from './router.ts';
import { type Capability, logout, may, type Session, useSession } from './session.ts';

interface NavItem {
  readonly path: string;
  readonly key: MessageKey;
  readonly needs: Capability;
}

const NAV: readonly NavItem[] = [
  { path: '/', key: 'nav.wall', needs: 'console' },
  { path: '/live', key: 'nav.live', needs: 'console' },
  { path: '/cases', key: 'nav.cases', needs: 'console' },
  { path: '/cameras', key: 'nav.cameras', needs: 'console' },
  { path: '/patrol', key: 'nav.patrol', needs: 'console' },
  { path: '/accuracy', key: 'nav.accuracy', needs: 'accuracy' },
  { path: '/map', key: 'nav.map', needs: 'console' },
  { path: '/m', key: 'nav.worker', needs: 'work' },
];

/** What this session may open: a grid worker gets the phone app only; the others the console pages of their role. */
const navFor = (s: Session): readonly NavItem[] => NAV.filter((i) => may(s, i.needs));
const itemOf = (path: string): NavItem | undefined => NAV.find((i) => i.path === path) ?? NAV.find((i) => i.path !== '/' && path.startsWith(`${i.path}/`));

function page(path: string): ComponentChildren {
  let m: Record<string, string> | null;
  if (path === '/' || path === '/wall') return <WallPage />;
  if (path === '/live') return <LivePage />;
  if (path === '/cases') return <CasesPage />;
  if ((m = match('/cases/:id', path))) return <CasePage id={m.id ?? ''} />;
  if (path === '/cameras') return <CamerasPage />;
  if ((m = match('/cameras/:id', path))) return <CameraPage id={m.id ?? ''} />;
  if (path === '/patrol') return <PatrolPage />;
  if (path === '/accuracy') return <AccuracyPage />;
  if (path === '/map') return <MapPage />;
  if (path === '/m') return <WorkerApp />;
  return <p>404</p>;
}

/** The shell: navigation for the role, language switch, sign-out, and the page of the route. */
export function App() {
  const lang = useLang();
  const session = useSession();
  const { path } = useLocation();
  if (session.state === 'loading') return <p class="loading">{t('common.loading')}</p>;
  const items = navFor(session);
  // A page the role may not open leads to the role's first page (the server refuses the data anyway).
  const allowed = items.includes(itemOf(path) ?? (NAV[0] as NavItem));
  if (!allowed && items[0]) queueMicrotask(() => navigate(items[0]!.path));
  const langButton = (
    <button type="button" class="lang" lang={lang === 'zh' ? 'en' : 'zh-CN'} title={t('lang.label')} onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
      {t('lang.switch')}
    </button>
  );
  if (session.state === 'signed-out') {
    return (
      <main class="login-wrap">
        {langButton}
        <LoginPage />
      </main>
    );
  }
  return (
    <>
      <header class="top">
        <span class="brand">{t('appName')}</span>
        <nav aria-label={t('nav.main')}>
          {items.map((i) => (
            <Link key={i.path} href={i.path} aria-current={i.path === path || (i.path !== '/' && path.startsWith(`${i.path}/`)) ? 'page' : undefined}>
              {t(i.key)}
            </Link>
          ))}
        </nav>
        <span class="spacer" />
        {may(session, 'console') ? <OverdueNotice /> : null}
        {session.state === 'signed-in' ? <span class="who">{session.user.displayName}</span> : null}
        {langButton}
        {session.state === 'signed-in' ? (
          <button type="button" onClick={() => void logout()}>
            {t('nav.logout')}
          </button>
        ) : null}
      </header>
      <main id="main">{allowed ? page(path) : null}</main>
    </>
  );
}
