"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";

type SignInFormProps = { returnTo: string; oidcName: string | null; initialError: string | null };

type Outcome = "ok" | "wrong" | "rate_limited" | "unreachable";

/**
 * Posts to next-auth's credentials callback directly rather than through `signIn()` from next-auth/react, which
 * cannot read our 429 answer to a rate-limited attempt.
 */
async function submitCredentials(email: string, password: string, returnTo: string): Promise<Outcome> {
  try {
    const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await fetch("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, email, password, callbackUrl: returnTo, json: "true" }),
    });
    if (response.status === 429) return "rate_limited";
    // next-auth answers a refused password with 401 and the error in `url`.
    if (!response.ok && response.status !== 401) return "unreachable";
    const { url } = (await response.json()) as { url?: string };
    const error = url ? new URL(url, window.location.href).searchParams.get("error") : "unknown";
    if (error === "rate_limited") return "rate_limited";
    return error ? "wrong" : "ok";
  } catch {
    return "unreachable";
  }
}

const MESSAGES: Record<Exclude<Outcome, "ok">, string> = {
  wrong: "Wrong email or password.",
  rate_limited: "Too many failed attempts. Wait a few minutes and try again.",
  unreachable: "Sign-in failed: the server did not answer. Try again.",
};

export function SignInForm({ returnTo, oidcName, initialError }: SignInFormProps) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const outcome = await submitCredentials(String(form.get("email") ?? ""), String(form.get("password") ?? ""), returnTo);
    if (outcome === "ok") {
      // A full navigation, so server components render with the new session cookie.
      window.location.assign(returnTo);
      return;
    }
    setError(MESSAGES[outcome]);
    setPending(false);
  }

  return (
    <>
      <form className="signin-form" aria-label="Sign in" onSubmit={submit} noValidate>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required maxLength={254} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required maxLength={256} />
        </label>
        {error ? (
          <p role="alert" className="error-text">
            {error}
          </p>
        ) : null}
        <button className="button button-primary" type="submit" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidcName ? (
        <button className="button" type="button" onClick={() => void signIn("oidc", { callbackUrl: returnTo })}>
          Sign in with {oidcName}
        </button>
      ) : null}
    </>
  );
}
