import {
  type ReactNode,
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import type { UserView } from '../../src/protocol/rest-api.js';
import { ApiError, get, onUnauthenticated, post, setCsrfToken } from './api/client.js';
import { live } from './api/live.js';

export interface SignedInUser {
  readonly id: string;
  readonly username: string;
  readonly isAdmin: boolean;
}

export type SessionState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly error: Error }
  | {
      readonly status: 'anonymous';
      readonly needsFirstUser: boolean;
      /** False when users sign in with their directory (LDAP) account only. */
      readonly signUpOpen: boolean;
      readonly directory: 'ldap' | null;
    }
  | { readonly status: 'signed-in'; readonly user: SignedInUser };

interface SessionApi {
  readonly state: SessionState;
  signIn(username: string, password: string): Promise<void>;
  signUp(input: {
    username: string;
    password: string;
    email?: string;
    invitation?: string;
  }): Promise<void>;
  signOut(): Promise<void>;
  refresh(): void;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

interface MeAnswer {
  readonly id: string;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly csrfToken: string | null;
}

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    void generation;
    let canceled = false;
    (async () => {
      // Signed in is the common case: one request. Else ask whether anyone has signed up yet.
      const me = await get<MeAnswer>('api/v1/me').catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) return undefined;
        throw error;
      });
      if (!me) {
        setCsrfToken(null);
        const setup = await get<{
          needsFirstUser: boolean;
          signUpOpen?: boolean;
          directory?: 'ldap' | null;
        }>('api/v1/setup');
        return {
          status: 'anonymous',
          needsFirstUser: setup.needsFirstUser,
          signUpOpen: setup.signUpOpen ?? true,
          directory: setup.directory ?? null,
        } as const;
      }
      setCsrfToken(me.csrfToken);
      return {
        status: 'signed-in',
        user: { id: me.id, username: me.username, isAdmin: me.isAdmin },
      } as const;
    })().then(
      (next) => !canceled && setState(next),
      (error: Error) => !canceled && setState({ status: 'error', error }),
    );
    return () => {
      canceled = true;
    };
  }, [generation]);

  useEffect(() => onUnauthenticated(refresh), [refresh]);

  useEffect(() => {
    if (state.status !== 'signed-in') return;
    live.start();
    return () => live.stop();
  }, [state.status]);

  const signIn = useCallback(async (username: string, password: string) => {
    const answer = await post<{ user: UserView; csrfToken: string }>('api/v1/auth/login', {
      username,
      password,
    });
    setCsrfToken(answer.csrfToken);
    setState({
      status: 'signed-in',
      user: { id: answer.user.id, username: answer.user.username, isAdmin: answer.user.isAdmin },
    });
  }, []);

  const signUp = useCallback(
    async (input: { username: string; password: string; email?: string; invitation?: string }) => {
      await post<UserView>('api/v1/auth/signup', input);
      await signIn(input.username, input.password);
    },
    [signIn],
  );

  const signOut = useCallback(async () => {
    await post('api/v1/auth/logout');
    setCsrfToken(null);
    refresh();
  }, [refresh]);

  const value = useMemo(
    () => ({ state, signIn, signUp, signOut, refresh }),
    [state, signIn, signUp, signOut, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user (pages under the signed-in layout only). */
export function useUser(): SignedInUser {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser without a signed-in user');
  return state.user;
}
