// A real OpenID Provider for Meldpunt's login tests: panva/node-oidc-provider with its development
// login form (any user name is the subject). Configured through the environment by tests/support/oidc.py.
// Listens on 127.0.0.1 only and prints "READY <issuer>" when it accepts connections.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS || '[]');
const emailDomain = process.env.EMAIL_DOMAIN || 'example.test';

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    ...client,
  })),
  pkce: { required: () => true },
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: `${sub}@${emailDomain}`, email_verified: true, name: sub };
      },
    };
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: Number(process.env.ID_TOKEN_TTL || 600), Interaction: 600, Session: 600, Grant: 600 },
  cookies: { keys: ['meldpunt-test-provider-only'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
