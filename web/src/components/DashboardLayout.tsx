import type { ReactNode } from 'react';
import { useProfile } from '../api/queries';
import { useSession } from '../auth/SessionContext';

interface Props {
  profile: ReactNode;
  orders?: ReactNode;
  nfts?: ReactNode;
}

/**
 * DashboardLayout is the page frame: a skip link, the header with the
 * member's name and sign-out, in-page navigation, and slots for the profile,
 * orders and NFT views (a slot left empty is not shown, nor its link).
 */
export function DashboardLayout({ profile, orders, nfts }: Props) {
  const { session, endSession } = useSession();
  const { data } = useProfile();
  const name = data?.profile.displayName || session.user.displayName || session.user.email || 'member';
  const sections = [
    { id: 'profile', label: 'Profile', node: profile },
    { id: 'orders', label: 'Orders', node: orders },
    { id: 'nfts', label: 'NFTs', node: nfts },
  ].filter((s) => s.node);

  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <div className="header__inner">
          <div>
            <p className="brand">The Babes Club</p>
            <p className="header__title">Member dashboard</p>
          </div>
          <div className="header__member">
            <span className="header__name">
              Signed in as <strong>{name}</strong>
            </span>
            <button type="button" className="button button--ghost" onClick={() => endSession('signed-out')}>
              Sign out
            </button>
          </div>
        </div>
        <nav className="nav" aria-label="Dashboard sections">
          <ul>
            {sections.map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`}>{s.label}</a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <h1 className="visually-hidden">Member dashboard</h1>
        {sections.map((s) => (
          <section key={s.id} id={s.id} className={`section section--${s.id}`} aria-labelledby={`${s.id}-heading`}>
            {s.node}
          </section>
        ))}
      </main>
      <footer className="footer">
        <p>Questions about an order? Reply to your order email and our team will help.</p>
      </footer>
    </div>
  );
}
