/** The one display of a failed write (or any client-side action): the API's message, announced. */
export function MutationError({ error }: { error: Error | string | null | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="error-text">
      {typeof error === "string" ? error : error.message}
    </p>
  );
}
