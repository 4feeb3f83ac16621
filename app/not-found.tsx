import Link from "next/link";

export default function NotFoundPage() {
  return (
    <section className="panel not-found" aria-labelledby="not-found-heading">
      <h1 id="not-found-heading">Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link href="/">Go to the fleet overview</Link> or <Link href="/devices">browse devices</Link>.
      </p>
    </section>
  );
}
