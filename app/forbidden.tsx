import Link from "next/link";

export default function ForbiddenPage() {
  return (
    <section className="panel not-found" aria-labelledby="forbidden-heading">
      <h1 id="forbidden-heading">Not allowed</h1>
      <p className="muted">Your role does not include this page. Ask an admin if you need access.</p>
      <Link href="/" className="button">
        Back to the fleet overview
      </Link>
    </section>
  );
}
