// A real OpenID Connect provider for Cercle's tests: the certified `oidc-provider`
// package, configured with one confidential client, PKCE required, RP-initiated logout
// (end_session) and a plain log-in page (type an account id, any password). Its pages
// load nothing from elsewhere (the package's own development pages import web fonts).
//
//   node server.mjs --port 4100 --client-id cercle --client-secret s3cret \
//     --redirect-uri http://127.0.0.1:8000/accounts/oidc/corp/login/callback/ \
//     --post-logout-redirect-uri http://127.0.0.1:8000/ --accounts accounts.json
//
// The accounts file is a JSON object {"<account id>": {"email": ..., "email_verified":
// true, "name": ..., "groups": [...], "roles": [...]}} read again at every sign-in, so that a test
// changes a person's groups between two sign-ins by rewriting it.
// Started and stopped by tests/idp_oidc.py; listens on 127.0.0.1 only.

import { readFileSync } from 'node:fs';
import { parse as parseQuery } from 'node:querystring';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const HELP = `Usage: node server.mjs --port PORT --client-id ID --client-secret SECRET
  --redirect-uri URI [--redirect-uri URI ...] [--post-logout-redirect-uri URI ...]
  --accounts FILE [--issuer URL]

Starts an OpenID Connect issuer on 127.0.0.1:PORT (issuer http://127.0.0.1:PORT
unless --issuer is given) with one client, PKCE required, end_session enabled and
a plain log-in page. FILE maps account ids to their claims (email,
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
    groups: ['groups', 'roles'],
  },
  // The groups travel in the ID token too, as Keycloak's and Entra ID's do when asked.
  conformIdTokenClaims: false,
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `<h1>Sign out of the test identity provider?</h1>
${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<h1>You are signed out.</h1>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1><pre>${escape(JSON.stringify(out, null, 2))}</pre>`);
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
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups', 'roles']);
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
          roles: fresh.roles || [],
        };
      },
    };
  },
  cookies: { keys: ['cercle-test-idp-cookie-key'] },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600 },
};

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
</head><body><main>${body}</main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return parseQuery(Buffer.concat(chunks).toString('utf8'));
}

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, error) => console.error('server_error', error));

// The log-in page: GET /interaction/<uid> shows it, POST signs the account id in.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match) return next();
  ctx.set('Cache-Control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name !== 'login') {
    ctx.status = 501;
    ctx.body = page('Not implemented', `<h1>Prompt ${escape(details.prompt.name)} is not handled</h1>`);
    return undefined;
  }
  if (ctx.method === 'POST') {
    const form = await readForm(ctx.req);
    const accountId = String(form.login || '');
    if (!readAccounts()[accountId]) {
      ctx.status = 200;
      ctx.type = 'html';
      ctx.body = loginPage(match[1], 'No such account.');
      return undefined;
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId } }, {
      mergeWithLastSubmission: false,
    });
    ctx.status = 303;
    ctx.redirect(to);
    return undefined;
  }
  ctx.type = 'html';
  ctx.body = loginPage(match[1], '');
  return undefined;
});

function loginPage(uid, error) {
  return page('Sign in', `<h1>Test identity provider</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}" autocomplete="off">
<label>Account <input required type="text" name="login" autofocus></label>
<label>Password <input required type="password" name="password"></label>
<button type="submit">Sign in</button>
</form>`);
}

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
