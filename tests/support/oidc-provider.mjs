// A real OpenID Connect provider (the `oidc-provider` package, ESM-only, hence its own Node process) on
// loopback for the console sign-in tests. Its development login page accepts any password; the login
// name picks the account: `editor` and `viewer` carry that role in the `roles` claim, anyone else none.
// PKCE is required, as a production provider should require it. Configured by environment:
//   OIDC_TEST_PORT, OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET, OIDC_TEST_REDIRECT_URI
// Prints `listening <issuer>` on stdout once it accepts connections.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  editor: { name: 'Edith Editor', email: 'edith@example.test', roles: ['editor'] },
  viewer: { name: 'Victor Viewer', email: 'victor@example.test', roles: 'viewer' },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_TEST_CLIENT_ID,
    client_secret: process.env.OIDC_TEST_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_TEST_REDIRECT_URI],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // The roles claim comes with the profile scope; by the spec (conformIdTokenClaims) such claims are in
  // userinfo, not the ID token, so the console's userinfo path is exercised too.
  claims: { openid: ['sub'], profile: ['name', 'roles'], email: ['email'] },
  cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
  async findAccount(_ctx, sub) {
    const account = ACCOUNTS[sub] ?? { name: sub, email: `${sub}@example.test`, roles: [] };
    return { accountId: sub, claims: async () => ({ sub, ...account }) };
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${issuer}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
