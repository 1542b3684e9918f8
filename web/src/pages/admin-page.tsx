import { type FormEvent, useState } from 'react';
import type { UserView } from '../../../src/protocol/rest-api.js';
import { appUrl } from '../api/base-path.js';
import { del, post } from '../api/client.js';
import { ActionButton } from '../components/action-button.js';
import { Field, FormError } from '../components/field.js';
import { SecretOnce } from '../components/secret-once.js';
import { Empty, Loaded } from '../components/states.js';
import { formatTime } from '../format.js';
import { useUser } from '../session.js';
import { useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';
import { AuditLogCard } from './audit-log-card.js';
import { ContextsCard } from './contexts-card.js';

interface ApiTokenRow {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

interface RegistrationTokenRow {
  readonly id: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
}

function Users() {
  const me = useUser();
  const users = useResource<UserView[]>('api/v1/users');
  const [invitation, setInvitation] = useState<string>();
  const inviteLink = invitation
    ? `${window.location.origin}${appUrl(`signup?invitation=${encodeURIComponent(invitation)}`)}`
    : '';
  return (
    <section aria-labelledby="users-heading" className="card">
      <h2 id="users-heading">Users</h2>
      <Loaded resource={users}>
        {(list) => (
          <table className="table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Signs in with</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.username}
                    {u.displayName && <span className="muted"> ({u.displayName})</span>}
                  </td>
                  <td>{u.email ?? '–'}</td>
                  <td>{u.source === 'ldap' ? 'LDAP' : 'password'}</td>
                  <td>{u.isAdmin ? <span className="tag">admin</span> : 'user'}</td>
                  <td>{formatTime(u.createdAt)}</td>
                  <td>
                    {u.id !== me.id && (
                      <ActionButton
                        label={
                          u.isAdmin ? `Remove admin: ${u.username}` : `Make admin: ${u.username}`
                        }
                        action={async () => {
                          await post(`api/v1/users/${u.id}/admin`, { isAdmin: !u.isAdmin });
                          users.reload();
                        }}
                      >
                        {u.isAdmin ? 'Remove admin' : 'Make admin'}
                      </ActionButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      <ActionButton
        action={async () => {
          const answer = await post<{ id: string; token: string }>('api/v1/invitations');
          setInvitation(answer.token);
        }}
      >
        Invite a user
      </ActionButton>
      {invitation && (
        <SecretOnce
          label="Invitation link:"
          value={inviteLink}
          note="Send it to the person you invite; it works once."
        />
      )}
    </section>
  );
}

function RunnerTokens() {
  const tokens = useResource<RegistrationTokenRow[]>('api/v1/runner-tokens');
  const users = useResource<UserView[]>('api/v1/users');
  const nameOf = (id: string | null) =>
    id === null ? '–' : (users.data?.find((u) => u.id === id)?.username ?? id);
  const [created, setCreated] = useState<string>();
  const serverUrl = `${window.location.origin}${appUrl('')}`.replace(/\/$/, '');
  return (
    <section aria-labelledby="runner-tokens-heading" className="card">
      <h2 id="runner-tokens-heading">Runner registration tokens</h2>
      <p className="muted">
        A runner registers once with one of these and then uses its own token.
      </p>
      <Loaded resource={tokens}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No registration tokens" />
          ) : (
            <table className="table">
              <caption className="visually-hidden">Runner registration tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Created by</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr key={t.id}>
                    <td className="mono">{t.id}</td>
                    <td>{nameOf(t.createdBy)}</td>
                    <td>{formatTime(t.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <ActionButton
        action={async () => {
          const answer = await post<{ id: string; token: string }>('api/v1/runner-tokens');
          setCreated(answer.token);
          tokens.reload();
        }}
      >
        Create a registration token
      </ActionButton>
      {created && (
        <SecretOnce
          label="Registration token:"
          value={created}
          note={`Start a runner with: airlock runner --server ${serverUrl} --token <this token> (or AIRLOCK_TOKEN). It is not shown again.`}
        />
      )}
    </section>
  );
}

function ApiTokens() {
  const tokens = useResource<ApiTokenRow[]>('api/v1/tokens');
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get('name') ?? '').trim();
    setError(undefined);
    try {
      const answer = await post<{ token: string }>('api/v1/tokens', { name });
      setCreated(answer.token);
      formElement.reset();
      tokens.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="api-tokens-heading" className="card">
      <h2 id="api-tokens-heading">Personal API tokens</h2>
      <p className="muted">
        For the CLI (<code>AIRLOCK_TOKEN</code>) and scripts (<code>Authorization: Bearer …</code>).
        They act as you.
      </p>
      <Loaded resource={tokens}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No API tokens" />
          ) : (
            <table className="table">
              <caption className="visually-hidden">Personal API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>{formatTime(t.createdAt)}</td>
                    <td>{formatTime(t.lastUsedAt)}</td>
                    <td>
                      <ActionButton
                        variant="danger"
                        label={`Delete token ${t.name}`}
                        confirm={`Delete the token ${t.name}? Whatever uses it stops working.`}
                        action={async () => {
                          await del(`api/v1/tokens/${t.id}`);
                          tokens.reload();
                        }}
                      >
                        Delete
                      </ActionButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <form className="inline-form" onSubmit={submit} aria-label="Create an API token">
        <Field label="Token name" name="name" required placeholder="laptop CLI" />
        <button type="submit" className="button">
          Create token
        </button>
        <FormError message={error} />
      </form>
      {created && <SecretOnce label="New API token:" value={created} />}
    </section>
  );
}

export function AdminPage() {
  const user = useUser();
  useTitle(user.isAdmin ? 'Admin' : 'API tokens');
  return (
    <>
      <div className="page-head">
        <h1>{user.isAdmin ? 'Admin' : 'API tokens'}</h1>
      </div>
      <div className="stack">
        {user.isAdmin && <Users />}
        {user.isAdmin && <RunnerTokens />}
        {user.isAdmin && <ContextsCard />}
        {user.isAdmin && <AuditLogCard />}
        <ApiTokens />
      </div>
    </>
  );
}
