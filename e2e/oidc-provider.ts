import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Account } from "oidc-provider";

/** A person known to the identity provider; `login` is what they type on its sign-in page (any password works). */
export type OidcTestAccount = { login: string; email: string; emailVerified: boolean; name: string };

export type OidcTestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  addAccount(account: OidcTestAccount): void;
  stop(): Promise<void>;
};

const HOST = "127.0.0.1";

/**
 * A real OpenID Connect provider (panva/oidc-provider) on a free loopback port, with its development login and
 * consent pages and one confidential client for Linkscope. Its ID tokens are strict (`conformIdTokenClaims`, the
 * default): with the code flow, email and name are only in the userinfo response, as with Okta and others.
 */
export async function startOidcTestProvider({ redirectUri }: { redirectUri: string }): Promise<OidcTestProvider> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${HOST}:${port}`;
  const clientId = "linkscope-e2e";
  const clientSecret = randomBytes(24).toString("base64url");
  const accounts = new Map<string, OidcTestAccount>();

  const signingKey = {
    ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
    kid: "e2e",
    use: "sig",
    alg: "RS256",
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount(_ctx, sub): Account | undefined {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ sub, email: account.email, email_verified: account.emailVerified, name: account.name }) };
    },
  });
  server.on("request", provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    addAccount(account) {
      accounts.set(account.login, account);
    },
    async stop() {
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}
