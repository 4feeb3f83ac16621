"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";

type SignInFormProps = { returnTo: string; oidcName: string | null; initialError: string | null };

export function SignInForm({ returnTo, oidcName, initialError }: SignInFormProps) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? ""), redirect: false });
      if (result?.ok && !result.error) {
        // A full navigation, so server components render with the new session cookie.
        window.location.assign(returnTo);
        return;
      }
      setError(result?.status === 429 || result?.error === "rate_limited" ? "Too many failed attempts. Wait a few minutes and try again." : "Wrong email or password.");
    } catch {
      setError("Sign-in failed: the server did not answer. Try again.");
    }
    setPending(false);
  }

  return (
    <>
      <form className="signin-form" onSubmit={submit} noValidate>
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
