import { API_SCOPES, ApiScopes } from './api-key';

describe('ApiScopes', () => {
  it('orders the scopes: admin implies write, write implies read', () => {
    expect(ApiScopes.withImplied(['read'])).toEqual(['read']);
    expect(ApiScopes.withImplied(['write'])).toEqual(['read', 'write']);
    expect(ApiScopes.withImplied(['admin'])).toEqual(['read', 'write', 'admin']);
    expect(ApiScopes.withImplied(['read', 'admin'])).toEqual(['read', 'write', 'admin']);
  });

  it('grants a route to a key holding its scope or a stronger one, and only then', () => {
    const table = API_SCOPES.flatMap((held) =>
      API_SCOPES.map((required) => `${held}->${required}:${ApiScopes.grants([held], required)}`),
    );
    expect(table).toEqual([
      'read->read:true',
      'read->write:false',
      'read->admin:false',
      'write->read:true',
      'write->write:true',
      'write->admin:false',
      'admin->read:true',
      'admin->write:true',
      'admin->admin:true',
    ]);
    expect(ApiScopes.grants([], 'read')).toBe(false);
  });

  it('recognises only the three scope names', () => {
    expect(['read', 'write', 'admin', 'Admin', 'root', '', 1, null].map(ApiScopes.isScope)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
