/** Source and broker node inputs (`source`, `brokerNode`) that scope a silence, a maintenance window or a rule. */
export function ScopeFields({ emptyMeansAll = false, sourcePlaceholder }: { emptyMeansAll?: boolean; sourcePlaceholder?: string }) {
  const hint = emptyMeansAll ? " (empty: all)" : "";
  return (
    <>
      <label>
        Source{hint}
        <input name="source" placeholder={sourcePlaceholder} />
      </label>
      <label>
        Broker node{hint}
        <input name="brokerNode" />
      </label>
    </>
  );
}

/** The submit and cancel buttons that end every create form on /alerts. */
export function FormActions({ submitLabel, pending, onCancel }: { submitLabel: string; pending: boolean; onCancel: () => void }) {
  return (
    <div className="button-group">
      <button className="button button-primary" type="submit" disabled={pending}>
        {submitLabel}
      </button>
      <button className="button" type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
