import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/sign-in-form.tsx";
import { isOidcConfigured, readAuthEnv } from "@/lib/auth/auth-env.ts";
import { isPublicPagePath } from "@/lib/auth/public-paths.ts";
import { getPageUser } from "@/lib/auth/require-page-user.ts";
import { toSameOriginPath } from "@/lib/security/same-origin-path.ts";

export const metadata: Metadata = { title: "Sign in" };

type SignInPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Only same-origin paths are followed after sign-in (as the browser will parse them), never back to /signin. */
function toSafeReturnPath(value: string | string[] | undefined): string {
  const path = toSameOriginPath(Array.isArray(value) ? value[0] : value);
  return isPublicPagePath(path.split(/[?#]/)[0] ?? "") ? "/" : path;
}

const ERROR_MESSAGES: Record<string, string> = {
  AccessDenied: "This single sign-on account has no Linkscope user. Ask an admin to add your email.",
  AccountDisabled: "Your Linkscope account is disabled. Ask an admin to enable it.",
  EmailNotVerified: "Your single sign-on provider has not verified this email address.",
  SessionRequired: "Please sign in.",
};

export default async function SignInPage({ searchParams }: SignInPageProps) {
  const params = await searchParams;
  const returnTo = toSafeReturnPath(params.callbackUrl);
  if (await getPageUser()) redirect(returnTo);
  const env = readAuthEnv();
  const errorKey = Array.isArray(params.error) ? params.error[0] : params.error;
  const initialError = errorKey ? (ERROR_MESSAGES[errorKey] ?? "Sign-in failed. Try again.") : null;
  return (
    <section className="panel signin-panel" aria-labelledby="signin-heading">
      <h1 id="signin-heading">Sign in to Linkscope</h1>
      <p className="muted">Connection history and diagnosis for your device fleet.</p>
      <SignInForm returnTo={returnTo} oidcName={isOidcConfigured(env) ? env.OIDC_NAME : null} initialError={initialError} />
    </section>
  );
}
