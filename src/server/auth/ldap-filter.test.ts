import { describe, expect, it } from 'vitest';
import { escapeFilterValue, groupFilter, userFilter } from './ldap-filter.js';

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['a\\b', 'a\\5cb'],
    ['nul\0byte', 'nul\\00byte'],
    ['(admin)', '\\28admin\\29'],
    ['Jürgen Groß', 'Jürgen Groß'],
  ])('%j -> %j', (value, escaped) => {
    expect(escapeFilterValue(value)).toBe(escaped);
  });
});

describe('userFilter', () => {
  it('puts the escaped name wherever {username} is', () => {
    expect(userFilter('(uid={username})', 'al*')).toBe('(uid=al\\2a)');
    expect(userFilter('(|(uid={username})(mail={username}))', 'a)(x')).toBe(
      '(|(uid=a\\29\\28x)(mail=a\\29\\28x))',
    );
  });

  it('does not read $ patterns in the name as replacement syntax', () => {
    expect(userFilter('(uid={username})', "$&$'")).toBe("(uid=$&$')");
  });
});

describe('groupFilter', () => {
  it('matches groups of the class that list the DN, escaping the DN', () => {
    expect(groupFilter('groupOfUniqueNames', 'uniqueMember', 'uid=a\\2Cb,ou=people')).toBe(
      '(&(objectClass=groupOfUniqueNames)(uniqueMember=uid=a\\5c2Cb,ou=people))',
    );
    expect(groupFilter('group', 'member:1.2.840.113556.1.4.1941:', 'CN=x,DC=corp')).toBe(
      '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=CN=x,DC=corp))',
    );
  });
});
