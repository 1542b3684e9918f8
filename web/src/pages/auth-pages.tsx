import { type FormEvent, useState } from 'react';
import { Field, FormError } from '../components/field.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import { useTitle } from '../use-now.js';

function AuthFrame({
  title,
  children,
}: { readonly title: string; readonly children: React.ReactNode }) {
  useTitle(title);
  return (
    <main className="auth" id="main">
      <div className="auth-card">
        <p className="brand auth-brand">
          <span className="brand-mark" aria-hidden="true">
            ▲
          </span>
          Airlock CI
        </p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function SignInPage({
  needsFirstUser,
  signUpOpen = true,
  directory = null,
}: {
  readonly needsFirstUser: boolean;
  readonly signUpOpen?: boolean;
  readonly directory?: 'ldap' | null;
}) {
  const { signIn } = useSession();
  const { path } = useLocation();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await signIn(String(form.get('username')), String(form.get('password')));
      // Stay on a deep link (a job URL from a chat); leave the sign-in page itself.
      if (path === '/signin' || path === '/signup') navigate('/', { replace: true });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthFrame title="Sign in">
      {needsFirstUser && (
        <p className="callout">
          No account exists yet. <Link to="/signup">Create the first account</Link>: it becomes the
          admin.
        </p>
      )}
      {directory === 'ldap' && (
        <p className="muted">
          Sign in with your directory (LDAP) username and password
          {signUpOpen ? '; local accounts work too' : ''}.
        </p>
      )}
      <form onSubmit={submit} noValidate={false}>
        <Field label="Username" name="username" autoComplete="username" required autoFocus />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <FormError message={error} />
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {signUpOpen && (
        <p className="muted">
          Have an invitation? <Link to="/signup">Sign up</Link>
        </p>
      )}
    </AuthFrame>
  );
}

export function SignUpPage({ needsFirstUser }: { readonly needsFirstUser: boolean }) {
  const { signUp } = useSession();
  const { query, path } = useLocation();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const invitation = query.get('invitation') ?? '';
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password'));
    if (password !== String(form.get('confirm'))) {
      setError('The two passwords differ.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const email = String(form.get('email') ?? '').trim();
      const token = String(form.get('invitation') ?? '').trim();
      await signUp({
        username: String(form.get('username')).trim(),
        password,
        ...(email ? { email } : {}),
        ...(token ? { invitation: token } : {}),
      });
      if (path === '/signin' || path === '/signup') navigate('/', { replace: true });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthFrame title={needsFirstUser ? 'Create the admin account' : 'Sign up'}>
      {needsFirstUser ? (
        <p className="callout">This is the first account of this server: it becomes the admin.</p>
      ) : (
        <p className="muted">Sign-up needs an invitation from an admin.</p>
      )}
      <form onSubmit={submit}>
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          required
          autoFocus
          hint="Letters, digits, “.”, “_” and “-”."
        />
        <Field label="Email (optional)" name="email" type="email" autoComplete="email" />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
        />
        <Field
          label="Repeat password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
        />
        {!needsFirstUser && (
          <Field label="Invitation token" name="invitation" defaultValue={invitation} required />
        )}
        <FormError message={error} />
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      {!needsFirstUser && (
        <p className="muted">
          Already have an account? <Link to="/signin">Sign in</Link>
        </p>
      )}
    </AuthFrame>
  );
}
