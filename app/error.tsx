"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="panel not-found" role="alert">
      <h1>Something went wrong</h1>
      <p>The page could not be loaded. The error has been logged on the server{error.digest ? ` (reference ${error.digest})` : ""}.</p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
