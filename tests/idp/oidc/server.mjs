// A real OpenID Connect provider for Cercle's tests: the certified `oidc-provider`
// package, configured with one confidential client, PKCE required, RP-initiated logout
// (end_session) and its development log-in page (type an account id, any password).
//
//   node server.mjs --port 4100 --client-id cercle --client-secret s3cret \
//     --redirect-uri http://127.0.0.1:8000/accounts/oidc/corp/login/callback/ \
//     --post-logout-redirect-uri http://127.0.0.1:8000/ --accounts accounts.json
//
// The accounts file is a JSON object {"<account id>": {"email": ..., "email_verified":
// true, "name": ..., "groups": [...]}} read again at every sign-in, so that a test
// changes a person's groups between two sign-ins by rewriting it.
// Started and stopped by tests/idp_oidc.py; listens on 127.0.0.1 only.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const HELP = `Usage: node server.mjs --port PORT --client-id ID --client-secret SECRET
  --redirect-uri URI [--redirect-uri URI ...] [--post-logout-redirect-uri URI ...]
  --accounts FILE [--issuer URL]

Starts an OpenID Connect issuer on 127.0.0.1:PORT (issuer http://127.0.0.1:PORT
unless --issuer is given) with one client, PKCE required, end_session enabled and
the development log-in page. FILE maps account ids to their claims (email,
email_verified, name, groups); it is read again at every sign-in.`;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    issuer: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    accounts: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(HELP);
  process.exit(0);
}
for (const name of ['port', 'client-id', 'client-secret', 'redirect-uri', 'accounts']) {
  if (!args[name]) {
    console.error(`--${name} is required.\n\n${HELP}`);
    process.exit(2);
  }
}

const port = Number(args.port);
const issuer = args.issuer || `http://127.0.0.1:${port}`;

function readAccounts() {
  return JSON.parse(readFileSync(args.accounts, 'utf8'));
}

const configuration = {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: args['redirect-uri'],
      post_logout_redirect_uris: args['post-logout-redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  // Every authorization request must carry a S256 code challenge.
  pkce: { methods: ['S256'], required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // The groups travel in the ID token too, as Keycloak's and Entra ID's do when asked.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // Cercle is the only client, a first party: no consent page, as an organisation's
  // identity provider does for its own applications.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const accounts = readAccounts();
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        // Read again: a test may have changed the groups since the log-in page.
        const fresh = readAccounts()[id] || account;
        return {
          sub: id,
          email: fresh.email,
          email_verified: fresh.email_verified ?? true,
          name: fresh.name,
          groups: fresh.groups || [],
        };
      },
    };
  },
  cookies: { keys: ['cercle-test-idp-cookie-key'] },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600 },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
